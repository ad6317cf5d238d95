#include <algorithm>
#include <charconv>
#include <regex>

#include "server/api/body_reader.h"
#include "server/api/handlers.h"
#include "server/api/secrets.h"
#include "server/api/services.h"
#include "shared/envelope.h"

namespace helpline::server::api {
namespace {

bool is_group_id(const std::string& id) {
    static const std::regex kGroupId("[a-z0-9-]{2,40}");
    return std::regex_match(id, kGroupId);
}

nlohmann::json user_json(const User& u, Store& store) {
    return {{"id", u.id},
            {"email", u.email},
            {"name", u.name},
            {"role", to_string(u.role)},
            {"disabled", u.disabled},
            {"notify_email", u.notify_email},
            {"groups", store.groups_of(u.id)},
            {"created_at", format_time(u.created_at)}};
}

std::optional<UserId> user_id_param(const http::Request& req) {
    const auto& s = req.params.at("id");
    UserId id = 0;
    if (std::from_chars(s.data(), s.data() + s.size(), id).ec != std::errc() || id <= 0 || std::to_string(id) != s)
        return std::nullopt;
    return id;
}

http::Response store_failure(const Error& e) {
    if (e.code == store_error::kConflict) return http::problem(409, e.message);
    if (e.code == store_error::kNotFound) return http::problem(404, e.message);
    return http::problem(500, "The change could not be stored.");
}

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
    if (password && password->size() < 10) body.error("password", "must be at least 10 characters");
    if (!body.ok()) return body.problem();

    User u;
    u.email = *email;
    u.name = *name;
    u.role = *role;
    const std::string chosen = password.value_or(generate_password());
    u.password_hash = hash_password(chosen);
    u.notify_email = notify.value_or(false);
    u.created_at = ctx.clock.now();
    auto added = ctx.store.add_user(u);
    if (!added) return store_failure(added.error());
    audit(ctx, who.actor(), "user-created", {}, {}, {}, {{"user_id", added->id}, {"role", to_string(u.role)}});
    refresh_consoles(ctx);
    auto j = user_json(*added, ctx.store);
    if (!password) j["password"] = chosen;  // shown once, to the admin who made the account
    return json_response(201, j);
}

http::Response patch_user(const http::Request& req, const Principal& who, Context& ctx) {
    const auto id = user_id_param(req);
    auto u = id ? ctx.store.user(*id) : std::nullopt;
    if (!u) return http::problem(404, "There is no such user.");
    BodyReader body(req, {"name", "role", "password", "disabled", "notify_email"});
    if (body.failure()) return *body.failure();
    auto name = body.string("name", Need::optional, 100);
    auto role_text = body.string("role", Need::optional, 20);
    auto password = body.string("password", Need::optional, 1024);
    auto disabled = body.boolean("disabled", Need::optional);
    auto notify = body.boolean("notify_email", Need::optional);
    std::optional<Role> role;
    if (role_text && !(role = parse_role(*role_text))) body.error("role", "must be admin or operator");
    if (password && password->size() < 10) body.error("password", "must be at least 10 characters");
    if (u->id == who.user->id && ((disabled && *disabled) || (role && *role != Role::admin)))
        body.error(disabled && *disabled ? "disabled" : "role", "you cannot disable or demote yourself");
    if (!body.ok()) return body.problem();
    if (name && !name->empty()) u->name = *name;
    if (role) u->role = *role;
    if (password) u->password_hash = hash_password(*password);
    if (disabled) u->disabled = *disabled;
    if (notify) u->notify_email = *notify;
    if (auto s = ctx.store.update_user(*u); !s) return store_failure(s.error());
    if ((disabled && *disabled) || password) (void)ctx.store.delete_user_sessions(u->id);
    audit(ctx, who.actor(), "user-updated", {}, {}, {}, {{"user_id", u->id}});
    refresh_consoles(ctx);
    return json_response(200, user_json(*u, ctx.store));
}

http::Response list_groups(const http::Request&, const Principal&, Context& ctx) {
    nlohmann::json list = nlohmann::json::array();
    for (const Group& g : ctx.store.groups())
        list.push_back({{"id", g.id}, {"name", g.name}, {"members", ctx.store.group_members(g.id)}});
    return json_response(200, {{"groups", list}});
}

http::Response create_group(const http::Request& req, const Principal& who, Context& ctx) {
    BodyReader body(req, {"id", "name"});
    if (body.failure()) return *body.failure();
    auto id = body.string("id", Need::required, 40);
    auto name = body.string("name", Need::required, 100);
    if (id && !is_group_id(*id)) body.error("id", "must be 2 to 40 lowercase letters, digits and '-', e.g. \"first-line\"");
    if (!body.ok()) return body.problem();
    if (auto s = ctx.store.add_group({*id, *name}); !s) return store_failure(s.error());
    audit(ctx, who.actor(), "group-created", {}, {}, {}, {{"group_id", *id}});
    refresh_consoles(ctx);
    return json_response(201, {{"id", *id}, {"name", *name}, {"members", nlohmann::json::array()}});
}

http::Response patch_group(const http::Request& req, const Principal& who, Context& ctx) {
    BodyReader body(req, {"name"});
    if (body.failure()) return *body.failure();
    auto name = body.string("name", Need::required, 100);
    if (!body.ok()) return body.problem();
    const std::string& id = req.params.at("id");
    if (auto s = ctx.store.rename_group(id, *name); !s) return store_failure(s.error());
    audit(ctx, who.actor(), "group-renamed", {}, {}, {}, {{"group_id", id}});
    refresh_consoles(ctx);
    return json_response(200, {{"id", id}, {"name", *name}, {"members", ctx.store.group_members(id)}});
}

http::Response delete_group(const http::Request& req, const Principal& who, Context& ctx) {
    const std::string& id = req.params.at("id");
    if (!ctx.store.group(id)) return http::problem(404, "There is no group \"" + id + "\".");
    if (auto refused = group_deletion_refused(ctx, id)) return http::problem(409, *refused);
    if (auto s = ctx.store.delete_group(id); !s) return store_failure(s.error());
    audit(ctx, who.actor(), "group-deleted", {}, {}, {}, {{"group_id", id}});
    refresh_consoles(ctx);  // its open tickets are unassigned: "queue-changed" to everyone
    return no_content();
}

http::Response get_members(const http::Request& req, const Principal&, Context& ctx) {
    const std::string& id = req.params.at("id");
    if (!ctx.store.group(id)) return http::problem(404, "There is no group \"" + id + "\".");
    return json_response(200, {{"user_ids", ctx.store.group_members(id)}});
}

http::Response put_members(const http::Request& req, const Principal& who, Context& ctx) {
    const std::string& id = req.params.at("id");
    if (!ctx.store.group(id)) return http::problem(404, "There is no group \"" + id + "\".");
    BodyReader body(req, {"user_ids"});
    if (body.failure()) return *body.failure();
    auto ids = body.integer_array("user_ids", Need::required);
    if (ids) {
        for (UserId uid : *ids)
            if (!ctx.store.user(uid)) body.error("user_ids", "user " + std::to_string(uid) + " does not exist");
        std::sort(ids->begin(), ids->end());
        ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
    }
    if (!body.ok()) return body.problem();
    if (auto s = ctx.store.set_group_members(id, *ids); !s) return store_failure(s.error());
    audit(ctx, who.actor(), "group-members-set", {}, {}, {}, {{"group_id", id}, {"user_ids", *ids}});
    refresh_consoles(ctx);
    return json_response(200, {{"user_ids", *ids}});
}

http::Response list_organizations(const http::Request&, const Principal&, Context& ctx) {
    nlohmann::json list = nlohmann::json::array();
    for (const Organization& o : ctx.store.organizations()) list.push_back({{"domain", o.domain}, {"name", o.name}});
    return json_response(200, {{"organizations", list}});
}

http::Response create_organization(const http::Request& req, const Principal& who, Context& ctx) {
    BodyReader body(req, {"domain", "name"});
    if (body.failure()) return *body.failure();
    auto domain = body.string("domain", Need::required, 253);
    auto name = body.string("name", Need::required, 100);
    if (domain && !is_valid_email("x@" + *domain)) body.error("domain", "is not an email domain such as acme.example");
    if (!body.ok()) return body.problem();
    const std::string d = email_domain("x@" + *domain);
    if (auto s = ctx.store.add_organization({d, *name}); !s) return store_failure(s.error());
    audit(ctx, who.actor(), "organization-created", {}, {}, {}, {{"domain", d}});
    refresh_consoles(ctx);
    return json_response(201, {{"domain", d}, {"name", *name}});
}

http::Response delete_organization(const http::Request& req, const Principal& who, Context& ctx) {
    const std::string d = email_domain("x@" + req.params.at("domain"));
    if (auto s = ctx.store.remove_organization(d); !s) return store_failure(s.error());
    audit(ctx, who.actor(), "organization-removed", {}, {}, {}, {{"domain", d}});
    refresh_consoles(ctx);
    return no_content();
}

http::Response list_profiles(const http::Request&, const Principal&, Context& ctx) {
    nlohmann::json list = nlohmann::json::array();
    for (const PublishedProfile& p : ctx.store.profiles())
        list.push_back({{"id", p.id},
                        {"revision", p.revision},
                        {"public_key", p.public_key},
                        {"published_at", format_time(p.published_at)}});
    return json_response(200, {{"profiles", list}});
}

http::Response publish_profile_text(Context& ctx, const std::string& text, const std::string& actor) {
    auto env = parse_envelope(text);
    if (!env)
        return http::problem(400, env.error().message + " Make one with 'helpline-brand sign-profile'.",
                             {{env.error().where.empty() ? "envelope" : env.error().where, env.error().message}});
    Profile profile;
    const auto problems = parse_profile_text(env->profile_json, profile);
    if (!problems.empty()) {
        std::vector<http::FieldError> errors;
        for (const auto& p : problems) errors.push_back({"profile." + p.path, p.message});
        return http::problem(400, "The profile inside the envelope is invalid.", errors,
                             "urn:helpline:problem:validation");
    }
    std::vector<http::FieldError> unknown;
    for (std::size_t i = 0; i < profile.assistance.groups.size(); ++i)
        if (!ctx.store.group(profile.assistance.groups[i].id))
            unknown.push_back({"profile.assistance.groups[" + std::to_string(i) + "].id",
                               "\"" + profile.assistance.groups[i].id +
                                   "\" is not a group of this team; create it first"});
    if (!unknown.empty())
        return http::problem(422, "The profile names groups this team does not have.", unknown,
                             "urn:helpline:problem:unknown-groups");
    const std::string key = public_key_to_base64(env->key);
    if (auto current = ctx.store.profile(profile.id)) {
        if (current->public_key != key)
            return http::problem(409, "Profile " + profile.id + " was published signed by another key (" + current->public_key +
                                          "); clients would refuse this update.");
        if (current->revision >= profile.revision)
            return http::problem(409, "Profile " + profile.id + " is already at revision " +
                                          std::to_string(current->revision) + "; raise \"revision\" and sign again.");
    }
    PublishedProfile p{profile.id, profile.revision, text, key, ctx.clock.now()};
    if (auto s = ctx.store.put_profile(p); !s) return http::problem(500, "Could not store the profile.");
    audit(ctx, actor, "profile-published", {}, {}, {}, {{"profile_id", p.id}, {"revision", p.revision}});
    return json_response(201, {{"id", p.id}, {"revision", p.revision}, {"public_key", key}});
}

http::Response publish_profile(const http::Request& req, const Principal& who, Context& ctx) {
    if (auto refused = unless_json_content(req)) return std::move(*refused);
    return publish_profile_text(ctx, req.body, who.actor());
}

http::Response get_audit(const http::Request&, const Principal&, Context& ctx) {
    nlohmann::json list = nlohmann::json::array();
    for (const AuditEntry& e : ctx.store.audit_log(200))
        list.push_back({{"id", e.id},
                        {"at", format_time(e.at)},
                        {"actor", e.actor},
                        {"action", e.action},
                        {"ticket_number", e.ticket_number ? nlohmann::json(*e.ticket_number) : nlohmann::json()},
                        {"request_id", e.request_id},
                        {"session_id", e.session_id},
                        {"detail", nlohmann::json::parse(e.detail, nullptr, false)}});
    return json_response(200, {{"entries", list}});
}

}  // namespace helpline::server::api
