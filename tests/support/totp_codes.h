#pragma once
// TOTP codes as an authenticator app computes them, straight from liboath (RFC 6238: six
// digits, 30-second steps, HMAC-SHA1), for tests that sign in with two factors.

#include <liboath/oath.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace helpline::test {

/// The code for the base32 `secret` at Unix time `at`.
inline std::string totp_code_at(const std::string& secret, std::int64_t at) {
    static const int initialised = oath_init();
    if (initialised != OATH_OK) throw std::runtime_error("liboath failed to initialise");
    char* key = nullptr;
    std::size_t key_length = 0;
    if (oath_base32_decode(secret.data(), secret.size(), &key, &key_length) != OATH_OK)
        throw std::runtime_error("not a base32 secret: " + secret);
    std::array<char, 7> code{};
    const int rc = oath_totp_generate(key, key_length, static_cast<time_t>(at),
                                      OATH_TOTP_DEFAULT_TIME_STEP_SIZE,
                                      OATH_TOTP_DEFAULT_START_TIME, 6, code.data());
    std::free(key);
    if (rc != OATH_OK) throw std::runtime_error("liboath could not compute a code");
    return std::string(code.data(), 6);
}

}  // namespace helpline::test
