// Team administration: the users (docs/protocol.md, "Admin"). Groups, organizations,
// profiles and the audit log are in groups_api.cpp, organizations_api.cpp,
// profiles_api.cpp and audit_api.cpp.
#include <charconv>

#include "server/api/admin_common.h"
#include "server/api/password_rules.h"
#include "server/api/body_reader.h"
#include "server/api/handlers.h"
#include "server/api/secrets.h"
#include "server/api/services.h"

namespace helpline::server::api {
namespace {

nlohmann::json user_json(const User& u, Store& store) {
    return {{"id", u.id},
            {"email", u.email},
            {"name", u.name},
            {"role", to_string(u.role)},
            {"disabled", u.disabled},
            {"notify_email", u.notify_email},
            {"two_factor", u.two_factor},
            {"email_failing", store.mail_failing(u.id)},  // the last notification failed for good
            {"groups", store.groups_of(u.id)},
            {"last_sign_in_at", u.last_sign_in_at ? nlohmann::json(format_time(*u.last_sign_in_at)) : nlohmann::json()},
            {"created_at", format_time(u.created_at)}};
}

std::optional<UserId> user_id_param(const http::Request& req) {
    const auto& s = req.params.at("id");
    UserId id = 0;
    if (std::from_chars(s.data(), s.data() + s.size(), id).ec != std::errc() || id <= 0 || std::to_string(id) != s)
        return std::nullopt;
    return id;
}

http::Response no_such_user() { return http::problem(404, "There is no such user."); }

}  // namespace

http::Response list_users(const http::Request&, const Principal&, Context& ctx) {
    nlohmann::json list = nlohmann::json::array();
    for (const User& u : ctx.store.users()) list.push_back(user_json(u, ctx.store));
    return json_response(200, {{"users", list}});
}

http::Response create_user(const http::Request& req, const Principal& who, Context& ctx) {
    BodyReader body(req, {"email", "name", "role", "password", "notify_email"});
    if (body.failure()) return *body.failure();
    auto email = body.string("email", Need::required, 254);
    auto name = body.string("name", Need::required, 100);
    auto role_text = body.string("role", Need::optional, 20);
    auto password = body.string("password", Need::optional, 1024);
    auto notify = body.boolean("notify_email", Need::optional);
    if (email && !is_valid_email(*email)) body.error("email", "is not a valid email address");
    const auto role = parse_role(role_text.value_or("operator"));
    if (!role) body.error("role", "must be admin or operator");
    if (password)
        if (auto problem = password_problem(*password)) body.error("password", *problem);
    if (!body.ok()) return body.problem();

    User u;
    u.email = *email;
    u.name = *name;
    u.role = *role;
    // Without a chosen password the server makes one (about 79 random bits), which only
    // this answer ever shows: the admin hands it over, the user changes it.
    const std::string chosen = password.value_or(generate_password());
    u.password_hash = hash_password(chosen);
    u.notify_email = notify.value_or(false);
    u.created_at = ctx.clock.now();
    if (ctx.config.email.configured() && !password) {  // the user chooses a password (email_api.cpp)
        auto invited = invite_user(u, who, ctx);
        if (!invited) return store_failure(invited.error());
        team_changed(ctx, who, "user-created", {{"user_id", invited->id}, {"role", to_string(u.role)}, {"invited", true}});
        return json_response(201, {{"user", user_json(*invited, ctx.store)}, {"invitation_sent", true}});
    }
    auto added = ctx.store.add_user(u);
    if (!added) return store_failure(added.error());
    team_changed(ctx, who, "user-created", {{"user_id", added->id}, {"role", to_string(u.role)}});
    nlohmann::json answer = {{"user", user_json(*added, ctx.store)}};
    if (!password) answer["password"] = chosen;
    return json_response(201, answer);
}

http::Response patch_user(const http::Request& req, const Principal& who, Context& ctx) {
    const auto id = user_id_param(req);
    auto u = id ? ctx.store.user(*id) : std::nullopt;
    if (!u) return no_such_user();
    BodyReader body(req, {"name", "role", "password", "disabled", "notify_email"});
    if (body.failure()) return *body.failure();
    auto name = body.string("name", Need::optional, 100);
    auto role_text = body.string("role", Need::optional, 20);
    auto password = body.string("password", Need::optional, 1024);
    auto disabled = body.boolean("disabled", Need::optional);
    auto notify = body.boolean("notify_email", Need::optional);
    std::optional<Role> role;
    if (name && name->empty()) body.error("name", "must not be empty");
    if (role_text && !(role = parse_role(*role_text))) body.error("role", "must be admin or operator");
    if (password)
        if (auto problem = password_problem(*password)) body.error("password", *problem);
    if (!body.ok()) return body.problem();
    // Refused rather than done: a team must never lose its last way in, and an admin who
    // locks themselves out cannot undo it.
    if (u->id == who.user->id && disabled && *disabled)
        return http::coded_problem(409, "self_disable",
                                   "You cannot disable your own account: you would be signed out with no way "
                                   "back in. Another admin can disable it.");
    if (u->id == who.user->id && role && *role != Role::admin)
        return http::coded_problem(409, "self_demote",
                                   "You cannot remove your own admin role: you would lose access to team "
                                   "administration at once. Another admin can change it.");
    if (name) u->name = *name;
    if (role) u->role = *role;
    if (password) u->password_hash = hash_password(*password);
    if (disabled) u->disabled = *disabled;
    if (notify) u->notify_email = *notify;
    if (auto s = ctx.store.update_user(*u); !s) return store_failure(s.error());
    // A disabled user, or one with a new password, is signed out everywhere.
    if ((disabled && *disabled) || password) (void)ctx.store.delete_user_sessions(u->id);
    nlohmann::json changed = nlohmann::json::array();
    for (const char* field : {"name", "role", "password", "disabled", "notify_email"})
        if (body.has(field)) changed.push_back(field);
    team_changed(ctx, who, "user-updated", {{"user_id", u->id}, {"changed", changed}});
    return json_response(200, {{"user", user_json(*ctx.store.user(u->id), ctx.store)}});
}

http::Response reset_password(const http::Request& req, const Principal& who, Context& ctx) {
    const auto id = user_id_param(req);
    auto u = id ? ctx.store.user(*id) : std::nullopt;
    if (!u) return no_such_user();
    if (!req.body.empty()) {  // nothing to choose: a field sent is a mistake to point out
        BodyReader body(req, {});
        if (body.failure()) return *body.failure();
        if (!body.ok()) return body.problem();
    }
    const std::string password = generate_password();
    u->password_hash = hash_password(password);
    if (auto s = ctx.store.update_user(*u); !s) return store_failure(s.error());
    // Whoever knew the old password is signed out with it.
    (void)ctx.store.delete_user_sessions(u->id);
    team_changed(ctx, who, "user-password-reset", {{"user_id", u->id}});
    return json_response(200, {{"password", password}});
}

}  // namespace helpline::server::api
