#include "shared/vnc_des.h"

#include <openssl/evp.h>
#include <openssl/provider.h>

#include <memory>

namespace helpline {

namespace {

unsigned char reversed_bits(unsigned char b) {
    unsigned char r = 0;
    for (int bit = 0; bit < 8; ++bit)
        if ((b & (1u << bit)) != 0) r = static_cast<unsigned char>(r | (0x80u >> bit));
    return r;
}

Error des_error(const char* what) {
    return make_error("vnc.des",
                      std::string("Could not compute the VNC authentication answer: ") + what +
                          ". Single DES comes from OpenSSL's legacy provider (package libssl3, "
                          "file ossl-modules/legacy.so).");
}

}  // namespace

/// Single DES lives in OpenSSL 3's legacy provider. It is loaded into a library context of
/// its own, so the rest of the process keeps the default providers and never picks a
/// legacy algorithm by accident.
Result<std::string> vnc_challenge_response(std::string_view password, std::string_view challenge) {
    if (challenge.size() != kVncChallengeSize) return des_error("the challenge is not 16 bytes");
    std::unique_ptr<OSSL_LIB_CTX, decltype(&OSSL_LIB_CTX_free)> libctx(OSSL_LIB_CTX_new(),
                                                                       &OSSL_LIB_CTX_free);
    if (!libctx) return des_error("no OpenSSL library context");
    std::unique_ptr<OSSL_PROVIDER, decltype(&OSSL_PROVIDER_unload)> legacy(
        OSSL_PROVIDER_load(libctx.get(), "legacy"), &OSSL_PROVIDER_unload);
    if (!legacy) return des_error("the legacy provider did not load");
    std::unique_ptr<EVP_CIPHER, decltype(&EVP_CIPHER_free)> des(
        EVP_CIPHER_fetch(libctx.get(), "DES-ECB", nullptr), &EVP_CIPHER_free);
    if (!des) return des_error("DES-ECB is not available");

    unsigned char key[kVncPasswordMax] = {};
    for (std::size_t i = 0; i < kVncPasswordMax && i < password.size(); ++i)
        key[i] = reversed_bits(static_cast<unsigned char>(password[i]));
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                        &EVP_CIPHER_CTX_free);
    unsigned char out[2 * kVncChallengeSize] = {};
    int n = 0;
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), des.get(), nullptr, key, nullptr) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
        EVP_EncryptUpdate(ctx.get(), out, &n,
                          reinterpret_cast<const unsigned char*>(challenge.data()),
                          static_cast<int>(challenge.size())) != 1 ||
        n != static_cast<int>(kVncChallengeSize))
        return des_error("the DES encryption failed");
    return std::string(reinterpret_cast<const char*>(out), kVncChallengeSize);
}

}  // namespace helpline
