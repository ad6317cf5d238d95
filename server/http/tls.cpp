// TLS material: loading, self-signed certificates for first runs and tests, public-key
// pins, and which addresses may be served without TLS. OpenSSL 3 only, no Beast.

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>

#include "server/http/server.h"
#include "shared/bytes.h"

namespace helpline::server::http {
namespace {

template <auto Free>
struct Deleter {
    template <typename T>
    void operator()(T* p) const {
        Free(p);
    }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;

/// The most recent OpenSSL error as text (and the queue cleared), for error messages.
std::string openssl_error() {
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0) return "unknown OpenSSL error";
    std::array<char, 256> text{};
    ERR_error_string_n(code, text.data(), text.size());
    return text.data();
}

Error tls_error(std::string code, std::string message) {
    return make_error(std::move(code), std::move(message) + " (" + openssl_error() + ")");
}

BioPtr memory_bio(const std::string& text) {
    return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

X509Ptr parse_certificate(const std::string& pem) {
    auto bio = memory_bio(pem);
    if (!bio) return nullptr;
    return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

PkeyPtr parse_private_key(const std::string& pem) {
    auto bio = memory_bio(pem);
    if (!bio) return nullptr;
    return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

bool read_file(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return !in.bad();
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

bool is_ip_literal(const std::string& name) {
    std::array<unsigned char, 16> buffer{};
    return inet_pton(AF_INET, name.c_str(), buffer.data()) == 1 ||
           inet_pton(AF_INET6, name.c_str(), buffer.data()) == 1;
}

bool add_extension(X509* cert, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

}  // namespace

bool is_loopback_address(std::string_view address) {
    if (address == "localhost") return true;
    if (address.size() >= 2 && address.front() == '[' && address.back() == ']')
        address = address.substr(1, address.size() - 2);
    const std::string text(address);
    std::array<unsigned char, 16> bytes{};
    if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) return bytes[0] == 127;
    if (inet_pton(AF_INET6, text.c_str(), bytes.data()) != 1) return false;
    static constexpr std::array<unsigned char, 16> kLoopback6{0, 0, 0, 0, 0, 0, 0, 0,
                                                              0, 0, 0, 0, 0, 0, 0, 1};
    if (bytes == kLoopback6) return true;
    // ::ffff:127.x.y.z, the IPv4 loopback seen through a dual-stack socket.
    static constexpr std::array<unsigned char, 12> kMappedPrefix{0, 0, 0, 0, 0,    0,
                                                                 0, 0, 0, 0, 0xff, 0xff};
    return std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), bytes.begin()) &&
           bytes[12] == 127;
}

Result<TlsMaterial> load_tls(const std::string& cert_path, const std::string& key_path) {
    TlsMaterial material;
    if (!read_file(cert_path, material.cert_pem))
        return make_error("tls.read", "Could not read the certificate file.", cert_path);
    if (!read_file(key_path, material.key_pem))
        return make_error("tls.read", "Could not read the private key file.", key_path);
    auto cert = parse_certificate(material.cert_pem);
    if (!cert) return tls_error("tls.certificate", "The certificate file holds no PEM certificate");
    auto key = parse_private_key(material.key_pem);
    if (!key) return tls_error("tls.key", "The key file holds no unencrypted PEM private key");
    if (X509_check_private_key(cert.get(), key.get()) != 1)
        return tls_error("tls.key_mismatch", "The private key does not belong to the certificate");
    return material;
}

Result<TlsMaterial> make_self_signed(const std::vector<std::string>& names) {
    if (names.empty())
        return make_error("tls.names", "A self-signed certificate needs at least one name.");

    PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key) return tls_error("tls.keygen", "Could not generate an EC P-256 key");

    X509Ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1)
        return tls_error("tls.certificate", "Could not create a certificate");

    // A random positive 127-bit serial: clients cache by issuer+serial, so reusing one
    // across regenerated certificates confuses them.
    std::array<unsigned char, 16> serial_bytes{};
    if (RAND_bytes(serial_bytes.data(), static_cast<int>(serial_bytes.size())) != 1)
        return tls_error("tls.random", "Could not draw a serial number");
    serial_bytes[0] &= 0x7f;
    BnPtr serial(BN_bin2bn(serial_bytes.data(), static_cast<int>(serial_bytes.size()), nullptr));
    if (!serial || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())))
        return tls_error("tls.certificate", "Could not set the serial number");

    // Valid from an hour ago, for clients whose clock is a little behind.
    constexpr long kHour = 60L * 60;
    constexpr long kTenYears = 10L * 365 * 24 * kHour;
    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kHour) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert.get()), kTenYears))
        return tls_error("tls.certificate", "Could not set the validity period");

    X509_NAME* name = X509_get_subject_name(cert.get());
    const auto* cn = reinterpret_cast<const unsigned char*>(names.front().c_str());
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, cn, -1, -1, 0) != 1 ||
        X509_set_issuer_name(cert.get(), name) != 1 || X509_set_pubkey(cert.get(), key.get()) != 1)
        return tls_error("tls.certificate", "Could not set the certificate's names or key");

    std::string alt_names;
    for (const auto& n : names) {
        if (n.empty() || n.find_first_of(",\r\n") != std::string::npos)
            return make_error("tls.names", "A certificate name is empty or contains ','.", n);
        if (!alt_names.empty()) alt_names += ',';
        alt_names += (is_ip_literal(n) ? "IP:" : "DNS:") + n;
    }
    // An end-entity certificate that is its own trust anchor: clients pin it or add it
    // as their only CA (CURLOPT_CAINFO_BLOB).
    if (!add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
        !add_extension(cert.get(), NID_ext_key_usage, "serverAuth") ||
        !add_extension(cert.get(), NID_subject_key_identifier, "hash") ||
        !add_extension(cert.get(), NID_subject_alt_name, alt_names))
        return tls_error("tls.certificate", "Could not add the certificate's extensions");

    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
        return tls_error("tls.certificate", "Could not sign the certificate");

    BioPtr cert_out(BIO_new(BIO_s_mem()));
    BioPtr key_out(BIO_new(BIO_s_mem()));
    if (!cert_out || !key_out || PEM_write_bio_X509(cert_out.get(), cert.get()) != 1 ||
        PEM_write_bio_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
            1)
        return tls_error("tls.certificate", "Could not write the certificate as PEM");
    return TlsMaterial{bio_text(cert_out.get()), bio_text(key_out.get())};
}

Result<std::string> public_key_pin(const std::string& cert_pem) {
    auto cert = parse_certificate(cert_pem);
    if (!cert) return tls_error("tls.certificate", "The text holds no PEM certificate");
    // DER of the SubjectPublicKeyInfo: what libcurl hashes for CURLOPT_PINNEDPUBLICKEY.
    unsigned char* der = nullptr;
    const int der_size = i2d_PUBKEY(X509_get0_pubkey(cert.get()), &der);
    if (der_size <= 0) return tls_error("tls.certificate", "Could not encode the public key");
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int digest_size = 0;
    const int ok = EVP_Digest(der, static_cast<std::size_t>(der_size), digest.data(), &digest_size,
                              EVP_sha256(), nullptr);
    OPENSSL_free(der);
    if (ok != 1) return tls_error("tls.digest", "Could not hash the public key");
    return "sha256//" + base64_encode(ByteView(digest.data(), digest_size));
}

}  // namespace helpline::server::http
