#include "shared/ed25519.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <fmt/format.h>

#include "shared/atomic_file.h"

namespace helpline {
namespace {

struct PkeyDeleter {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct BioDeleter {
    void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxDeleter {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

constexpr std::uint64_t kMaxKeyFile = 16 * 1024;

std::string bio_to_string(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace

struct SigningKey::Impl {
    PkeyPtr pkey;
};

SigningKey::SigningKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SigningKey::~SigningKey() = default;
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;

Result<SigningKey> SigningKey::generate() {
    PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    if (!pkey) return make_error("crypto.keygen", "Could not generate an Ed25519 key (OpenSSL failed).");
    return SigningKey(std::make_unique<Impl>(Impl{std::move(pkey)}));
}

Result<SigningKey> SigningKey::from_pem(std::string_view pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!pkey)
        return make_error("key.invalid",
                          "This is not a PEM private key (expected '-----BEGIN PRIVATE KEY-----'; "
                          "make one with 'helpline-brand keygen').");
    if (EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519)
        return make_error("key.not_ed25519",
                          "The private key is not an Ed25519 key; make one with 'helpline-brand keygen'.");
    return SigningKey(std::make_unique<Impl>(Impl{std::move(pkey)}));
}

Result<SigningKey> SigningKey::load(const std::filesystem::path& pem_path) {
    auto data = read_file(pem_path, kMaxKeyFile);
    if (!data) return data.error();
    auto key = from_pem(as_string(*data));
    if (!key) {
        Error e = key.error();
        e.message = fmt::format("{}: {}", pem_path.string(), e.message);
        e.where = pem_path.string();
        return e;
    }
    return key;
}

std::string SigningKey::to_pem() const {
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0, nullptr, nullptr);
    return bio_to_string(bio.get());
}

Status SigningKey::save(const std::filesystem::path& pem_path) const {
    const std::string pem = to_pem();
    return write_file_atomic(pem_path, as_bytes(pem), 0600);
}

PublicKey SigningKey::public_key() const {
    PublicKey key{};
    std::size_t len = key.size();
    EVP_PKEY_get_raw_public_key(impl_->pkey.get(), key.data(), &len);
    return key;
}

Signature SigningKey::sign(ByteView message) const {
    Signature sig{};
    MdCtxPtr ctx(EVP_MD_CTX_new());
    std::size_t len = sig.size();
    if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->pkey.get()) != 1 ||
        EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1)
        throw std::runtime_error("Ed25519 signing failed");  // only on OpenSSL misconfiguration
    return sig;
}

bool verify_signature(const PublicKey& key, ByteView message, const Signature& signature) {
    PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size()));
    if (!pkey) return false;
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) return false;
    return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                            message.size()) == 1;
}

std::string fingerprint(const PublicKey& key) {
    std::uint8_t digest[SHA256_DIGEST_LENGTH];
    SHA256(key.data(), key.size(), digest);
    std::string b64 = base64_encode(ByteView(digest, sizeof digest));
    while (!b64.empty() && b64.back() == '=') b64.pop_back();
    return "SHA256:" + b64;
}

std::string short_fingerprint(const PublicKey& key) {
    std::uint8_t digest[SHA256_DIGEST_LENGTH];
    SHA256(key.data(), key.size(), digest);
    const std::string hex = hex_encode(ByteView(digest, 8));
    return fmt::format("{} {} {} {}", hex.substr(0, 4), hex.substr(4, 4), hex.substr(8, 4),
                       hex.substr(12, 4));
}

std::string public_key_to_base64(const PublicKey& key) { return base64_encode(key); }

Result<PublicKey> public_key_from_base64(std::string_view text) {
    Bytes raw;
    if (!base64_decode(text, raw) || raw.size() != 32)
        return make_error("key.invalid",
                          fmt::format("'{}' is not an Ed25519 public key (expected 44 characters of "
                                      "base64 encoding 32 bytes, as 'helpline-brand keygen' prints).",
                                      text));
    PublicKey key{};
    std::copy(raw.begin(), raw.end(), key.begin());
    return key;
}

std::string public_key_to_pem(const PublicKey& key) {
    PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size()));
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PUBKEY(bio.get(), pkey.get());
    return bio_to_string(bio.get());
}

Result<PublicKey> public_key_from_pem(std::string_view pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    PkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!pkey || EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519)
        return make_error("key.invalid", "This is not a PEM Ed25519 public key.");
    PublicKey key{};
    std::size_t len = key.size();
    EVP_PKEY_get_raw_public_key(pkey.get(), key.data(), &len);
    return key;
}

}  // namespace helpline
