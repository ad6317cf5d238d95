#include <algorithm>
#include <charconv>

#include "server/api/body_reader.h"
#include "server/api/handlers.h"
#include "server/api/services.h"
#include "server/api/ticket_timeline.h"
#include "server/api/ticket_writer.h"
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

/// The "ticket-updated" audit detail: the fields after the change, and under "from" the
/// ones that changed as they were before (a ticket's timeline says what changed).
nlohmann::json update_detail(const Ticket& before, const Ticket& after) {
    const auto group = [](const Ticket& t) { return t.group_id ? nlohmann::json(*t.group_id) : nlohmann::json(); };
    const auto op = [](const Ticket& t) { return t.operator_id ? nlohmann::json(*t.operator_id) : nlohmann::json(); };
    nlohmann::json from = nlohmann::json::object();
    if (before.priority != after.priority) from["priority"] = to_string(before.priority);
    if (before.group_id != after.group_id) from["group_id"] = group(before);
    if (before.operator_id != after.operator_id) from["operator_id"] = op(before);
    return {{"priority", to_string(after.priority)}, {"group_id", group(after)}, {"operator_id", op(after)}, {"from", from}};
}

}  // namespace

std::optional<UserId> view_of(const Principal& who) {
    if (who.is_admin()) return std::nullopt;
    return who.user->id;
}

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
    // The view is the query's (store.h): an operator's 500 tickets out of 20,000 open ones
    // are read, not the 20,000.
    const std::vector<Ticket> tickets = ctx.store.queue(view_of(who));
    const auto dir = Directory::load(ctx.store);
    const Timestamp now = ctx.clock.now();
    // How far the caller has read each conversation a customer wrote in: the console marks
    // the tickets with a reply it has not read.
    std::vector<TicketNumber> with_replies;
    for (const Ticket& t : tickets)
        if (t.last_customer_message_id > 0) with_replies.push_back(t.number);
    const auto marks = ctx.store.read_marks(reader_of(who), with_replies);
    http::Response r;
    r.body = "{\"tickets\":[";
    r.body.reserve(tickets.size() * 730);
    for (std::size_t i = 0; i < tickets.size(); ++i) {
        const Ticket& t = tickets[i];
        if (i > 0) r.body += ',';
        write_ticket_json(r.body, t, dir, now, !t.device_id.empty() && device_online(ctx, t.device_id));
        const auto mark = marks.find(t.number);
        r.body.pop_back();  // the ticket's '}': its reader's mark goes in it
        r.body += ",\"read_message_id\":" + std::to_string(mark == marks.end() ? 0 : mark->second) + '}';
    }
    r.body += "]}";
    return r;
}

http::Response get_team(const http::Request&, const Principal& who, Context& ctx) {
    nlohmann::json operators = nlohmann::json::array();
    std::vector<User> users = ctx.store.users();
    std::erase_if(users, [](const User& u) { return u.disabled; });
    std::sort(users.begin(), users.end(), [](const User& a, const User& b) {
        return a.name != b.name ? a.name < b.name : a.id < b.id;
    });
    for (const User& u : users) operators.push_back({{"id", u.id}, {"name", u.name}, {"role", to_string(u.role)}});
    std::vector<Group> groups = ctx.store.groups();
    std::sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
        return a.name != b.name ? a.name < b.name : a.id < b.id;
    });
    nlohmann::json list = nlohmann::json::array();
    for (const Group& g : groups) {
        const bool member = std::find(who.groups.begin(), who.groups.end(), g.id) != who.groups.end();
        list.push_back({{"id", g.id}, {"name", g.name}, {"member", member}});
    }
    return json_response(200, {{"me", who.user->id}, {"operators", operators}, {"groups", list}});
}

http::Response get_ticket(const http::Request& req, const Principal& who, Context& ctx) {
    auto found = visible_ticket(req, who, ctx);
    if (auto* r = std::get_if<http::Response>(&found)) return std::move(*r);
    const Ticket& t = std::get<Ticket>(found);
    const auto dir = Directory::load(ctx.store);
    const bool online = t.status == TicketStatus::open && !t.device_id.empty() && device_online(ctx, t.device_id);
    nlohmann::json j = ticket_json(t, dir, ctx.clock.now(), online);
    j["closed_by"] = t.closed_by ? nlohmann::json{{"id", *t.closed_by}, {"name", dir.user_name(t.closed_by)}}
                                 : nlohmann::json();
    j["timeline"] = ticket_timeline(ctx.store.ticket_audit(t.number), dir);
    const auto marks = ctx.store.read_marks(reader_of(who), {t.number});
    j["read_message_id"] = marks.empty() ? 0 : marks.begin()->second;
    return json_response(200, j);
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
    changes.actor = who.user->id;  // told of nothing by email: they did it

    auto after = ctx.store.update_ticket(before.number, changes, ctx.clock.now());
    if (!after) return http::problem(409, after.error().message);
    if (changes.operator_id && *changes.operator_id) (void)ctx.store.add_handler(before.number, **changes.operator_id);
    audit(ctx, who.actor(), "ticket-updated", before.number, {}, {}, update_detail(before, *after));
    ticket_changed(ctx, *after, &before);
    const auto dir = Directory::load(ctx.store);
    const bool still_visible = can_see_ticket(*who.user, who.groups, *after);
    auto j = ticket_json(*after, dir, ctx.clock.now(), device_online(ctx, after->device_id));
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
