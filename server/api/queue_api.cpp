#include <charconv>

#include "server/api/body_reader.h"
#include "server/api/handlers.h"
#include "server/api/services.h"
#include "server/api/visibility.h"

namespace helpline::server::api {
namespace {

/// The ticket if the caller may see it; 404 otherwise (we do not reveal that a ticket
/// the caller may not see exists).
std::variant<Ticket, http::Response> visible_ticket(const http::Request& req, const Principal& who, Context& ctx) {
    const auto number = ticket_number_param(req);
    if (!number) return http::problem(404, "There is no such ticket.");
    auto t = ctx.store.ticket(*number);
    if (!t || !(t->status == TicketStatus::open ? can_see_ticket(*who.user, who.groups, *t)
                                                : can_see_history(*who.user, who.groups, *t)))
        return http::problem(404, "There is no ticket " + std::to_string(*number) + " in your view.");
    return std::move(*t);
}

}  // namespace

std::optional<TicketNumber> ticket_number_param(const http::Request& request) {
    const auto it = request.params.find("number");
    if (it == request.params.end()) return std::nullopt;
    TicketNumber n = 0;
    const auto& s = it->second;
    if (std::from_chars(s.data(), s.data() + s.size(), n).ec != std::errc() || n <= 0 ||
        std::to_string(n) != s)
        return std::nullopt;
    return n;
}

http::Response get_queue(const http::Request&, const Principal& who, Context& ctx) {
    std::vector<Ticket> tickets = ctx.store.open_tickets();
    std::erase_if(tickets, [&](const Ticket& t) { return !can_see_ticket(*who.user, who.groups, t); });
    sort_queue(tickets);
    const auto dir = Directory::load(ctx.store);
    const Timestamp now = ctx.clock.now();
    nlohmann::json list = nlohmann::json::array();
    for (const Ticket& t : tickets)
        list.push_back(ticket_json(t, dir, now, !t.device_id.empty() && ctx.hub.device_online(t.device_id)));
    return json_response(200, {{"tickets", list}});
}

http::Response patch_ticket(const http::Request& req, const Principal& who, Context& ctx) {
    auto found = visible_ticket(req, who, ctx);
    if (auto* r = std::get_if<http::Response>(&found)) return std::move(*r);
    const Ticket before = std::get<Ticket>(found);
    if (before.status != TicketStatus::open)
        return http::problem(409, "Ticket " + std::to_string(before.number) + " is " +
                                      std::string(to_string(before.status)) + " and can no longer change.");

    BodyReader body(req, {"priority", "group_id", "operator_id"});
    if (body.failure()) return *body.failure();
    TicketChanges changes;
    if (body.has("priority")) {
        auto p = body.string("priority", Need::required, 10);
        if (p) {
            changes.priority = parse_priority(*p);
            if (!changes.priority) body.error("priority", "must be one of low, medium, high, urgent");
        }
    }
    if (body.has("group_id")) {
        if (body.is_null("group_id")) {
            changes.group_id = std::optional<std::string>{};
        } else if (auto g = body.string("group_id", Need::required, 40)) {
            if (!ctx.store.group(*g)) body.error("group_id", "\"" + *g + "\" is not a group of this team");
            else changes.group_id = std::optional<std::string>{*g};
        }
    }
    if (body.has("operator_id")) {
        if (body.is_null("operator_id")) {
            changes.operator_id = std::optional<UserId>{};
        } else if (auto id = body.integer("operator_id", Need::required)) {
            auto u = ctx.store.user(*id);
            if (!u || u->disabled) body.error("operator_id", "is not an active user of this team");
            else changes.operator_id = std::optional<UserId>{*id};
        }
    }
    if (!body.ok()) return body.problem();

    auto after = ctx.store.update_ticket(before.number, changes, ctx.clock.now());
    if (!after) return http::problem(409, after.error().message);
    if (changes.operator_id && *changes.operator_id) (void)ctx.store.add_handler(before.number, **changes.operator_id);
    audit(ctx, who.actor(), "ticket-updated", before.number, {}, {},
          {{"priority", to_string(after->priority)},
           {"group_id", after->group_id ? nlohmann::json(*after->group_id) : nlohmann::json()},
           {"operator_id", after->operator_id ? nlohmann::json(*after->operator_id) : nlohmann::json()}});
    ticket_changed(ctx, *after, &before);
    const auto dir = Directory::load(ctx.store);
    const bool still_visible = can_see_ticket(*who.user, who.groups, *after);
    auto j = ticket_json(*after, dir, ctx.clock.now(), ctx.hub.device_online(after->device_id));
    j["visible_to_you"] = still_visible;
    return json_response(200, j);
}

http::Response close_ticket(const http::Request& req, const Principal& who, Context& ctx) {
    auto found = visible_ticket(req, who, ctx);
    if (auto* r = std::get_if<http::Response>(&found)) return std::move(*r);
    const Ticket before = std::get<Ticket>(found);
    auto closed = ctx.store.close_ticket(before.number, who.user->id, ctx.clock.now());
    if (!closed)
        return http::problem(409, "Ticket " + std::to_string(before.number) + " is already " +
                                      std::string(to_string(before.status)) + ".");
    audit(ctx, who.actor(), "ticket-closed", before.number);
    requests_cancelled(ctx, *closed, who.actor());
    ticket_changed(ctx, closed->ticket, &before);
    return json_response(200, ticket_json(closed->ticket, Directory::load(ctx.store), ctx.clock.now(), false));
}

http::Response get_history(const http::Request& req, const Principal& who, Context& ctx) {
    HistoryFilter filter;
    std::vector<http::FieldError> errors;
    if (auto it = req.query.find("email"); it != req.query.end()) filter.email = it->second;
    for (const char* name : {"from", "to"}) {
        auto it = req.query.find(name);
        if (it == req.query.end()) continue;
        auto t = parse_time(it->second);
        if (!t) errors.push_back({name, "must be a date (2026-11-25) or UTC time (2026-11-25T10:00:00Z)"});
        else (std::string_view(name) == "from" ? filter.from : filter.to) = *t;
    }
    if (auto it = req.query.find("limit"); it != req.query.end()) {
        const auto v = parse_decimal(it->second);
        if (!v || *v < 1 || *v > 1000) errors.push_back({"limit", "must be an integer from 1 to 1000"});
        else filter.limit = static_cast<int>(*v);
    }
    if (!errors.empty())
        return http::problem(400, "Invalid history filter.", std::move(errors), "urn:helpline:problem:validation");
    // The store applies the operator's history view before the limit, so a page is full.
    if (!who.is_admin()) filter.visible_to = who.user->id;
    std::vector<Ticket> tickets = ctx.store.history(filter);
    const auto dir = Directory::load(ctx.store);
    nlohmann::json list = nlohmann::json::array();
    for (const Ticket& t : tickets) list.push_back(ticket_json(t, dir, ctx.clock.now(), false));
    return json_response(200, {{"tickets", list}});
}

http::Response get_dashboard(const http::Request&, const Principal& who, Context& ctx) {
    std::vector<Ticket> open = ctx.store.open_tickets();
    std::erase_if(open, [&](const Ticket& t) { return !can_see_ticket(*who.user, who.groups, t); });
    const auto dir = Directory::load(ctx.store);
    const Timestamp now = ctx.clock.now();
    nlohmann::json by_priority = {{"low", 0}, {"medium", 0}, {"high", 0}, {"urgent", 0}};
    nlohmann::json by_group = nlohmann::json::object();
    std::map<std::string, nlohmann::json> workload;
    int unassigned = 0;
    const Ticket* oldest = nullptr;
    for (const Ticket& t : open) {
        by_priority[std::string(to_string(t.priority))] = by_priority[std::string(to_string(t.priority))].get<int>() + 1;
        const std::string g = t.group_id.value_or("");
        by_group[g.empty() ? "(none)" : g] = by_group.value(g.empty() ? "(none)" : g, 0) + 1;
        if (t.operator_id) {
            auto& w = workload[std::to_string(*t.operator_id)];
            if (w.is_null()) w = {{"id", *t.operator_id}, {"name", dir.user_name(t.operator_id)}, {"open", 0}};
            w["open"] = w["open"].get<int>() + 1;
        } else {
            ++unassigned;
        }
        if (!oldest || t.created_at < oldest->created_at) oldest = &t;
    }
    nlohmann::json work = nlohmann::json::array();
    for (auto& [id, w] : workload) work.push_back(w);
    // History counts over the caller's history view, as GET /history shows it.
    const HistoryCounts history = ctx.store.history_counts(who.is_admin() ? std::nullopt
                                                                          : std::optional<UserId>(who.user->id));
    nlohmann::json j = {{"open", open.size()},
                        {"by_status", {{"open", open.size()}, {"closed", history.closed}, {"expired", history.expired}}},
                        {"unassigned", unassigned},
                        {"by_priority", by_priority},
                        {"by_group", by_group},
                        {"workload", work},
                        {"oldest_waiting", oldest ? nlohmann::json{{"number", oldest->number},
                                                                    {"waiting_s", now - oldest->created_at}}
                                                  : nlohmann::json()}};
    return json_response(200, j);
}

http::Response console_events(const http::Request&, const Principal& who, Context& ctx) {
    auto viewer = std::make_shared<ConsoleViewer>(*who.user, who.groups, who.session_token_hash,
                                                  ctx.store.team_revision());
    auto sink = ctx.hub.subscribe_console(std::move(viewer));
    sink->push(http::EventSink::frame("hello", nlohmann::json{{"user_id", who.user->id}}.dump()));
    http::Response r;
    r.content_type = "text/event-stream";
    r.stream = std::move(sink);
    return r;
}

}  // namespace helpline::server::api
