// Team administration of branding profiles through the API: the list (groups offered, the
// signing key's fingerprint as helpline-brand prints it, when published), and uploads
// refused with a reason per field.
#include "shared/ed25519.h"
#include "tests/server/api/api_fixture.h"

using namespace helpline::server;
using helpline::server::test::ApiFixture;

namespace {

struct Profiles : ApiFixture {
    Profiles() {
        group("helpdesk");
        group("billing");
        admin = user("boss@team.example", Role::admin);
    }
    /// The demo profile at `revision`, after `edit`, signed by `key` (default: the test key).
    nlohmann::json envelope(int revision, const std::function<void(nlohmann::json&)>& edit = {},
                            const helpline::SigningKey* key = nullptr) {
        auto profile = nlohmann::json::parse(
            helpline::test::read_text(helpline::test::source_path("branding/profiles/demo/profile.json")));
        profile["revision"] = revision;
        if (edit) edit(profile);
        return nlohmann::json::parse(helpline::make_envelope(profile["id"].get<std::string>(), revision,
                                                             profile.dump(), {}, key ? *key : test_key()));
    }
    const helpline::SigningKey& test_key() {
        if (!key_) {
            auto k = helpline::SigningKey::load(helpline::test::fixture("keys/test-signing-key.pem"));
            REQUIRE(k.ok());
            key_ = std::make_unique<helpline::SigningKey>(std::move(*k));
        }
        return *key_;
    }
    static std::string message(const nlohmann::json& problem, const std::string& field) {
        for (const auto& e : problem["errors"])
            if (e["field"] == field) return e["message"];
        return "(no error for " + field + ")";
    }
    std::string admin;

private:
    std::unique_ptr<helpline::SigningKey> key_;
};

}  // namespace

TEST_CASE_METHOD(Profiles, "published profiles are listed with their groups, key fingerprint and time") {
    CHECK(call("GET", "/api/v1/profiles", admin).json["profiles"] == nlohmann::json::array());
    auto r = call("POST", "/api/v1/profiles", admin, envelope(4));
    REQUIRE(r.status == 201);
    const std::string fingerprint = helpline::fingerprint(test_key().public_key());
    CHECK(fingerprint.rfind("SHA256:", 0) == 0);
    CHECK(r.json["key_fingerprint"] == fingerprint);

    const auto list = call("GET", "/api/v1/profiles", admin).json["profiles"];
    REQUIRE(list.size() == 1);
    const auto& p = list[0];
    CHECK(p["id"] == "demo-support");
    CHECK(p["revision"] == 4);
    CHECK(p["groups"] == nlohmann::json::array({"helpdesk", "billing"}));
    CHECK(p["key_fingerprint"] == fingerprint);
    CHECK(p["key_short_fingerprint"] == helpline::short_fingerprint(test_key().public_key()));
    CHECK(p["public_key"] == helpline::public_key_to_base64(test_key().public_key()));
    CHECK(p["published_at"] == format_time(clock.now()));
    const auto last = store().audit_log(1).front();
    CHECK(last.action == "profile-published");
}

TEST_CASE_METHOD(Profiles, "an envelope changed after signing is refused under signature") {
    auto tampered = envelope(1);
    auto inner = envelope(1, [](nlohmann::json& p) { p["assistance"]["groups"][0]["id"] = "billing"; });
    tampered["profile"] = inner["profile"];  // another profile under the first one's signature
    auto r = call("POST", "/api/v1/profiles", admin, tampered);
    CHECK(r.status == 422);
    CHECK_THAT(message(r.json, "signature"), Catch::Contains("changed after it was signed"));
    CHECK(store().profiles().empty());
}

TEST_CASE_METHOD(Profiles, "a revision that is not higher, or another key, is refused under its field") {
    REQUIRE(call("POST", "/api/v1/profiles", admin, envelope(2)).status == 201);
    auto same = call("POST", "/api/v1/profiles", admin, envelope(2));
    CHECK(same.status == 422);
    CHECK(message(same.json, "revision") ==
          "must be higher than 2, the published revision; raise \"revision\" and sign again");
    CHECK(call("POST", "/api/v1/profiles", admin, envelope(1)).status == 422);

    auto other = helpline::SigningKey::generate();
    REQUIRE(other.ok());
    auto foreign = call("POST", "/api/v1/profiles", admin, envelope(3, {}, &*other));
    CHECK(foreign.status == 422);
    CHECK_THAT(message(foreign.json, "public_key"),
               Catch::Contains(helpline::fingerprint(test_key().public_key())));
    CHECK(foreign.json["errors"].size() == 1);  // revision 3 is higher: only the key is wrong
    // Every reason at once: another key and an old revision and a group the team lacks.
    auto all = call("POST", "/api/v1/profiles", admin,
                    envelope(1, [](nlohmann::json& p) { p["assistance"]["groups"][1]["id"] = "sales"; }, &*other));
    CHECK(all.status == 422);
    CHECK(all.json["errors"].size() == 3);
    const std::string detail = all.json["detail"];
    CHECK_THAT(detail, Catch::Contains("was published signed by another key"));
    CHECK_THAT(detail, Catch::Contains("is already at revision 2; raise \"revision\" and sign again."));
    CHECK_THAT(detail, Catch::EndsWith("The profile names groups this team does not have."));
    CHECK(store().profile("demo-support")->revision == 2);
}

TEST_CASE_METHOD(Profiles, "groups the team does not have are refused, each under its place in the profile") {
    auto r = call("POST", "/api/v1/profiles", admin, envelope(1, [](nlohmann::json& p) {
                      p["assistance"]["groups"][1]["id"] = "sales";
                  }));
    CHECK(r.status == 422);
    CHECK(message(r.json, "profile.assistance.groups[1].id") == "\"sales\" is not a group of this team; create it first");
    CHECK(r.json["errors"].size() == 1);
    CHECK(store().profiles().empty());
    // Not an envelope at all stays a 400 naming what is wrong.
    auto junk = call("POST", "/api/v1/profiles", admin, {{"format", "something else"}});
    CHECK(junk.status == 400);
    CHECK(junk.json["errors"][0]["field"] == "format");
}
