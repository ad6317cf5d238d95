// Operator accounts on the real server: two-factor sign-in over HTTP with a code from
// liboath at the real time, and the shell's way back in for a locked-out user
// (`user disable-2fa`, `user reset-password`), audited as `cli`.

#include <catch2/catch.hpp>
#include <chrono>

#include "tests/server/e2e/e2e_fixture.h"
#include "tests/support/totp_codes.h"

namespace helpline::test::e2e {
namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string after(const std::string& text, const std::string& label) {
    const auto at = text.find(label);
    if (at == std::string::npos) return {};
    const auto begin = at + label.size();
    return text.substr(begin, text.find('\n', begin) - begin);
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

CurlResponse login(const Team& team, const std::string& email, const std::string& password) {
    return team.call("POST", "/api/v1/auth/login", {},
                     Json{{"email", email}, {"password", password}});
}

/// Turns two-factor on for the user of `token`; the recovery codes.
std::vector<std::string> enable_two_factor(const Team& team, const std::string& token) {
    const auto setup = team.call("POST", "/api/v1/account/two-factor/setup", token);
    REQUIRE(setup.status == 200);
    const std::string secret = body_json(setup).at("secret");
    const auto confirmed = team.call("POST", "/api/v1/account/two-factor/confirm", token,
                                     Json{{"code", totp_code_at(secret, unix_now())}});
    INFO(confirmed.body);
    REQUIRE(confirmed.status == 200);
    return body_json(confirmed).at("recovery_codes").get<std::vector<std::string>>();
}

bool audited(const Team& team, const std::string& action) {
    const Json page =
        body_json(team.call("GET", "/api/v1/audit?actor=cli&action=" + action, team.admin_token()));
    return !page.at("entries").empty();
}

}  // namespace

TEST_CASE("two-factor sign-in over HTTP, and user disable-2fa turns it off from the shell") {
    Team team;
    team.add_user("olga@team.example", "Olga", "olga-long-password");
    const std::string token = team.login("olga@team.example", "olga-long-password");
    const auto codes = enable_two_factor(team, token);
    REQUIRE(codes.size() == 10);

    const auto first = login(team, "olga@team.example", "olga-long-password");
    REQUIRE(first.status == 200);
    const Json challenge = body_json(first);
    CHECK(challenge.at("two_factor_required") == true);
    CHECK(challenge.count("token") == 0);
    const auto second =
        team.call("POST", "/api/v1/auth/login/two-factor", {},
                  Json{{"challenge", challenge.at("challenge")}, {"recovery_code", codes[0]}});
    REQUIRE(second.status == 200);
    CHECK(body_json(second).at("recovery_codes_left") == 9);
    CHECK(contains(second.header("set-cookie"), "helpline_session="));

    auto& server = team.server();
    const auto off = server.admin({"user", "disable-2fa", "--email", "olga@team.example"});
    INFO(off.out << off.err);
    CHECK(off.exit_code == 0);
    CHECK(contains(off.out, "Turned two-factor sign-in off for olga@team.example"));
    const auto direct = login(team, "olga@team.example", "olga-long-password");
    CHECK(body_json(direct).count("token") == 1);  // the password alone again
    CHECK(audited(team, "two-factor-disabled"));

    const auto again = server.admin({"user", "disable-2fa", "--email", "olga@team.example"});
    CHECK(again.exit_code == 0);
    CHECK(contains(again.out, "has no two-factor sign-in; nothing was changed"));
    const auto unknown = server.admin({"user", "disable-2fa", "--email", "nobody@team.example"});
    CHECK(unknown.exit_code == 1);
    CHECK(contains(unknown.err, "there is no user with the email nobody@team.example."));
}

TEST_CASE("user reset-password prints a one-time password and ends the user's sessions") {
    Team team;
    team.add_user("pia@team.example", "Pia", "pia-long-password", "admin");
    const std::string token = team.login("pia@team.example", "pia-long-password");

    auto& server = team.server();
    const auto reset = server.admin({"user", "reset-password", "--email", "pia@team.example"});
    INFO(reset.out << reset.err);
    REQUIRE(reset.exit_code == 0);
    const std::string password = after(reset.out, "One-time password: ");
    REQUIRE(password.size() == 19);
    CHECK(team.call("GET", "/api/v1/auth/me", token).status == 401);  // signed out at once
    CHECK(login(team, "pia@team.example", "pia-long-password").status == 401);
    const std::string fresh = team.login("pia@team.example", password);
    CHECK(audited(team, "password-reset"));

    // The one-time password is then changed for one that follows the rules.
    const auto weak = team.call("POST", "/api/v1/account/password", fresh,
                                Json{{"current", password}, {"new", "unbelievable"}});
    CHECK(weak.status == 422);
    CHECK(problem_fields(weak) == std::vector<std::string>{"password"});
    CHECK(team.call("POST", "/api/v1/account/password", fresh,
                    Json{{"current", password}, {"new", "a phrase only pia knows"}})
              .status == 204);

    const auto unknown = server.admin({"user", "reset-password", "--email", "nobody@team.example"});
    CHECK(unknown.exit_code == 1);
    CHECK(contains(unknown.err, "there is no user with the email nobody@team.example."));
}

TEST_CASE("user add --password-stdin follows the password rules") {
    Team team;
    auto& server = team.server();
    const auto common = server.admin(
        {"user", "add", "--email", "quin@team.example", "--name", "Quin", "--password-stdin"},
        "Unbelievable\n");
    CHECK(common.exit_code == 1);
    CHECK(contains(common.err, "is one of the most common passwords"));
    const auto good = server.admin(
        {"user", "add", "--email", "quin@team.example", "--name", "Quin", "--password-stdin"},
        "quin's own phrase\n");
    CHECK(good.exit_code == 0);
    CHECK(team.login("quin@team.example", "quin's own phrase").size() > 0);
}

}  // namespace helpline::test::e2e
