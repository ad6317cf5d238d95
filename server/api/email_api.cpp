// Email as admins and invited users see it (docs/protocol.md "Email" and "Invitations"):
// whether the server has an SMTP relay and how its outbox fares, and the single-use
// links new users set their first password with. The sending itself is server/mail/.
#include <nlohmann/json.hpp>

#include "server/api/body_reader.h"
#include "server/api/client_address.h"
#include "server/api/handlers.h"
#include "server/api/password_rules.h"
#include "server/api/secrets.h"
#include "server/api/services.h"

namespace helpline::server::api {
namespace {

/// How long an invitation link works.
constexpr Timestamp kInvitationLifetime = 48 * 3600;

/// What the link's token names, or the answer to give instead: 404 unknown, 410 used or
/// expired (with a code the console explains), 429 over the sign-in rate limit.
std::variant<Invitation, http::Response> invitation_of(const http::Request& req, Context& ctx) {
    // Guessing tokens is as limited as guessing passwords: the same allowance per address.
    int retry = 0;
    if (!ctx.limiter.allow("invitation-ip:" + client_address(req, ctx.config), ctx.config.login_attempts_per_minute,
                           60, retry))
        return http::problem(429, "Too many attempts; wait a minute and try again.")
            .header("Retry-After", std::to_string(retry));
    auto found = ctx.store.invitation(sha256_hex(req.params.at("token")));
    if (!found)
        return http::coded_problem(404, "invitation_unknown",
                                   "This invitation link is not known. Check that it was copied whole, or ask an "
                                   "admin to invite you again.");
    if (found->used_at)
        return http::coded_problem(410, "invitation_used",
                                   "This invitation was already used to set a password: sign in with it, or ask "
                                   "an admin to reset your password.");
    if (found->expires_at <= ctx.clock.now())
        return http::coded_problem(410, "invitation_expired",
                                   "This invitation has expired (links work for 48 hours). Ask an admin to invite "
                                   "you again.");
    return *found;
}

}  // namespace

http::Response get_email(const http::Request&, const Principal&, Context& ctx) {
    const EmailConfig& e = ctx.config.email;
    if (!e.configured())
        return json_response(200, {{"configured", false},
                                   {"relay", nullptr},
                                   {"from", nullptr},
                                   {"public_url", nullptr},
                                   {"failing", 0},
                                   {"queued", 0},
                                   {"last_error", nullptr}});
    const MailSummary s = ctx.store.mail_summary();
    return json_response(200, {{"configured", true},
                               {"relay", e.relay},
                               {"from", e.from},
                               {"public_url", e.public_url},
                               {"failing", s.failing},
                               {"queued", s.queued},
                               {"last_error", s.last_error.empty() ? nlohmann::json() : nlohmann::json(s.last_error)}});
}

Result<User> invite_user(User user, const Principal& who, Context& ctx) {
    const std::string token = random_token(32);
    const Timestamp now = ctx.clock.now();
    const Invitation invitation{sha256_hex(token), 0, now, now + kInvitationLifetime, std::nullopt};
    // Not a password hash: no password matches it, until the invitation sets one.
    user.password_hash = "!invited";
    OutboxMail mail;
    mail.language = who.user ? who.user->language : "en";  // the inviting admin's, until the user picks
    mail.created_at = now;
    mail.data = nlohmann::json{{"name", user.name},
                               {"token", token},
                               {"expires_at", invitation.expires_at},
                               {"by", who.user ? who.user->name : std::string()}}
                    .dump();
    return ctx.store.add_invited_user(user, invitation, mail);
}

http::Response get_invitation(const http::Request& req, const Principal&, Context& ctx) {
    auto found = invitation_of(req, ctx);
    if (auto* r = std::get_if<http::Response>(&found)) return std::move(*r);
    const auto& invitation = std::get<Invitation>(found);
    const auto user = ctx.store.user(invitation.user_id);
    if (!user) return http::coded_problem(404, "invitation_unknown", "The account of this invitation was removed.");
    return json_response(200, {{"email", user->email},
                               {"name", user->name},
                               {"expires_at", format_time(invitation.expires_at)}});
}

http::Response accept_invitation(const http::Request& req, const Principal&, Context& ctx) {
    auto found = invitation_of(req, ctx);
    if (auto* r = std::get_if<http::Response>(&found)) return std::move(*r);
    BodyReader body(req, {"password"});
    if (body.failure()) return *body.failure();
    // Trimmed like every password the API reads (sign-in too), or the password set here
    // with a blank at an end could never sign in.
    auto read = body.string("password", Need::required, 1024);
    if (!read) return body.problem();
    const std::string password = *read;
    if (auto refused = refuse_password(password)) return std::move(*refused);  // the team's rules (password_rules.h)
    const std::string token_hash = std::get<Invitation>(found).token_hash;
    auto accepted = ctx.store.accept_invitation(token_hash, hash_password(password), ctx.clock.now());
    if (!accepted) {
        if (accepted.error().code == store_error::kStale)
            return http::coded_problem(410, "invitation_used",
                                       "This invitation was used a moment ago, or has just expired.");
        return http::problem(500, "The password could not be stored; try again.");
    }
    audit(ctx, "user:" + std::to_string(accepted->id), "invitation-accepted", {}, {}, {},
          {{"user_id", accepted->id}});
    refresh_consoles(ctx);
    return json_response(200, {{"email", accepted->email}});
}

}  // namespace helpline::server::api
