#include "server/api/auth.h"

#include "server/api/client_address.h"
#include "server/api/secrets.h"
#include "server/api/sign_in.h"
#include "server/http/problem.h"
#include "server/http/server.h"

namespace helpline::server::api {
namespace {

bool is_safe_method(std::string_view m) { return m == "GET" || m == "HEAD"; }

/// What a user who must set up two-factor first may still call: their account (where the
/// setup is), who they are, and signing out.
bool allowed_before_two_factor_setup(std::string_view pattern) {
    return pattern == "/api/v1/account" || pattern.rfind("/api/v1/account/", 0) == 0 ||
           pattern == "/api/v1/auth/logout" || pattern == "/api/v1/auth/me";
}

std::optional<Principal> user_principal(Context& ctx, const std::string& token_hash) {
    auto session = ctx.store.session(token_hash);
    const Timestamp now = ctx.clock.now();
    if (!session || session->expires_at <= now) return std::nullopt;
    auto user = ctx.store.user(session->user_id);
    if (!user || user->disabled) return std::nullopt;
    // "Last seen" on the account page, to the minute: one write a minute per session at
    // most, not one per request.
    if (session->last_seen_at <= now - 60) (void)ctx.store.touch_session(token_hash, now);
    Principal p;
    p.kind = Principal::Kind::user;
    p.groups = ctx.store.groups_of(user->id);
    p.user = std::move(user);
    p.session_token_hash = token_hash;
    return p;
}

}  // namespace

std::string Principal::actor() const {
    if (is_user()) return "user:" + std::to_string(user->id);
    if (is_device()) return "device:" + device->id;
    return "anonymous";
}

http::Response unauthorized(std::string detail) {
    auto r = http::problem(401, std::move(detail));
    r.header("WWW-Authenticate", "Bearer");
    return r;
}

http::Response forbidden(std::string detail) { return http::problem(403, std::move(detail)); }

namespace {

/// A credential not found while the database cannot be read (PostgreSQL restarting, a
/// lost connection) is not a bad credential: a 401 would tell a customer's client its
/// device token is gone, and a console to sign in again. 503 says to retry.
http::Response not_found_or_unavailable(Context& ctx, std::string detail) {
    if (!ctx.store.reachable())
        return http::problem(503, "The team's database cannot be reached just now; retry in a moment.")
            .header("Retry-After", "2");
    return unauthorized(std::move(detail));
}

}  // namespace

std::variant<Principal, http::Response> authenticate(const http::Request& request, Context& ctx) {
    if (auto bearer = request.bearer()) {
        const std::string hash = sha256_hex(*bearer);
        if (auto device = ctx.store.device_by_token_hash(hash)) {
            Principal p;
            p.kind = Principal::Kind::device;
            p.device = std::move(device);
            return p;
        }
        if (auto user = user_principal(ctx, hash)) return std::move(*user);
        return not_found_or_unavailable(ctx, "The token is not valid (unknown, expired or revoked).");
    }
    if (auto cookie = request.cookie(kSessionCookie)) {
        const std::string hash = sha256_hex(*cookie);
        auto user = user_principal(ctx, hash);
        if (!user) return not_found_or_unavailable(ctx, "Your session has ended; sign in again.");
        if (!is_safe_method(request.method)) {
            auto session = ctx.store.session(hash);
            auto csrf = request.header("X-CSRF-Token");
            if (!session || !csrf || !equal_secret(*csrf, session->csrf_token))
                return forbidden("Missing or wrong X-CSRF-Token header for a cookie-authenticated request.");
        }
        return std::move(*user);
    }
    return Principal{};
}

void add_route(http::Router& router, Context& ctx, std::string method, const std::string& pattern,
               Access access, ApiHandler handler) {
    const bool before_setup = allowed_before_two_factor_setup(pattern);
    router.add(std::move(method), pattern,
               [&ctx, access, before_setup,
                handler = std::move(handler)](const http::Request& request) -> http::Response {
                   auto who = authenticate(request, ctx);
                   if (auto* refused = std::get_if<http::Response>(&who)) return std::move(*refused);
                   const Principal& p = std::get<Principal>(who);
                   switch (access) {
                       case Access::anyone: break;
                       case Access::device:
                           if (p.kind == Principal::Kind::anonymous) return unauthorized();
                           if (!p.is_device()) return forbidden("Only a registered device can do this.");
                           break;
                       case Access::user:
                           if (p.kind == Principal::Kind::anonymous) return unauthorized();
                           if (!p.is_user()) return forbidden("Only operators can do this.");
                           break;
                       case Access::admin:
                           if (p.kind == Principal::Kind::anonymous) return unauthorized();
                           // The code lets the console show its "admins only" page.
                           if (!p.is_admin())
                               return http::coded_problem(403, "admins_only",
                                                          "Only admins can do this: ask an admin of your team.");
                           break;
                       case Access::device_or_user:
                           if (p.kind == Principal::Kind::anonymous) return unauthorized();
                           break;
                       case Access::loopback_or_admin:
                           // Behind a local proxy every peer is loopback: a request that
                           // names another client is not local (client_address.h).
                           if (!p.is_admin() && !is_local_request(request))
                               return p.kind == Principal::Kind::anonymous ? unauthorized() : forbidden();
                           break;
                   }
                   // A team that requires two-factor: a user without it sets it up first.
                   if (access != Access::anyone && p.is_user() && !before_setup && needs_two_factor_setup(ctx, *p.user))
                       return http::coded_problem(403, "two_factor_setup_required",
                                                  "Your team requires two-factor sign-in: set it up on your account "
                                                  "page first (POST /api/v1/account/two-factor/setup, then confirm).");
                   return handler(request, p, ctx);
               });
}

}  // namespace helpline::server::api
