#include "server/api/totp.h"

#include <liboath/oath.h>
#include <sodium.h>

#include <array>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "server/api/secrets.h"

namespace helpline::server {
namespace {

void ensure_oath() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (oath_init() != OATH_OK) throw std::runtime_error("liboath failed to initialise");
        if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    });
}

/// The secret's bytes; nullopt when it is not base32.
std::optional<std::string> decode_secret(const std::string& secret) {
    char* raw = nullptr;
    std::size_t length = 0;
    if (oath_base32_decode(secret.data(), secret.size(), &raw, &length) != OATH_OK)
        return std::nullopt;
    const std::unique_ptr<char, decltype(&std::free)> owned(raw, &std::free);
    return std::string(raw, length);
}

std::string code_at(const std::string& key, std::int64_t step) {
    std::array<char, kTotpDigits + 1> out{};
    const auto at = static_cast<time_t>(step * kTotpStepSeconds);
    if (oath_totp_generate(key.data(), key.size(), at, kTotpStepSeconds,
                           OATH_TOTP_DEFAULT_START_TIME, kTotpDigits, out.data()) != OATH_OK)
        return {};
    return std::string(out.data(), kTotpDigits);
}

std::string percent_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
        const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' ||
                           c == '@';
        if (plain) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

}  // namespace

std::string new_totp_secret() {
    ensure_oath();
    std::array<char, 20> raw{};
    randombytes_buf(raw.data(), raw.size());
    char* encoded = nullptr;
    std::size_t length = 0;
    if (oath_base32_encode(raw.data(), raw.size(), &encoded, &length) != OATH_OK)
        throw std::runtime_error("out of memory while encoding a TOTP secret");
    const std::unique_ptr<char, decltype(&std::free)> owned(encoded, &std::free);
    std::string secret(encoded, length);
    while (!secret.empty() && secret.back() == '=') secret.pop_back();  // 20 bytes: none anyway
    return secret;
}

std::int64_t totp_step(Timestamp t) {
    return t / kTotpStepSeconds;
}

std::string totp_code(const std::string& secret, std::int64_t step) {
    ensure_oath();
    const auto key = decode_secret(secret);
    return key ? code_at(*key, step) : std::string();
}

std::optional<std::int64_t> match_totp(const std::string& secret, std::string_view code,
                                       Timestamp now, std::int64_t used_step) {
    ensure_oath();
    std::string typed;
    for (const char c : code)
        if (c != ' ') typed.push_back(c);
    const auto key = decode_secret(secret);
    if (!key || typed.size() != static_cast<std::size_t>(kTotpDigits)) return std::nullopt;
    const std::int64_t current = totp_step(now);
    // Every step of the window is computed, matched or not, so the time taken does not
    // say which one matched.
    std::optional<std::int64_t> matched;
    for (std::int64_t step = current - kTotpWindowSteps; step <= current + kTotpWindowSteps;
         ++step) {
        const bool equal = equal_secret(code_at(*key, step), typed);
        if (equal && step > used_step && !matched) matched = step;
    }
    return matched;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view secret) {
    const std::string label = percent_encode(issuer) + ":" + percent_encode(account);
    return "otpauth://totp/" + label + "?secret=" + std::string(secret) +
           "&issuer=" + percent_encode(issuer) +
           "&algorithm=SHA1&digits=" + std::to_string(kTotpDigits) +
           "&period=" + std::to_string(kTotpStepSeconds);
}

}  // namespace helpline::server
