// Two-factor sign-in: setup and confirmation, the code step of a sign-in, single-use codes,
// the sign-in limit, recovery codes, disabling, and the team-wide requirement. Codes are
// computed with liboath at the manual clock's time, as an authenticator app would.
#include "server/api/totp.h"
#include "tests/server/api/api_fixture.h"
#include "tests/support/totp_codes.h"

using namespace helpline::server;
using helpline::server::test::ApiFixture;
using helpline::server::test::Reply;
using helpline::test::totp_code_at;

namespace {

constexpr const char* kPassword = "correct horse battery";

struct TwoFactor : ApiFixture {
    TwoFactor() { ana_token = user("ana@team.example", Role::operator_, {}, &ana); }

    Reply login(const std::string& email = "ana@team.example",
                const std::string& password = kPassword) {
        return call("POST", "/api/v1/auth/login", {}, {{"email", email}, {"password", password}});
    }
    Reply second_step(const std::string& challenge, const nlohmann::json& code) {
        nlohmann::json body = code;
        body["challenge"] = challenge;
        return call("POST", "/api/v1/auth/login/two-factor", {}, body);
    }
    /// Turns two-factor on for the user of `token`; the secret, and the recovery codes.
    std::string enable(const std::string& token, std::vector<std::string>* recovery = nullptr) {
        auto setup = call("POST", "/api/v1/account/two-factor/setup", token);
        REQUIRE(setup.status == 200);
        const std::string secret = setup.json["secret"];
        auto confirmed = call("POST", "/api/v1/account/two-factor/confirm", token,
                              {{"code", totp_code_at(secret, clock.now())}});
        REQUIRE(confirmed.status == 200);
        if (recovery) *recovery = confirmed.json["recovery_codes"].get<std::vector<std::string>>();
        return secret;
    }
    std::string code(const std::string& secret) { return totp_code_at(secret, clock.now()); }
    /// The next 30-second step: a fresh code.
    void next_step() { clock.advance(std::chrono::seconds(30)); }

    UserId ana = 0;
    std::string ana_token;
};

}  // namespace

TEST_CASE("TOTP codes match RFC 6238's SHA-1 test vectors (last six digits)") {
    // The RFC's secret is the ASCII "12345678901234567890".
    const std::string secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    CHECK(totp_code(secret, totp_step(59)) == "287082");
    CHECK(totp_code(secret, totp_step(1111111109)) == "081804");
    CHECK(totp_code(secret, totp_step(1111111111)) == "050471");
    CHECK(totp_code(secret, totp_step(1234567890)) == "005924");
    CHECK(totp_code(secret, totp_step(2000000000)) == "279037");
    CHECK(totp_code("not base32!", 1).empty());
}

TEST_CASE("a code matches within one step either way, and not at or before the last used step") {
    const std::string secret = new_totp_secret();
    REQUIRE(secret.size() == 32);
    const Timestamp now = 1'780'000'000;
    const std::int64_t step = totp_step(now);
    CHECK(match_totp(secret, totp_code_at(secret, now), now, 0) == step);
    CHECK(match_totp(secret, totp_code_at(secret, now - 30), now, 0) == step - 1);
    CHECK(match_totp(secret, totp_code_at(secret, now + 30), now, 0) == step + 1);
    CHECK_FALSE(match_totp(secret, totp_code_at(secret, now - 90), now, 0));
    CHECK_FALSE(match_totp(secret, totp_code_at(secret, now), now, step));
    const std::string spaced = totp_code_at(secret, now).insert(3, " ");
    CHECK(match_totp(secret, spaced, now, 0) == step);
    CHECK_FALSE(match_totp(secret, "12345", now, 0));
}

TEST_CASE("the otpauth URI names the issuer and the account, percent-encoded") {
    CHECK(otpauth_uri("Demo Support", "ana@team.example", "ABC") ==
          "otpauth://totp/"
          "Demo%20Support:ana@team.example?secret=ABC&issuer=Demo%20Support&algorithm=SHA1&digits=6"
          "&period=30");
}

TEST_CASE_METHOD(
    TwoFactor,
    "setting up two-factor: a secret and URI, confirmed with a first code, ten recovery codes") {
    auto setup = call("POST", "/api/v1/account/two-factor/setup", ana_token);
    REQUIRE(setup.status == 200);
    const std::string secret = setup.json["secret"];
    CHECK(setup.json["otpauth_uri"] == "otpauth://totp/Helpline:ana@team.example?secret=" + secret +
                                           "&issuer=Helpline&algorithm=SHA1&digits=6&period=30");
    // Not on until confirmed: signing in still takes the password alone.
    CHECK(login().json.contains("token"));

    auto wrong =
        call("POST", "/api/v1/account/two-factor/confirm", ana_token, {{"code", "000000"}});
    CHECK(wrong.status == 422);
    CHECK(wrong.json["errors"][0]["field"] == "code");
    CHECK_FALSE(store().user(ana)->two_factor);

    auto confirmed =
        call("POST", "/api/v1/account/two-factor/confirm", ana_token, {{"code", code(secret)}});
    REQUIRE(confirmed.status == 200);
    const auto codes = confirmed.json["recovery_codes"].get<std::vector<std::string>>();
    CHECK(codes.size() == 10);
    CHECK(std::set<std::string>(codes.begin(), codes.end()).size() == 10);
    CHECK(store().user(ana)->two_factor);
    CHECK(store().two_factor(ana)->recovery_codes_left == 10);
    // Stored hashed: no code appears in the database as it was shown.
    const std::string db = database_text();
    for (const auto& c : codes) CHECK(db.find(c) == std::string::npos);

    auto again =
        call("POST", "/api/v1/account/two-factor/confirm", ana_token, {{"code", code(secret)}});
    CHECK(again.status == 409);
    CHECK(again.json["code"] == "two_factor_not_set_up");

    auto account = call("GET", "/api/v1/account", ana_token);
    CHECK(account.json["user"]["two_factor"] == true);
    CHECK(account.json["user"]["recovery_codes_left"] == 10);
}

TEST_CASE_METHOD(TwoFactor,
                 "the otpauth URI's issuer is the team's name from its published profile") {
    group("helpdesk");
    group("billing");
    REQUIRE(publish_profile(1) == 201);
    auto setup = call("POST", "/api/v1/account/two-factor/setup", ana_token);
    const std::string uri = setup.json["otpauth_uri"];
    CHECK(uri.rfind("otpauth://totp/Demo%20Support:ana@team.example?", 0) == 0);
}

TEST_CASE_METHOD(TwoFactor,
                 "signing in with two-factor: the password gives a challenge, the code a session") {
    const std::string secret = enable(ana_token);
    next_step();
    auto first = login();
    REQUIRE(first.status == 200);
    CHECK(first.json["two_factor_required"] == true);
    CHECK_FALSE(first.json.contains("token"));
    const std::string challenge = first.json["challenge"];
    for (const auto& [n, v] : first.raw.headers) CHECK(n != "Set-Cookie");

    auto signed_in = second_step(challenge, {{"code", code(secret)}});
    REQUIRE(signed_in.status == 200);
    const std::string token = signed_in.json["token"];
    CHECK(call("GET", "/api/v1/queue", token).status == 200);
    CHECK(signed_in.json["user"]["two_factor"] == true);
    // The challenge is spent with the sign-in.
    CHECK(second_step(challenge, {{"code", code(secret)}}).json["code"] ==
          "two_factor_challenge_expired");
}

TEST_CASE_METHOD(TwoFactor, "a code works once: the same code again in its window is refused") {
    const std::string secret = enable(ana_token);
    next_step();
    const std::string now_code = code(secret);
    REQUIRE(second_step(login().json["challenge"], {{"code", now_code}}).status == 200);

    clock.advance(std::chrono::seconds(10));  // still the same window
    auto reused = second_step(login().json["challenge"], {{"code", now_code}});
    CHECK(reused.status == 401);
    CHECK(reused.json["code"] == "two_factor_code_used");
    CHECK_FALSE(reused.json.contains("token"));

    // The confirming code was used too: it does not sign in either.
    next_step();
    CHECK(second_step(login().json["challenge"], {{"code", code(secret)}}).status == 200);
}

TEST_CASE_METHOD(TwoFactor, "wrong codes count toward the sign-in limit") {
    const std::string secret = enable(ana_token);
    next_step();
    config.login_attempts_per_minute = 4;
    const std::string challenge = login().json["challenge"];    // attempt 1
    auto wrong = second_step(challenge, {{"code", "000000"}});  // 2
    CHECK(wrong.status == 401);
    CHECK(wrong.json["code"] == "two_factor_code_wrong");
    CHECK(wrong.json["errors"][0]["field"] == "code");
    CHECK(second_step(challenge, {{"code", "111111"}}).status == 401);  // 3
    CHECK(second_step(challenge, {{"code", "222222"}}).status == 401);  // 4
    auto limited = second_step(challenge, {{"code", code(secret)}});
    CHECK(limited.status == 429);
    CHECK_FALSE(limited.json.contains("token"));
    CHECK(metrics.logins_failed >= 3);

    clock.advance(std::chrono::seconds(61));
    auto again = login();
    REQUIRE(again.status == 200);
    CHECK(second_step(again.json["challenge"], {{"code", code(secret)}}).status == 200);
}

TEST_CASE_METHOD(TwoFactor, "a recovery code signs in once, whatever its case and dashes") {
    std::vector<std::string> codes;
    enable(ana_token, &codes);
    std::string typed = codes[3];
    std::transform(typed.begin(), typed.end(), typed.begin(),
                   [](unsigned char c) { return std::toupper(c); });
    typed.erase(std::remove(typed.begin(), typed.end(), '-'), typed.end());

    auto used = second_step(login().json["challenge"], {{"recovery_code", typed}});
    REQUIRE(used.status == 200);
    CHECK(used.json["recovery_codes_left"] == 9);
    CHECK(call("GET", "/api/v1/auth/me", used.json["token"]).status == 200);

    auto twice = second_step(login().json["challenge"], {{"recovery_code", codes[3]}});
    CHECK(twice.status == 401);
    CHECK(twice.json["errors"][0]["field"] == "recovery_code");
    CHECK(
        second_step(login().json["challenge"], {{"recovery_code", "aaaa-bbbb-cccc-dddd"}}).status ==
        401);
    CHECK(second_step(login().json["challenge"], {{"recovery_code", codes[4]}}).status == 200);
    CHECK(store().two_factor(ana)->recovery_codes_left == 8);
}

TEST_CASE_METHOD(TwoFactor,
                 "the code step wants a live challenge and exactly one of code and recovery code") {
    const std::string secret = enable(ana_token);
    next_step();
    const std::string challenge = login().json["challenge"];
    CHECK(second_step(challenge, nlohmann::json::object()).status == 400);
    CHECK(second_step(challenge, {{"code", code(secret)}, {"recovery_code", "x"}}).status == 400);
    CHECK(second_step("made-up", {{"code", code(secret)}}).json["code"] ==
          "two_factor_challenge_expired");
    clock.advance(std::chrono::seconds(5 * 60));
    auto late = second_step(challenge, {{"code", code(secret)}});
    CHECK(late.status == 401);
    CHECK(late.json["code"] == "two_factor_challenge_expired");
}

TEST_CASE_METHOD(TwoFactor, "turning two-factor off takes the password") {
    const std::string secret = enable(ana_token);
    auto wrong =
        call("DELETE", "/api/v1/account/two-factor", ana_token, {{"password", "not my password"}});
    CHECK(wrong.status == 422);
    CHECK(wrong.json["errors"][0]["field"] == "password");
    CHECK(store().user(ana)->two_factor);
    CHECK(
        call("DELETE", "/api/v1/account/two-factor", ana_token, nlohmann::json::object()).status ==
        400);

    CHECK(
        call("DELETE", "/api/v1/account/two-factor", ana_token, {{"password", kPassword}}).status ==
        204);
    CHECK_FALSE(store().user(ana)->two_factor);
    CHECK(login().json.contains("token"));  // the password alone again
    CHECK(store().two_factor(ana)->recovery_codes_left == 0);
    bool audited = false;
    for (const auto& e : store().audit_log(20))
        audited = audited || e.action == "two-factor-disabled";
    CHECK(audited);
}

TEST_CASE_METHOD(
    TwoFactor, "a team that requires two-factor: setup first, everything else refused until then") {
    const std::string admin = user("boss@team.example", Role::admin);
    CHECK(call("GET", "/api/v1/settings/two-factor", admin).json["required"] == false);
    auto operator_put = call("PUT", "/api/v1/settings/two-factor", ana_token, {{"required", true}});
    CHECK(operator_put.status == 403);
    CHECK(operator_put.json["code"] == "admins_only");
    CHECK(call("PUT", "/api/v1/settings/two-factor", admin, {{"required", "yes"}}).status == 400);
    auto put = call("PUT", "/api/v1/settings/two-factor", admin, {{"required", true}});
    REQUIRE(put.status == 200);
    CHECK(put.json["required"] == true);
    CHECK(store().setting("two_factor_required") == "true");

    // Signing in says what to do first.
    auto signed_in = login();
    REQUIRE(signed_in.status == 200);
    CHECK(signed_in.json["setup_required"] == "two_factor");
    const std::string token = signed_in.json["token"];
    CHECK(call("GET", "/api/v1/auth/me", token).json["setup_required"] == "two_factor");

    // Everything but the account, the setup and signing out answers 403 with a code.
    auto queue = call("GET", "/api/v1/queue", token);
    CHECK(queue.status == 403);
    CHECK(queue.json["code"] == "two_factor_setup_required");
    CHECK(call("GET", "/api/v1/dashboard", token).json["code"] == "two_factor_setup_required");
    CHECK(call("GET", "/api/v1/users", admin).json["code"] ==
          "two_factor_setup_required");  // admins too
    CHECK(call("GET", "/api/v1/account", token).status == 200);
    CHECK(call("PATCH", "/api/v1/account", token, {{"language", "it"}}).status == 200);

    const std::string secret = enable(token);
    CHECK(call("GET", "/api/v1/queue", token).status == 200);
    CHECK_FALSE(call("GET", "/api/v1/auth/me", token).json.contains("setup_required"));
    // Required: it cannot be turned off, only set up again.
    auto off = call("DELETE", "/api/v1/account/two-factor", token, {{"password", kPassword}});
    CHECK(off.status == 409);
    CHECK(off.json["code"] == "two_factor_required");

    // Devices are not users: the requirement does not touch them.
    CHECK(call("GET", "/api/v1/devices/me/tickets", device()).status == 200);
    CHECK(call("POST", "/api/v1/auth/logout",
               call("POST", "/api/v1/auth/login", {},
                    {{"email", "boss@team.example"}, {"password", kPassword}})
                   .json["token"])
              .status == 204);
}
