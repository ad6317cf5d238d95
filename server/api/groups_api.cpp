// Team administration: groups and their members (docs/protocol.md, "Admin").
#include <algorithm>
#include <regex>

#include "server/api/admin_common.h"
#include "server/api/body_reader.h"
#include "server/api/handlers.h"
#include "server/api/services.h"

namespace helpline::server::api {
namespace {

/// The id rule, said the same way wherever an id is refused.
constexpr const char* kGroupIdRule =
    "must be 2 to 40 lowercase letters, digits and '-' ([a-z0-9-]{2,40}), e.g. \"first-line\"";

bool is_group_id(const std::string& id) {
    static const std::regex kGroupId("[a-z0-9-]{2,40}");
    return std::regex_match(id, kGroupId);
}

nlohmann::json offers_json(const std::vector<GroupOffer>* offers) {
    nlohmann::json list = nlohmann::json::array();
    if (offers != nullptr)
        for (const GroupOffer& o : *offers) list.push_back({{"id", o.profile_id}, {"revision", o.revision}});
    return list;
}

nlohmann::json group_json(const Group& g, Store& store, const GroupTicketCounts& counts,
                          const std::vector<GroupOffer>* offers) {
    nlohmann::json offered_by = nlohmann::json::array();
    if (offers != nullptr)
        for (const GroupOffer& o : *offers) offered_by.push_back(o.profile_id);
    return {{"id", g.id},
            {"name", g.name},
            {"members", store.group_members(g.id)},
            {"open_tickets", counts.open},
            {"history_tickets", counts.history},
            {"offered_by", offered_by}};
}

/// One group as GET /groups lists it.
nlohmann::json one_group_json(Context& ctx, const Group& g) {
    const auto counts = ctx.store.group_ticket_counts();
    const auto offers = group_offers(ctx);
    const auto c = counts.find(g.id);
    const auto o = offers.find(g.id);
    return group_json(g, ctx.store, c == counts.end() ? GroupTicketCounts{} : c->second,
                      o == offers.end() ? nullptr : &o->second);
}

http::Response no_such_group(const std::string& id) {
    return http::problem(404, "There is no group \"" + id + "\".");
}

}  // namespace

http::Response list_groups(const http::Request&, const Principal&, Context& ctx) {
    const auto counts = ctx.store.group_ticket_counts();
    const auto offers = group_offers(ctx);
    nlohmann::json list = nlohmann::json::array();
    for (const Group& g : ctx.store.groups()) {
        const auto c = counts.find(g.id);
        const auto o = offers.find(g.id);
        list.push_back(group_json(g, ctx.store, c == counts.end() ? GroupTicketCounts{} : c->second,
                                  o == offers.end() ? nullptr : &o->second));
    }
    return json_response(200, {{"groups", list}});
}

http::Response create_group(const http::Request& req, const Principal& who, Context& ctx) {
    BodyReader body(req, {"id", "name"});
    if (body.failure()) return *body.failure();
    // Read long, so that a long id is refused with the rule rather than a length alone.
    auto id = body.string("id", Need::required, 200);
    auto name = body.string("name", Need::required, 100);
    if (id && !is_group_id(*id)) body.error("id", kGroupIdRule);
    if (!body.ok()) return body.problem();
    if (auto s = ctx.store.add_group({*id, *name}); !s) return store_failure(s.error());
    team_changed(ctx, who, "group-created", {{"group_id", *id}});
    return json_response(201, one_group_json(ctx, {*id, *name}));
}

http::Response patch_group(const http::Request& req, const Principal& who, Context& ctx) {
    BodyReader body(req, {"name"});
    if (body.failure()) return *body.failure();
    auto name = body.string("name", Need::required, 100);
    if (!body.ok()) return body.problem();
    const std::string& id = req.params.at("id");
    const auto before = ctx.store.group(id);
    if (!before) return no_such_group(id);
    if (auto s = ctx.store.rename_group(id, *name); !s) return store_failure(s.error());
    team_changed(ctx, who, "group-renamed", {{"group_id", id}, {"from", before->name}, {"to", *name}});
    return json_response(200, one_group_json(ctx, {id, *name}));
}

http::Response group_deletion(const http::Request& req, const Principal&, Context& ctx) {
    const std::string& id = req.params.at("id");
    if (!ctx.store.group(id)) return no_such_group(id);
    const auto counts = ctx.store.group_ticket_counts();
    const auto offers = group_offers(ctx);
    const auto c = counts.find(id);
    const auto o = offers.find(id);
    const GroupTicketCounts n = c == counts.end() ? GroupTicketCounts{} : c->second;
    return json_response(200, {{"open_tickets", n.open},
                               {"history_tickets", n.history},
                               {"offered_by", offers_json(o == offers.end() ? nullptr : &o->second)}});
}

http::Response delete_group(const http::Request& req, const Principal& who, Context& ctx) {
    const std::string& id = req.params.at("id");
    if (!ctx.store.group(id)) return no_such_group(id);
    if (auto refused = group_deletion_refused(ctx, id)) {
        // The profiles also as data, so the console can name them in its own words.
        http::Response r = http::coded_problem(409, "group_offered", *refused);
        auto doc = nlohmann::ordered_json::parse(r.body);
        const auto offers = group_offers(ctx);
        const auto o = offers.find(id);
        doc["offered_by"] = offers_json(o == offers.end() ? nullptr : &o->second);
        r.body = doc.dump();
        return r;
    }
    auto done = ctx.store.delete_group(id);
    if (!done) return store_failure(done.error());
    // Its open tickets are unassigned: every console hears "queue-changed" and reloads.
    team_changed(ctx, who, "group-deleted",
                 {{"group_id", id}, {"unassigned", done->unassigned}, {"deleted_history", done->deleted_history}});
    return json_response(200, {{"unassigned", done->unassigned}, {"deleted_history", done->deleted_history}});
}

http::Response get_members(const http::Request& req, const Principal&, Context& ctx) {
    const std::string& id = req.params.at("id");
    if (!ctx.store.group(id)) return no_such_group(id);
    return json_response(200, {{"user_ids", ctx.store.group_members(id)}});
}

http::Response put_members(const http::Request& req, const Principal& who, Context& ctx) {
    const std::string& id = req.params.at("id");
    if (!ctx.store.group(id)) return no_such_group(id);
    // "users" is the same list under the name the group's "members" suggests.
    BodyReader body(req, {"user_ids", "users"});
    if (body.failure()) return *body.failure();
    const char* field = body.has("users") && !body.has("user_ids") ? "users" : "user_ids";
    if (body.has("users") && body.has("user_ids")) body.error("users", "send either user_ids or users, not both");
    auto ids = body.integer_array(field, Need::required);
    if (ids) {
        for (UserId uid : *ids)
            if (!ctx.store.user(uid)) body.error(field, "user " + std::to_string(uid) + " does not exist");
        std::sort(ids->begin(), ids->end());
        ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
    }
    if (!body.ok()) return body.problem();
    if (auto s = ctx.store.set_group_members(id, *ids); !s) return store_failure(s.error());
    team_changed(ctx, who, "group-members-set", {{"group_id", id}, {"user_ids", *ids}});
    return json_response(200, {{"user_ids", *ids}});
}

}  // namespace helpline::server::api
