#pragma once
// The pieces both sign-in steps share (auth_api.cpp, two_factor_api.cpp): the rate limit
// on attempts, starting a session, and the team's two-factor requirement.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "server/api/context.h"
#include "server/http/message.h"

namespace helpline::server::api {

/// How long a sign-in waits between the password and the two-factor code.
inline constexpr Timestamp kLoginChallengeTtl = 5 * 60;

/// Counts one sign-in attempt for the client's address and for `email` (either allowance
/// used up refuses); the 429 to answer when over the limit, else nullopt.
std::optional<http::Response> sign_in_limited(const http::Request& req, Context& ctx,
                                              const std::string& email);

/// Starts a session for `user`, who proved who they are: the answer of a sign-in (token,
/// csrf_token, user, and setup_required when the team wants two-factor the user has not
/// set up) with its cookie. Audits "login", with `detail` added; `extra` is added to the
/// answer.
http::Response start_session(const http::Request& req, Context& ctx, const User& user,
                             const nlohmann::json& detail = nlohmann::json::object(),
                             const nlohmann::json& extra = nlohmann::json::object());

/// The team requires two-factor sign-in (setting "two_factor_required").
bool two_factor_required(Context& ctx);
/// The user must set up two-factor before anything else: the team requires it, and the
/// user has not turned it on.
bool needs_two_factor_setup(Context& ctx, const User& user);

}  // namespace helpline::server::api
