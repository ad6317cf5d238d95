#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "shared/ed25519.h"
#include "tests/support/fixtures.h"

using namespace helpline;
using helpline::test::TempDir;

TEST_CASE("a signature verifies with its key and not after any change") {
    auto key = SigningKey::generate();
    REQUIRE(key.ok());
    const std::string message = "helpline";
    const Signature sig = key->sign(as_bytes(message));
    CHECK(verify_signature(key->public_key(), as_bytes(message), sig));
    CHECK_FALSE(verify_signature(key->public_key(), as_bytes(std::string("helplinE")), sig));
    Signature bad = sig;
    bad[10] ^= 1;
    CHECK_FALSE(verify_signature(key->public_key(), as_bytes(message), bad));
    auto other = SigningKey::generate();
    CHECK_FALSE(verify_signature(other->public_key(), as_bytes(message), sig));
}

TEST_CASE("a saved private key is mode 0600 and loads back to the same key") {
    TempDir dir;
    auto key = SigningKey::generate();
    REQUIRE(key.ok());
    const auto path = dir / "team.pem";
    REQUIRE(key->save(path).ok());
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    auto loaded = SigningKey::load(path);
    REQUIRE(loaded.ok());
    CHECK(loaded->public_key() == key->public_key());
    // No temporary file is left behind.
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);
}

TEST_CASE("loading something that is not an Ed25519 private key says so") {
    TempDir dir;
    helpline::test::write_text(dir / "junk.pem", "hello");
    auto r = SigningKey::load(dir / "junk.pem");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "key.invalid");
    CHECK_THAT(r.error().message, Catch::Contains("helpline-brand keygen"));
    auto missing = SigningKey::load(dir / "missing.pem");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == "io.open");
}

TEST_CASE("the fixture key's public key matches its .pub file and base64 form") {
    auto key = SigningKey::load(helpline::test::fixture("keys/test-signing-key.pem"));
    REQUIRE(key.ok());
    auto pub = public_key_from_pem(helpline::test::read_text(helpline::test::fixture("keys/test-signing-key.pub")));
    REQUIRE(pub.ok());
    CHECK(*pub == key->public_key());
    auto b64 = public_key_from_base64(public_key_to_base64(*pub));
    REQUIRE(b64.ok());
    CHECK(*b64 == *pub);
    auto pem = public_key_from_pem(public_key_to_pem(*pub));
    REQUIRE(pem.ok());
    CHECK(*pem == *pub);
}

TEST_CASE("fingerprints are stable and readable") {
    PublicKey zero{};
    CHECK(fingerprint(zero).rfind("SHA256:", 0) == 0);
    CHECK(fingerprint(zero).size() == 7 + 43);
    const std::string s = short_fingerprint(zero);
    CHECK(s.size() == 19);
    CHECK(s == "6668 7aad f862 bd77");  // sha256 of 32 zero bytes starts 66687aadf862bd77
}

TEST_CASE("base64 public keys of the wrong length are refused") {
    CHECK_FALSE(public_key_from_base64("AAAA").ok());
    CHECK_FALSE(public_key_from_base64("not base64 at all!").ok());
}
