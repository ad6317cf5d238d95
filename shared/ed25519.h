#pragma once
// Ed25519 signing keys (OpenSSL 3 EVP). The team's private key signs stamps and
// profile envelopes; clients carry only the 32-byte public key.

#include <array>
#include <filesystem>
#include <memory>
#include <string>

#include "shared/bytes.h"
#include "shared/result.h"

namespace helpline {

using PublicKey = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;

/// An Ed25519 private key. Move-only; the key material lives inside OpenSSL.
class SigningKey {
public:
    static Result<SigningKey> generate();
    /// Loads a PKCS#8 PEM private key; refuses keys that are not Ed25519.
    static Result<SigningKey> load(const std::filesystem::path& pem_path);
    static Result<SigningKey> from_pem(std::string_view pem);

    /// Writes the private key as PEM, mode 0600, atomically.
    Status save(const std::filesystem::path& pem_path) const;
    std::string to_pem() const;

    PublicKey public_key() const;
    Signature sign(ByteView message) const;

    SigningKey(SigningKey&&) noexcept;
    SigningKey& operator=(SigningKey&&) noexcept;
    ~SigningKey();

private:
    struct Impl;
    explicit SigningKey(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

bool verify_signature(const PublicKey& key, ByteView message, const Signature& signature);

/// "SHA256:" + unpadded base64 of sha256(public key), like OpenSSH prints.
std::string fingerprint(const PublicKey& key);
/// The first 8 bytes of sha256(public key) in hex groups, for reading aloud: "3f2a 9c01 77de 0b44".
std::string short_fingerprint(const PublicKey& key);

/// Public key as base64 of its 32 raw bytes (what HELPLINE_TRUSTED_KEYS holds).
std::string public_key_to_base64(const PublicKey& key);
Result<PublicKey> public_key_from_base64(std::string_view text);

/// Public key file: a PEM SubjectPublicKeyInfo that `openssl pkey -pubin` can read.
std::string public_key_to_pem(const PublicKey& key);
Result<PublicKey> public_key_from_pem(std::string_view pem);

}  // namespace helpline
