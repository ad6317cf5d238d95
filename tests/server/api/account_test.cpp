// One's own account: the account's view, notifications and language, the password (its
// rules, and the other sessions ending), the sessions list and signing out elsewhere.
#include "server/api/password_rules.h"
#include "server/api/user_agent.h"
#include "tests/server/api/api_fixture.h"

using namespace helpline::server;
using helpline::server::test::ApiFixture;
using helpline::server::test::Reply;

namespace {

constexpr const char* kPassword = "correct horse battery";
constexpr const char* kChrome =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
    "Safari/537.36";
constexpr const char* kFirefox =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0";

struct Account : ApiFixture {
    Account() { (void)user("ana@team.example", Role::operator_, {}, &ana); }

    /// Signs in from `address` with `agent`; the session token.
    std::string sign_in(const std::string& agent, const std::string& address,
                        const std::string& password = kPassword) {
        peer = address;
        auto r =
            call("POST", "/api/v1/auth/login", {},
                 {{"email", "ana@team.example"}, {"password", password}}, {{"User-Agent", agent}});
        REQUIRE(r.status == 200);
        return r.json["token"];
    }
    Reply change(const std::string& token, const std::string& current, const std::string& fresh) {
        return call("POST", "/api/v1/account/password", token,
                    {{"current", current}, {"new", fresh}});
    }

    UserId ana = 0;
};

}  // namespace

TEST_CASE("browsers are named the way people call them") {
    CHECK(browser_summary(kChrome) == "Chrome on Linux");
    CHECK(browser_summary(kFirefox) == "Firefox on Windows");
    CHECK(
        browser_summary(
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.2 Safari/605.1.15") == "Safari on macOS");
    CHECK(browser_summary(
              "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0") == "Edge on Windows");
    CHECK(browser_summary(
              "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
              "like Gecko) Version/17.2 Mobile/15E148 Safari/604.1") == "Safari on iOS");
    CHECK(browser_summary(
              "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/120.0.0.0 Mobile Safari/537.36") == "Chrome on Android");
    CHECK(browser_summary("curl/7.88.1") == "curl");
    CHECK(browser_summary("") == "Unknown browser");
}

TEST_CASE("passwords: at least 12 characters, and none of the common ones whatever the case") {
    REQUIRE(common_password_count() == 10000);
    CHECK(password_problem("short-pw").value_or("").find("at least 12 characters") !=
          std::string::npos);
    CHECK(password_problem("ünïcödé-çhä").has_value());  // 11 characters, more bytes
    CHECK_FALSE(password_problem("ünïcödé-çhär"));       // 12 characters
    CHECK(password_problem("qwertyuiop").has_value());
    CHECK(password_problem("1q2w3e4r5t").has_value());
    for (const char* common : {"masterbating", "unbelievable", "Contortionist", "SCANDINAVIAN"}) {
        INFO(common);
        CHECK(password_problem(common).value_or("").find("most common passwords") !=
              std::string::npos);
    }
    CHECK_FALSE(password_problem("correct horse battery"));
    CHECK(common_passwords_file().filename() == "common-passwords.txt");
}

TEST_CASE_METHOD(
    Account,
    "the account: the user with two-factor, notifications and language, and the sessions") {
    const std::string chrome = sign_in(kChrome, "198.51.100.7");
    clock.advance(std::chrono::seconds(120));
    const std::string firefox = sign_in(kFirefox, "203.0.113.9");
    clock.advance(std::chrono::seconds(90));
    auto r = call("GET", "/api/v1/account", chrome);
    REQUIRE(r.status == 200);
    CHECK(r.json["user"]["email"] == "ana@team.example");
    CHECK(r.json["user"]["two_factor"] == false);
    CHECK(r.json["user"]["notify_email"] == false);
    CHECK(r.json["user"]["language"] == "en");
    CHECK(r.json["team_requires_two_factor"] == false);
    const auto& sessions = r.json["sessions"];
    REQUIRE(sessions.size() == 3);  // and the fixture's own
    // Most recently seen first: the Chrome one made this request just now.
    CHECK(sessions[0]["browser"] == "Chrome on Linux");
    CHECK(sessions[0]["address"] == "198.51.100.7");
    CHECK(sessions[0]["current"] == true);
    CHECK(sessions[0]["last_seen_at"] == format_time(clock.now()));
    CHECK(sessions[1]["browser"] == "Firefox on Windows");
    CHECK(sessions[1]["address"] == "203.0.113.9");
    CHECK(sessions[1]["current"] == false);
    CHECK(sessions[0]["id"] != sessions[1]["id"]);
    CHECK(sessions[0]["id"].get<std::string>().size() == 16);
    (void)firefox;
}

TEST_CASE_METHOD(Account, "last seen moves at most once a minute per session") {
    const std::string token = sign_in(kChrome, "198.51.100.7");
    const std::string hash = sha256_hex(token);
    const Timestamp start = clock.now();
    clock.advance(std::chrono::seconds(30));
    CHECK(call("GET", "/api/v1/auth/me", token).status == 200);
    CHECK(store().session(hash)->last_seen_at == start);  // under a minute: not written
    clock.advance(std::chrono::seconds(31));
    CHECK(call("GET", "/api/v1/auth/me", token).status == 200);
    CHECK(store().session(hash)->last_seen_at == start + 61);
    clock.advance(std::chrono::seconds(59));
    CHECK(call("GET", "/api/v1/auth/me", token).status == 200);
    CHECK(store().session(hash)->last_seen_at == start + 61);
}

TEST_CASE_METHOD(Account, "notifications and language are the user's own to change") {
    const std::string token = sign_in(kChrome, "198.51.100.7");
    auto r =
        call("PATCH", "/api/v1/account", token, {{"notify_email", true}, {"language", "pt_BR"}});
    REQUIRE(r.status == 200);
    CHECK(r.json["user"]["notify_email"] == true);
    CHECK(r.json["user"]["language"] == "pt_BR");
    CHECK(store().user(ana)->language == "pt_BR");
    CHECK(store().user(ana)->notify_email);

    auto bad = call("PATCH", "/api/v1/account", token, {{"language", "fr"}});
    CHECK(bad.status == 400);
    CHECK(bad.json["errors"][0]["field"] == "language");
    CHECK(call("PATCH", "/api/v1/account", token, {{"role", "admin"}}).status ==
          400);  // not one's own to set
    CHECK(store().user(ana)->role == Role::operator_);
    CHECK(call("PATCH", "/api/v1/account", {}, {{"language", "it"}}).status == 401);
}

TEST_CASE_METHOD(
    Account,
    "changing the password takes the current one, follows the rules and ends the other sessions") {
    const std::string here = sign_in(kChrome, "198.51.100.7");
    const std::string elsewhere = sign_in(kFirefox, "203.0.113.9");

    auto wrong = change(here, "not my password", "a new and long passphrase");
    CHECK(wrong.status == 422);
    CHECK(wrong.json["errors"][0]["field"] == "current");
    auto short_one = change(here, kPassword, "tooshort");
    CHECK(short_one.status == 422);
    CHECK(short_one.json["errors"][0]["field"] == "password");
    CHECK(short_one.json["errors"][0]["message"].get<std::string>().find(
              "at least 12 characters") != std::string::npos);
    auto common = change(here, kPassword, "Unbelievable");
    CHECK(common.status == 422);
    CHECK(common.json["errors"][0]["message"].get<std::string>().find("most common") !=
          std::string::npos);
    CHECK(call("GET", "/api/v1/auth/me", elsewhere).status == 200);  // nothing changed yet

    CHECK(change(here, kPassword, "a new and long passphrase").status == 204);
    CHECK(call("GET", "/api/v1/auth/me", here).status == 200);
    CHECK(call("GET", "/api/v1/auth/me", elsewhere).status == 401);
    CHECK(call("POST", "/api/v1/auth/login", {},
               {{"email", "ana@team.example"}, {"password", kPassword}})
              .status == 401);
    CHECK(sign_in(kChrome, "198.51.100.7", "a new and long passphrase").size() > 0);
}

TEST_CASE_METHOD(Account, "signing out everywhere else keeps only this session") {
    const std::string here = sign_in(kChrome, "198.51.100.7");
    const std::string there = sign_in(kFirefox, "203.0.113.9");
    const std::string boss = user("boss@team.example", Role::admin);
    auto r = call("POST", "/api/v1/account/sessions/sign-out-others", here);
    REQUIRE(r.status == 200);
    CHECK(r.json["signed_out"] == 2);  // the Firefox one and the fixture's
    CHECK(call("GET", "/api/v1/auth/me", here).status == 200);
    CHECK(call("GET", "/api/v1/auth/me", there).status == 401);
    CHECK(call("GET", "/api/v1/auth/me", boss).status == 200);  // another user's are not touched
    auto sessions = call("GET", "/api/v1/account", here).json["sessions"];
    REQUIRE(sessions.size() == 1);
    CHECK(sessions[0]["current"] == true);
}

TEST_CASE_METHOD(Account, "the users list says who has two-factor on") {
    const std::string boss = user("boss@team.example", Role::admin);
    auto users = call("GET", "/api/v1/users", boss).json["users"];
    REQUIRE(users.size() == 2);
    for (const auto& u : users) CHECK(u["two_factor"] == false);
}
