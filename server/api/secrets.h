#pragma once
// Tokens, hashes and passwords. Tokens carry 256 random bits and are stored only as
// SHA-256 hashes; passwords are Argon2id (libsodium crypto_pwhash_str).

#include <string>
#include <string_view>

namespace helpline::server {

/// `bytes` random bytes (libsodium's CSPRNG) as unpadded base64url.
std::string random_token(std::size_t bytes = 32);
/// `bytes` random bytes as lower-case hex (ids: devices, requests, sessions).
std::string random_hex(std::size_t bytes = 16);
std::string sha256_hex(std::string_view data);

/// Argon2id hash in libsodium's string format. Strength: "interactive" limits unless
/// HELPLINE_FAST_PASSWORD_HASH=1 (tests only; documented in docs/operations.md).
std::string hash_password(std::string_view password);
bool verify_password(const std::string& hash, std::string_view password);

/// A random password for people to type once: 4 groups of 4 from an unambiguous alphabet.
std::string generate_password();

/// Constant-time comparison.
bool equal_secret(std::string_view a, std::string_view b);

}  // namespace helpline::server
