// Team administration: organizations, an email domain -> the name the queue shows for
// its requesters (docs/protocol.md, "Admin").
#include "server/api/admin_common.h"
#include "server/api/body_reader.h"
#include "server/api/handlers.h"

namespace helpline::server::api {
namespace {

nlohmann::json organization_json(const std::string& domain, const std::string& name) {
    return {{"domain", domain}, {"name", name}};
}

/// The path's domain as stored: lower-case (the store compares it so too).
std::string domain_param(const http::Request& req) { return email_domain("x@" + req.params.at("domain")); }

}  // namespace

http::Response list_organizations(const http::Request&, const Principal&, Context& ctx) {
    nlohmann::json list = nlohmann::json::array();
    for (const Organization& o : ctx.store.organizations()) list.push_back(organization_json(o.domain, o.name));
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
    team_changed(ctx, who, "organization-created", {{"domain", d}});
    return json_response(201, organization_json(d, *name));
}

http::Response rename_organization(const http::Request& req, const Principal& who, Context& ctx) {
    BodyReader body(req, {"name"});
    if (body.failure()) return *body.failure();
    auto name = body.string("name", Need::required, 100);
    if (!body.ok()) return body.problem();
    const std::string d = domain_param(req);
    if (auto s = ctx.store.rename_organization(d, *name); !s) return store_failure(s.error());
    // The queue and history name requesters by the organization as they are read: every
    // console reloads and shows the new name.
    team_changed(ctx, who, "organization-renamed", {{"domain", d}, {"name", *name}});
    return json_response(200, organization_json(d, *name));
}

http::Response delete_organization(const http::Request& req, const Principal& who, Context& ctx) {
    const std::string d = domain_param(req);
    if (auto s = ctx.store.remove_organization(d); !s) return store_failure(s.error());
    team_changed(ctx, who, "organization-removed", {{"domain", d}});
    return no_content();
}

}  // namespace helpline::server::api
