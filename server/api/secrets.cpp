#include "server/api/secrets.h"

#include <openssl/sha.h>
#include <sodium.h>

#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "shared/bytes.h"

namespace helpline::server {
namespace {

void ensure_sodium() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    });
}

bool fast_hash() {
    const char* v = std::getenv("HELPLINE_FAST_PASSWORD_HASH");
    return v != nullptr && std::string_view(v) == "1";
}

}  // namespace

std::string random_token(std::size_t bytes) {
    ensure_sodium();
    std::vector<unsigned char> raw(bytes);
    randombytes_buf(raw.data(), raw.size());
    std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(std::char_traits<char>::length(out.c_str()));
    return out;
}

std::string random_hex(std::size_t bytes) {
    ensure_sodium();
    std::vector<unsigned char> raw(bytes);
    randombytes_buf(raw.data(), raw.size());
    return hex_encode(raw);
}

std::string sha256_hex(std::string_view data) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
    return hex_encode(ByteView(digest, sizeof digest));
}

std::string hash_password(std::string_view password) {
    ensure_sodium();
    char out[crypto_pwhash_STRBYTES];
    const auto ops = fast_hash() ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
    const auto mem = fast_hash() ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::runtime_error("out of memory while hashing a password");
    return out;
}

bool verify_password(const std::string& hash, std::string_view password) {
    ensure_sodium();
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string generate_password() {
    ensure_sodium();
    static constexpr char kAlphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
    std::string out;
    for (int group = 0; group < 4; ++group) {
        if (group > 0) out.push_back('-');
        for (int i = 0; i < 4; ++i) out.push_back(kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)]);
    }
    return out;
}

bool equal_secret(std::string_view a, std::string_view b) {
    return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace helpline::server
