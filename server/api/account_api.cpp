// A user's own account (docs/protocol.md, "Operator accounts"): what the account page
// shows and changes — notifications, language, password, and the user's sessions.
#include <algorithm>
#include <array>

#include "server/api/body_reader.h"
#include "server/api/handlers.h"
#include "server/api/password_rules.h"
#include "server/api/secrets.h"
#include "server/api/services.h"
#include "server/api/sign_in.h"
#include "server/api/user_agent.h"

namespace helpline::server::api {
namespace {

constexpr std::array<std::string_view, 4> kLanguages = {"en", "pt", "pt_BR", "it"};

nlohmann::json account_user_json(const User& u, Context& ctx) {
    const auto state = ctx.store.two_factor(u.id);
    return {{"id", u.id},
            {"email", u.email},
            {"name", u.name},
            {"role", to_string(u.role)},
            {"groups", ctx.store.groups_of(u.id)},
            {"two_factor", u.two_factor},
            {"recovery_codes_left", u.two_factor && state ? state->recovery_codes_left : 0},
            {"notify_email", u.notify_email},
            {"language", u.language}};
}

/// A session's id for the account page: derived from its token's hash, so the page can
/// name it without holding anything that opens it.
std::string session_id(const OperatorSession& s) {
    return sha256_hex(s.token_hash).substr(0, 16);
}

/// The user as stored now: the principal's copy was read before this request's checks.
std::optional<User> current_user(const Principal& who, Context& ctx) {
    return ctx.store.user(who.user->id);
}

}  // namespace

http::Response get_account(const http::Request&, const Principal& who, Context& ctx) {
    nlohmann::json sessions = nlohmann::json::array();
    for (const OperatorSession& s : ctx.store.user_sessions(who.user->id, ctx.clock.now())) {
        sessions.push_back({{"id", session_id(s)},
                            {"browser", browser_summary(s.user_agent)},
                            {"address", s.address},
                            {"signed_in_at", format_time(s.created_at)},
                            {"last_seen_at", format_time(s.last_seen_at)},
                            {"current", s.token_hash == who.session_token_hash}});
    }
    return json_response(200, {{"user", account_user_json(*who.user, ctx)},
                               {"team_requires_two_factor", two_factor_required(ctx)},
                               {"sessions", sessions}});
}

http::Response patch_account(const http::Request& req, const Principal& who, Context& ctx) {
    BodyReader body(req, {"notify_email", "language"});
    if (body.failure()) return *body.failure();
    auto notify = body.boolean("notify_email", Need::optional);
    auto language = body.string("language", Need::optional, 10);
    if (language && std::find(kLanguages.begin(), kLanguages.end(), *language) == kLanguages.end())
        body.error("language", "must be one of en, pt, pt_BR, it");
    if (!body.ok()) return body.problem();
    auto u = current_user(who, ctx);
    if (!u) return unauthorized("Your account no longer exists.");
    if (notify) u->notify_email = *notify;
    if (language) u->language = *language;
    if (auto s = ctx.store.update_user(*u); !s)
        return http::problem(500, "Could not store the change; try again.");
    audit(ctx, who.actor(), "account-updated", {}, {}, {}, body.json());
    if (notify) refresh_consoles(ctx);  // admins' user lists show notifications on or off
    return json_response(200, {{"user", account_user_json(*u, ctx)}});
}

http::Response change_password(const http::Request& req, const Principal& who, Context& ctx) {
    BodyReader body(req, {"current", "new"});
    if (body.failure()) return *body.failure();
    auto current = body.string("current", Need::required, 1024);
    auto fresh = body.string("new", Need::required, 1024);
    if (!body.ok()) return body.problem();
    if (auto limited = sign_in_limited(req, ctx, who.user->email)) return std::move(*limited);
    auto u = current_user(who, ctx);
    if (!u) return unauthorized("Your account no longer exists.");
    if (!verify_password(u->password_hash, *current))
        return http::problem(
            422, "The current password is wrong: type the password you signed in with.",
            {{"current", "is not your current password"}}, "urn:helpline:problem:validation");
    if (auto refused = refuse_password(*fresh)) return std::move(*refused);
    u->password_hash = hash_password(*fresh);
    if (auto s = ctx.store.update_user(*u); !s)
        return http::problem(500, "Could not store the new password; try again.");
    (void)ctx.store.delete_user_sessions_except(u->id, who.session_token_hash);
    audit(ctx, who.actor(), "password-changed", {}, {}, {}, {{"user_id", u->id}});
    refresh_consoles(ctx);  // the other sessions' streams end
    return no_content();
}

http::Response sign_out_others(const http::Request&, const Principal& who, Context& ctx) {
    const auto before = ctx.store.user_sessions(who.user->id, ctx.clock.now()).size();
    if (auto s = ctx.store.delete_user_sessions_except(who.user->id, who.session_token_hash); !s)
        return http::problem(500, "Could not end the other sessions; try again.");
    const auto ended = before > 0 ? before - 1 : 0;
    audit(ctx, who.actor(), "signed-out-others", {}, {}, {}, {{"sessions", ended}});
    refresh_consoles(ctx);
    return json_response(200, {{"signed_out", ended}});
}

}  // namespace helpline::server::api
