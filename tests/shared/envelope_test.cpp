#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "shared/envelope.h"
#include "tests/support/fixtures.h"

using namespace helpline;

namespace {
const std::string kProfile = R"({"schema":1,"id":"acme","revision":3})";
}

TEST_CASE("an envelope round-trips and verifies") {
    auto key = SigningKey::generate();
    REQUIRE(key.ok());
    const std::vector<Asset> assets = {{"logo.svg", {'x'}}};
    const std::string text = make_envelope("acme", 3, kProfile, assets, *key);
    auto env = parse_envelope(text);
    REQUIRE(env.ok());
    CHECK(env->profile_id == "acme");
    CHECK(env->revision == 3);
    CHECK(env->profile_json == kProfile);
    CHECK(env->assets == assets);
    CHECK(env->key == key->public_key());
}

TEST_CASE("a tampered envelope is refused") {
    auto key = SigningKey::generate();
    auto doc = nlohmann::json::parse(make_envelope("acme", 3, kProfile, {}, *key));

    SECTION("changed profile") {
        const std::string other = R"({"schema":1,"id":"acme","revision":4})";
        doc["profile"] = base64_encode(as_bytes(other));
        doc["revision"] = 4;
        CHECK(parse_envelope(doc.dump()).error().code == "envelope.bad_signature");
    }
    SECTION("swapped key") {
        auto other = SigningKey::generate();
        doc["public_key"] = public_key_to_base64(other->public_key());
        CHECK(parse_envelope(doc.dump()).error().code == "envelope.bad_signature");
    }
    SECTION("revision that does not match the profile") {
        doc["revision"] = 9;
        CHECK(parse_envelope(doc.dump()).error().code == "envelope.invalid");
    }
    SECTION("not JSON") { CHECK_FALSE(parse_envelope("{").ok()); }
    SECTION("missing signature") {
        doc.erase("signature");
        CHECK(parse_envelope(doc.dump()).error().where == "signature");
    }
}

TEST_CASE("a stamp signature cannot be replayed as an envelope signature") {
    auto key = SigningKey::generate();
    auto stamp_sig = key->sign(signed_message("helpline-stamp-v1", kProfile, {}, key->public_key()));
    auto doc = nlohmann::json::parse(make_envelope("acme", 3, kProfile, {}, *key));
    doc["signature"] = base64_encode(stamp_sig);
    CHECK(parse_envelope(doc.dump()).error().code == "envelope.bad_signature");
}

// Found by fuzz/envelope_fuzzer.cpp (its signing half): a signed profile whose "id" is not a
// string made nlohmann's value("id", "") throw instead of refusing the envelope.
TEST_CASE("a signed profile whose id or revision has the wrong type is refused, not thrown") {
    auto key = SigningKey::generate();
    REQUIRE(key.ok());
    for (const char* inner : {R"({"id":5,"revision":3})", R"({"id":null,"revision":3})",
                              R"({"id":["acme"],"revision":3})", R"({"id":"acme","revision":"3"})",
                              R"({"revision":3})", R"([{"id":"acme"}])", R"("acme")"}) {
        CAPTURE(inner);
        Result<ProfileEnvelope> env = make_error("unset", "");
        REQUIRE_NOTHROW(env = parse_envelope(make_envelope("acme", 3, inner, {}, *key)));
        REQUIRE_FALSE(env.ok());
        CHECK(env.error().code == "envelope.invalid");
        CHECK(env.error().where == "profile");
    }
}
