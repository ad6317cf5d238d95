// Sign-in, sessions, cookies with CSRF, and who may call what.
#include "tests/server/api/api_fixture.h"

using namespace helpline::server;
using helpline::server::test::ApiFixture;
using helpline::server::test::Reply;

namespace {

struct Accounts : ApiFixture {
    Accounts() {
        User u;
        u.email = "ana@team.example";
        u.name = "Ana";
        u.role = Role::operator_;
        u.password_hash = hash_password("correct horse battery");
        u.created_at = clock.now();
        ana = store().add_user(u).value().id;
    }
    Reply login(const std::string& email, const std::string& password) {
        return call("POST", "/api/v1/auth/login", {}, {{"email", email}, {"password", password}});
    }
    UserId ana = 0;
};

std::string cookie_of(const Reply& r) {
    for (const auto& [n, v] : r.raw.headers)
        if (n == "Set-Cookie") return v.substr(0, v.find(';'));
    return {};
}

}  // namespace

TEST_CASE_METHOD(Accounts, "signing in returns a token and a CSRF token and an HttpOnly cookie") {
    auto r = login("ANA@team.example", "correct horse battery");
    REQUIRE(r.status == 200);
    CHECK(r.json["user"]["name"] == "Ana");
    const std::string token = r.json["token"];
    CHECK(call("GET", "/api/v1/auth/me", token).status == 200);
    bool http_only = false;
    for (const auto& [n, v] : r.raw.headers)
        if (n == "Set-Cookie") http_only = v.find("HttpOnly") != std::string::npos && v.find("SameSite=Strict") != std::string::npos;
    CHECK(http_only);
}

TEST_CASE_METHOD(Accounts, "a wrong password or unknown email gets the same 401") {
    auto wrong = login("ana@team.example", "nope");
    auto unknown = login("zed@team.example", "nope");
    CHECK(wrong.status == 401);
    CHECK(unknown.status == 401);
    CHECK(wrong.json["detail"] == unknown.json["detail"]);
}

TEST_CASE_METHOD(Accounts, "sign-in attempts are rate-limited") {
    config.login_attempts_per_minute = 3;
    for (int i = 0; i < 3; ++i) CHECK(login("ana@team.example", "nope").status == 401);
    auto limited = login("ana@team.example", "correct horse battery");
    CHECK(limited.status == 429);
    clock.advance(std::chrono::seconds(61));
    CHECK(login("ana@team.example", "correct horse battery").status == 200);
}

TEST_CASE_METHOD(Accounts, "the sign-in limit counts per email across addresses") {
    config.login_attempts_per_minute = 3;
    for (const char* address : {"198.51.100.1", "198.51.100.2", "198.51.100.3"}) {
        peer = address;
        CHECK(login("ana@team.example", "nope").status == 401);
    }
    peer = "198.51.100.4";  // a fresh address: only the email's allowance is used up
    CHECK(login("ANA@team.example", "correct horse battery").status == 429);
    CHECK(login("zed@team.example", "nope").status == 401);
}

TEST_CASE_METHOD(Accounts, "the sign-in limit counts per address across emails") {
    config.login_attempts_per_minute = 3;
    peer = "198.51.100.1";
    for (const char* email : {"a@team.example", "b@team.example", "c@team.example"})
        CHECK(login(email, "nope").status == 401);
    // A fresh email from the same address: only the address's allowance is used up.
    CHECK(login("ana@team.example", "correct horse battery").status == 429);
    peer = "198.51.100.2";
    CHECK(login("ana@team.example", "correct horse battery").status == 200);
}

TEST_CASE_METHOD(Accounts, "cookie sessions need the CSRF header for changes but not for reads") {
    auto r = login("ana@team.example", "correct horse battery");
    const std::string cookie = cookie_of(r);
    const std::string csrf = r.json["csrf_token"];
    CHECK(call("GET", "/api/v1/queue", {}, nullptr, {{"Cookie", cookie}}).status == 200);
    CHECK(call("POST", "/api/v1/auth/logout", {}, nullptr, {{"Cookie", cookie}}).status == 403);
    CHECK(call("POST", "/api/v1/auth/logout", {}, nullptr, {{"Cookie", cookie}, {"X-CSRF-Token", "wrong"}}).status == 403);
    CHECK(call("POST", "/api/v1/auth/logout", {}, nullptr, {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}).status == 204);
    CHECK(call("GET", "/api/v1/queue", {}, nullptr, {{"Cookie", cookie}}).status == 401);
}

TEST_CASE_METHOD(Accounts, "sessions end with logout and expiry and disabling the user") {
    const std::string t1 = login("ana@team.example", "correct horse battery").json["token"];
    CHECK(call("POST", "/api/v1/auth/logout", t1).status == 204);
    CHECK(call("GET", "/api/v1/queue", t1).status == 401);

    const std::string t2 = login("ana@team.example", "correct horse battery").json["token"];
    clock.advance(config.session_ttl + std::chrono::seconds(1));
    CHECK(call("GET", "/api/v1/queue", t2).status == 401);

    clock.advance(std::chrono::seconds(60));
    const std::string t3 = login("ana@team.example", "correct horse battery").json["token"];
    auto u = store().user(ana);
    u->disabled = true;
    REQUIRE(store().update_user(*u).ok());
    CHECK(call("GET", "/api/v1/queue", t3).status == 401);
    CHECK(login("ana@team.example", "correct horse battery").status == 401);
}

TEST_CASE_METHOD(Accounts, "an unknown bearer token is refused rather than treated as anonymous") {
    CHECK(call("POST", "/api/v1/devices", "made-up-token", {{"profile_id", "demo"}}).status == 401);
}
