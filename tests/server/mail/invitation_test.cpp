// Invitations: with email configured a new user gets a single-use link, valid 48 hours, to
// choose their password; the token is stored hashed and leaves the outbox once sent.
#include "tests/server/mail/mail_fixture.h"

namespace helpline::server::test {
namespace {

/// The token of the invitation link in a message's body.
std::string invitation_token(const nlohmann::json& message) {
    std::smatch m;
    const std::string body = message["body"];
    REQUIRE(std::regex_search(body, m, std::regex("https://helpline\\.team\\.example/console/#/invite/([A-Za-z0-9_-]+)")));
    return m[1];
}

}  // namespace

TEST_CASE_METHOD(MailFixture, "a user added with email configured is invited, and the link sets their password once") {
    const auto admin = member("boss@team.example", Role::admin, {}, false, "it");
    auto made = call("POST", "/api/v1/users", admin, {{"email", "new@team.example"}, {"name", "Nina"}, {"role", "operator"}});
    REQUIRE(made.status == 201);
    CHECK(made.json["invitation_sent"] == true);
    CHECK_FALSE(made.json.contains("password"));
    CHECK(made.json["user"]["email"] == "new@team.example");
    // No password works before the invitation is used.
    CHECK(call("POST", "/api/v1/auth/login", {}, {{"email", "new@team.example"}, {"password", "!invited"}}).status == 401);

    CHECK(worker->run_once() == 1);
    const auto got = sink.wait_for_messages(1);
    REQUIRE(got.size() == 1);
    CHECK(got[0]["rcpt_tos"] == nlohmann::json::array({"new@team.example"}));
    CHECK(got[0]["subject"] == "Il tuo account Helpline");  // the inviting admin's language
    const std::string token = invitation_token(got[0]);
    // Only its hash is kept: the sent message no longer holds the token.
    for (std::int64_t id = 1; id < 10; ++id)
        if (auto row = store().outbox_mail(id)) CHECK(row->data.find(token) == std::string::npos);

    auto shown = call("GET", "/api/v1/invitations/" + token);
    REQUIRE(shown.status == 200);
    CHECK(shown.json["email"] == "new@team.example");
    CHECK(shown.json["name"] == "Nina");

    auto short_one = call("POST", "/api/v1/invitations/" + token, {}, {{"password", "too short"}});
    CHECK(short_one.status == 422);
    CHECK(short_one.json["errors"][0]["field"] == "password");

    auto common = call("POST", "/api/v1/invitations/" + token, {}, {{"password", "Unbelievable"}});
    CHECK(common.status == 422);  // on the list of common passwords (password_rules.h)
    CHECK(common.json["errors"][0]["field"] == "password");

    // Blanks at the ends are trimmed, as sign-in trims them: the password works as typed.
    auto set = call("POST", "/api/v1/invitations/" + token, {}, {{"password", " a long enough passphrase "}});
    REQUIRE(set.status == 200);
    CHECK(set.json["email"] == "new@team.example");
    CHECK(call("POST", "/api/v1/auth/login", {}, {{"email", "new@team.example"}, {"password", "a long enough passphrase"}})
              .status == 200);
    CHECK(call("POST", "/api/v1/auth/login", {}, {{"email", "new@team.example"}, {"password", " a long enough passphrase "}})
              .status == 200);

    auto again = call("POST", "/api/v1/invitations/" + token, {}, {{"password", "another long passphrase"}});
    CHECK(again.status == 410);
    CHECK(again.json["code"] == "invitation_used");
    CHECK(call("GET", "/api/v1/invitations/" + token).status == 410);
}

TEST_CASE_METHOD(MailFixture, "an invitation expires after 48 hours") {
    const auto admin = member("boss@team.example", Role::admin, {}, false);
    REQUIRE(call("POST", "/api/v1/users", admin, {{"email", "late@team.example"}, {"name", "Late"}}).status == 201);
    CHECK(worker->run_once() == 1);
    const std::string token = invitation_token(sink.wait_for_messages(1).at(0));
    clock.advance(std::chrono::hours(47));
    CHECK(call("GET", "/api/v1/invitations/" + token).status == 200);
    clock.advance(std::chrono::hours(1));
    auto expired = call("POST", "/api/v1/invitations/" + token, {}, {{"password", "a long enough passphrase"}});
    CHECK(expired.status == 410);
    CHECK(expired.json["code"] == "invitation_expired");
}

TEST_CASE_METHOD(MailFixture, "unknown invitation links are 404 and guessing is rate-limited like sign-in") {
    config.login_attempts_per_minute = 3;
    for (int i = 0; i < 3; ++i) {
        auto r = call("GET", "/api/v1/invitations/not-a-token-" + std::to_string(i));
        CHECK(r.status == 404);
        CHECK(r.json["code"] == "invitation_unknown");
    }
    auto limited = call("POST", "/api/v1/invitations/another", {}, {{"password", "a long enough passphrase"}});
    CHECK(limited.status == 429);
    CHECK_FALSE(limited.raw.headers.empty());
}

TEST_CASE_METHOD(MailFixture, "an admin who gives a password makes the user at once, with no invitation") {
    const auto admin = member("boss@team.example", Role::admin, {}, false);
    auto made = call("POST", "/api/v1/users", admin,
                     {{"email", "direct@team.example"}, {"name", "Direct"}, {"password", "a long enough passphrase"}});
    REQUIRE(made.status == 201);
    CHECK_FALSE(made.json.contains("invitation_sent"));
    CHECK(worker->run_once() == 0);
}

}  // namespace helpline::server::test
