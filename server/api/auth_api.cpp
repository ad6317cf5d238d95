#include <algorithm>

#include "server/api/body_reader.h"
#include "server/api/client_address.h"
#include "server/api/handlers.h"
#include "server/api/secrets.h"
#include "server/api/services.h"
#include "server/api/sign_in.h"
#include "server/api/user_agent.h"

namespace helpline::server::api {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

nlohmann::json user_json(const User& u, const std::vector<std::string>& groups) {
    return {{"id", u.id},
            {"email", u.email},
            {"name", u.name},
            {"role", to_string(u.role)},
            {"groups", groups},
            {"two_factor", u.two_factor},
            {"language", u.language}};
}

/// Session rows keep what the account page shows of them; a User-Agent is cut to a size
/// that still names any browser.
constexpr std::size_t kMaxUserAgent = 512;

/// A hash to verify against when the email is unknown, so both paths cost the same.
const std::string& dummy_hash() {
    static const std::string hash = hash_password("not a real password");
    return hash;
}

}  // namespace

http::Response login(const http::Request& req, const Principal&, Context& ctx) {
    BodyReader body(req, {"email", "password"});
    if (body.failure()) return *body.failure();
    auto email = body.string("email", Need::required, 254);
    auto password = body.string("password", Need::required, 1024);
    if (!body.ok()) return body.problem();

    if (auto limited = sign_in_limited(req, ctx, *email)) return std::move(*limited);
    const std::string address = client_address(req, ctx.config);

    auto user = ctx.store.user_by_email(*email);
    const bool ok = verify_password(user ? user->password_hash : dummy_hash(), *password);
    if (!user || !ok || user->disabled) {
        ctx.metrics.logins_failed++;
        audit(ctx, "anonymous", "login-failed", {}, {}, {}, {{"email", *email}, {"address", address}});
        return unauthorized("Wrong email or password.");
    }
    if (user->two_factor) {
        // No session yet: the code comes next, with this challenge (two_factor_api.cpp).
        const std::string challenge = random_token(32);
        const Timestamp now = ctx.clock.now();
        if (auto added = ctx.store.add_login_challenge({sha256_hex(challenge), user->id, now + kLoginChallengeTtl}, now);
            !added)
            return http::problem(500, "Could not start the sign-in; try again.");
        return json_response(200, {{"two_factor_required", true},
                                   {"challenge", challenge},
                                   {"expires_in", kLoginChallengeTtl}});
    }
    return start_session(req, ctx, *user);
}

std::optional<http::Response> sign_in_limited(const http::Request& req, Context& ctx, const std::string& email) {
    int retry = 0;
    const int limit = ctx.config.login_attempts_per_minute;
    const std::string address = client_address(req, ctx.config);
    const auto refused = [&] {
        return http::problem(429, "Too many sign-in attempts; wait a minute and try again.")
            .header("Retry-After", std::to_string(retry));
    };
    // Per address: this server's own count (an address may reach several servers, each
    // then allowing the limit). Per account: counted in the database, so that the limit
    // holds for the whole team however the balancer spreads the attempts.
    if (!ctx.limiter.allow("login-ip:" + address, limit, 60, retry)) return refused();
    const Timestamp now = ctx.clock.now();
    const auto attempts = ctx.store.count_sign_in_attempt(lower(email), now);
    // A database that cannot count cannot store a session either: the sign-in fails there.
    if (attempts && *attempts > limit) {
        retry = static_cast<int>(60 - now % 60);
        return refused();
    }
    return std::nullopt;
}

http::Response start_session(const http::Request& req, Context& ctx, const User& user, const nlohmann::json& detail,
                             const nlohmann::json& extra) {
    const std::string token = random_token(32);
    OperatorSession s;
    s.token_hash = sha256_hex(token);
    s.user_id = user.id;
    s.csrf_token = random_token(18);
    s.created_at = ctx.clock.now();
    s.expires_at = s.created_at + ctx.config.session_ttl.count();
    s.user_agent = std::string(req.header("User-Agent").value_or("").substr(0, kMaxUserAgent));
    s.address = client_address(req, ctx.config);
    s.last_seen_at = s.created_at;
    if (auto added = ctx.store.add_session(s); !added) return http::problem(500, "Could not start a session.");
    nlohmann::json audited = detail;
    audited["browser"] = browser_summary(s.user_agent);
    audited["address"] = s.address;
    audit(ctx, "user:" + std::to_string(user.id), "login", {}, {}, {}, audited);
    auto groups = ctx.store.groups_of(user.id);
    nlohmann::json body = {{"token", token}, {"csrf_token", s.csrf_token}, {"user", user_json(user, groups)}};
    if (needs_two_factor_setup(ctx, user)) body["setup_required"] = "two_factor";
    body.update(extra);
    auto r = json_response(200, body);
    std::string cookie = std::string(kSessionCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                         std::to_string(ctx.config.session_ttl.count());
    if (req.tls) cookie += "; Secure";
    r.header("Set-Cookie", cookie);
    return r;
}

http::Response logout(const http::Request& req, const Principal& who, Context& ctx) {
    (void)ctx.store.delete_session(who.session_token_hash);
    audit(ctx, who.actor(), "logout");
    refresh_consoles(ctx);  // the session's console streams end
    auto r = no_content();
    r.header("Set-Cookie", std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" +
                               (req.tls ? "; Secure" : ""));
    return r;
}

http::Response whoami(const http::Request&, const Principal& who, Context& ctx) {
    auto session = ctx.store.session(who.session_token_hash);
    nlohmann::json j = user_json(*who.user, who.groups);
    if (session) j["csrf_token"] = session->csrf_token;
    if (needs_two_factor_setup(ctx, *who.user)) j["setup_required"] = "two_factor";
    return json_response(200, j);
}

}  // namespace helpline::server::api
