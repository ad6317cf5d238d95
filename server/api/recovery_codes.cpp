#include "server/api/recovery_codes.h"

#include <sodium.h>

#include <stdexcept>

#include "server/api/secrets.h"

namespace helpline::server {

std::vector<std::string> new_recovery_codes() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    // 31 symbols, almost 5 bits each: 16 of them carry 79 bits.
    static constexpr char kAlphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
    static_assert(sizeof kAlphabet - 1 == 31);
    std::vector<std::string> codes;
    while (static_cast<int>(codes.size()) < kRecoveryCodeCount) {
        std::string code;
        for (int i = 0; i < 16; ++i) {
            if (i > 0 && i % 4 == 0) code.push_back('-');
            code.push_back(kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)]);
        }
        codes.push_back(std::move(code));
    }
    return codes;
}

std::string recovery_code_hash(std::string_view typed) {
    std::string normal;
    for (const char c : typed) {
        if (c == ' ' || c == '-') continue;
        normal.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
    return sha256_hex(normal);
}

}  // namespace helpline::server
