#pragma once
// Authentication of every request and the access rule of every route (deny by default).
//
// Devices send "Authorization: Bearer <device_token>". Users send their session token as
// a bearer token, or the HttpOnly "helpline_session" cookie plus, on anything but GET and
// HEAD, an "X-CSRF-Token" header matching their session (so another site cannot make a
// signed-in browser act).

#include <functional>
#include <optional>
#include <string>

#include "server/api/context.h"
#include "server/api/principal.h"
#include "server/http/message.h"
#include "server/http/router.h"

namespace helpline::server::api {

inline constexpr const char* kSessionCookie = "helpline_session";

enum class Access {
    anyone,          ///< no credentials needed
    device,          ///< a registered device
    user,            ///< an operator or admin
    admin,           ///< an admin
    device_or_user,  ///< either (ending a session)
    loopback_or_admin,  ///< /metrics: scrapers on the same host, or an admin
};

using ApiHandler = std::function<http::Response(const http::Request&, const Principal&, Context&)>;

/// Resolves the caller; returns a 401 response when credentials were sent but are
/// invalid (an unknown token is never silently treated as anonymous).
std::variant<Principal, http::Response> authenticate(const http::Request& request, Context& ctx);

/// Registers `handler` on `router` behind authentication and the `access` rule.
void add_route(http::Router& router, Context& ctx, std::string method, const std::string& pattern,
               Access access, ApiHandler handler);

/// The status and message for a failed check (401 unauthenticated, 403 wrong role).
http::Response unauthorized(std::string detail = "Sign in first: this needs credentials.");
http::Response forbidden(std::string detail = "You are not allowed to do this.");

}  // namespace helpline::server::api
