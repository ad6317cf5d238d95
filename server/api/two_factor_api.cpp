// Two-factor sign-in (docs/protocol.md, "Operator accounts"): setting it up from one's own
// account, the second sign-in step, and the team-wide requirement.
#include "server/api/body_reader.h"
#include "server/api/handlers.h"
#include "server/api/recovery_codes.h"
#include "server/api/secrets.h"
#include "server/api/services.h"
#include "server/api/sign_in.h"
#include "server/api/totp.h"

namespace helpline::server::api {
namespace {

constexpr const char* kRequiredSetting = "two_factor_required";

/// The issuer authenticator apps show next to the code: the team's name, which is the
/// name of its published branding profile (the first by id), else "Helpline".
std::string team_name(Context& ctx) {
    for (const PublishedProfile& p : ctx.store.profiles()) {
        if (const auto profile = published_profile(ctx, p.id);
            profile && !profile->name.get("en").empty())
            return profile->name.get("en");
    }
    return "Helpline";
}

http::Response challenge_expired() {
    return http::coded_problem(
        401, "two_factor_challenge_expired",
        "This sign-in has expired (a code is expected within 5 minutes of the "
        "password): sign in again with your email and password.");
}

}  // namespace

bool two_factor_required(Context& ctx) {
    return ctx.store.setting(kRequiredSetting).value_or("") == "true";
}

bool needs_two_factor_setup(Context& ctx, const User& user) {
    return !user.two_factor && two_factor_required(ctx);
}

http::Response login_two_factor(const http::Request& req, const Principal&, Context& ctx) {
    BodyReader body(req, {"challenge", "code", "recovery_code"});
    if (body.failure()) return *body.failure();
    auto challenge = body.string("challenge", Need::required, 100);
    auto code = body.string("code", Need::optional, 20);
    auto recovery = body.string("recovery_code", Need::optional, 40);
    if (body.ok() && code.has_value() == recovery.has_value())
        body.error(code ? "recovery_code" : "code",
                   "send either a code from the authenticator app or a recovery code");
    if (!body.ok()) return body.problem();

    const std::string challenge_hash = sha256_hex(*challenge);
    const auto pending = ctx.store.login_challenge(challenge_hash);
    const Timestamp now = ctx.clock.now();
    if (!pending || pending->expires_at <= now) return challenge_expired();
    auto user = ctx.store.user(pending->user_id);
    const auto state = user ? ctx.store.two_factor(user->id) : std::nullopt;
    if (!user || user->disabled || !state || !state->secret) {
        (void)ctx.store.delete_login_challenge(challenge_hash);
        return challenge_expired();
    }
    // Every code tried counts toward the same limit as passwords, so a challenge is no
    // way around it.
    if (auto limited = sign_in_limited(req, ctx, user->email)) return std::move(*limited);

    const std::string actor = "user:" + std::to_string(user->id);
    nlohmann::json detail = {{"two_factor", code ? "code" : "recovery_code"}};
    if (code) {
        const auto step = match_totp(*state->secret, *code, now, state->last_step);
        const bool used = !step && match_totp(*state->secret, *code, now, -1).has_value();
        if (step && ctx.store.use_totp_step(user->id, *step)) {
            (void)ctx.store.delete_login_challenge(challenge_hash);
            return start_session(req, ctx, *user, detail);
        }
        ctx.metrics.logins_failed++;
        audit(ctx, actor, "login-failed", {}, {}, {},
              {{"reason", used || step ? "code-reused" : "wrong-code"}});
        if (used || step)
            return http::coded_problem(
                401, "two_factor_code_used",
                "This code was used already: wait for the next one in your authenticator app.",
                {{"code", "was used already; wait for the next one"}});
        return http::coded_problem(
            401, "two_factor_code_wrong",
            "Wrong code: type the 6 digits your authenticator app shows now (check that "
            "the phone's clock is right), or use a recovery code.",
            {{"code", "is not the current code"}});
    }
    if (auto used = ctx.store.use_recovery_code(user->id, recovery_code_hash(*recovery), now);
        !used) {
        ctx.metrics.logins_failed++;
        audit(ctx, actor, "login-failed", {}, {}, {}, {{"reason", "wrong-recovery-code"}});
        return http::coded_problem(
            401, "two_factor_code_wrong",
            "This recovery code is not valid or was used already; each works once.",
            {{"recovery_code", "is not valid or was used already"}});
    }
    (void)ctx.store.delete_login_challenge(challenge_hash);
    const auto after = ctx.store.two_factor(user->id);
    detail["recovery_codes_left"] = after ? after->recovery_codes_left : 0;
    return start_session(req, ctx, *user, detail,
                         {{"recovery_codes_left", detail["recovery_codes_left"]}});
}

http::Response setup_two_factor(const http::Request&, const Principal& who, Context& ctx) {
    const std::string secret = new_totp_secret();
    if (auto s = ctx.store.set_pending_two_factor(who.user->id, secret); !s)
        return http::problem(500, "Could not store the two-factor setup; try again.");
    return json_response(200,
                         {{"secret", secret},
                          {"otpauth_uri", otpauth_uri(team_name(ctx), who.user->email, secret)}});
}

http::Response confirm_two_factor(const http::Request& req, const Principal& who, Context& ctx) {
    BodyReader body(req, {"code"});
    if (body.failure()) return *body.failure();
    auto code = body.string("code", Need::required, 20);
    if (!body.ok()) return body.problem();
    const auto state = ctx.store.two_factor(who.user->id);
    if (!state || !state->pending_secret)
        return http::coded_problem(409, "two_factor_not_set_up",
                                   "There is no two-factor setup to confirm: start it again (POST "
                                   "/api/v1/account/two-factor/setup) and scan the new QR code.");
    const auto step = match_totp(*state->pending_secret, *code, ctx.clock.now(), 0);
    if (!step)
        return http::problem(
            422,
            "The code does not match: type the 6 digits the authenticator app shows for "
            "this account now, and check that the phone's clock is right.",
            {{"code", "does not match the code of the new secret"}},
            "urn:helpline:problem:validation");
    const auto codes = new_recovery_codes();
    std::vector<std::string> hashes;
    for (const auto& c : codes) hashes.push_back(recovery_code_hash(c));
    if (auto s = ctx.store.confirm_two_factor(who.user->id, *state->pending_secret, *step, hashes);
        !s) {
        if (s.error().code == store_error::kStale)
            return http::coded_problem(409, "two_factor_not_set_up", s.error().message);
        return http::problem(500, "Could not turn two-factor sign-in on; try again.");
    }
    audit(ctx, who.actor(), "two-factor-enabled", {}, {}, {}, {{"user_id", who.user->id}});
    refresh_consoles(ctx);  // admins' user lists show it
    return json_response(200, {{"recovery_codes", codes}});
}

http::Response disable_two_factor(const http::Request& req, const Principal& who, Context& ctx) {
    BodyReader body(req, {"password"});
    if (body.failure()) return *body.failure();
    auto password = body.string("password", Need::required, 1024);
    if (!body.ok()) return body.problem();
    if (auto limited = sign_in_limited(req, ctx, who.user->email)) return std::move(*limited);
    if (!verify_password(who.user->password_hash, *password))
        return http::problem(
            422,
            "The password is wrong: type your current password to turn two-factor sign-in off.",
            {{"password", "is not your current password"}}, "urn:helpline:problem:validation");
    if (two_factor_required(ctx))
        return http::coded_problem(
            409, "two_factor_required",
            "Your team requires two-factor sign-in, so it cannot be turned off. To move it "
            "to another phone, set it up again: the new one replaces the old once confirmed.");
    if (auto s = ctx.store.disable_two_factor(who.user->id); !s)
        return http::problem(500, "Could not turn two-factor sign-in off; try again.");
    audit(ctx, who.actor(), "two-factor-disabled", {}, {}, {}, {{"user_id", who.user->id}});
    refresh_consoles(ctx);
    return no_content();
}

http::Response get_two_factor_setting(const http::Request&, const Principal&, Context& ctx) {
    return json_response(200, {{"required", two_factor_required(ctx)}});
}

http::Response put_two_factor_setting(const http::Request& req, const Principal& who,
                                      Context& ctx) {
    BodyReader body(req, {"required"});
    if (body.failure()) return *body.failure();
    auto required = body.boolean("required", Need::required);
    if (!body.ok()) return body.problem();
    if (auto s = ctx.store.set_setting(kRequiredSetting, *required ? "true" : "false"); !s)
        return http::problem(500, "Could not store the setting; try again.");
    audit(ctx, who.actor(), "settings-changed", {}, {}, {}, {{"two_factor_required", *required}});
    refresh_consoles(ctx);
    return json_response(200, {{"required", *required}});
}

}  // namespace helpline::server::api
