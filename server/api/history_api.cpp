// History: closed and expired tickets in the caller's history view, one keyset page at a
// time; the same page as CSV; requester emails for the console's type-ahead
// (docs/protocol.md, "History").
#include <fmt/format.h>

#include <charconv>
#include <variant>

#include "server/api/body_reader.h"
#include "server/api/csv.h"
#include "server/api/handlers.h"
#include "server/api/services.h"
#include "server/api/ticket_writer.h"

namespace helpline::server::api {
namespace {

constexpr std::int64_t kMaxDays = 3650;

std::optional<HistoryCursor> parse_cursor(std::string_view text) {
    const auto dot = text.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    const auto closed = parse_decimal(text.substr(0, dot));
    const auto number = parse_decimal(text.substr(dot + 1));
    if (!closed || !number || *number <= 0) return std::nullopt;
    return HistoryCursor{*closed, *number};
}

std::string format_cursor(const HistoryCursor& c) {
    return fmt::format("{}.{}", c.closed_at, c.number);
}

/// The history filter a request names, or the 400 that lists every bad parameter.
std::variant<HistoryFilter, http::Response> history_filter(const http::Request& req, const Principal& who,
                                                           Context& ctx) {
    HistoryFilter filter;
    std::vector<http::FieldError> errors;
    const auto param = [&](const char* name) -> std::optional<std::string> {
        const auto it = req.query.find(name);
        if (it == req.query.end()) return std::nullopt;
        return it->second;
    };
    if (auto email = param("email"); email && !email->empty()) {
        if (email->size() > 254) errors.push_back({"email", "must be at most 254 characters"});
        else filter.email = *email;
    }
    for (const char* name : {"from", "to"}) {
        const auto value = param(name);
        if (!value || value->empty()) continue;
        auto t = parse_time(*value);
        if (!t) errors.push_back({name, "must be a date (2026-11-25) or UTC time (2026-11-25T10:00:00Z)"});
        else (std::string_view(name) == "from" ? filter.from : filter.to) = *t;
    }
    if (auto days = param("days"); days && !days->empty()) {
        const auto v = parse_decimal(*days);
        if (!v || *v < 1 || *v > kMaxDays) {
            errors.push_back({"days", fmt::format("must be a number of days from 1 to {}", kMaxDays)});
        } else {
            const Timestamp since = ctx.clock.now() - *v * 86400;
            filter.from = filter.from ? std::max(*filter.from, since) : since;
        }
    }
    if (filter.from && filter.to && *filter.from >= *filter.to && !param("days"))
        errors.push_back({"to", "must be after from"});
    if (auto limit = param("limit"); limit) {
        const auto v = parse_decimal(*limit);
        if (!v || *v < 1 || *v > 1000) errors.push_back({"limit", "must be an integer from 1 to 1000"});
        else filter.limit = static_cast<int>(*v);
    }
    if (auto after = param("after"); after && !after->empty()) {
        auto c = parse_cursor(*after);
        if (!c) errors.push_back({"after", "must be the \"next\" of a previous history page"});
        else filter.after = *c;
    }
    if (!errors.empty())
        return http::problem(400, "Invalid history filter.", std::move(errors), "urn:helpline:problem:validation");
    // The store applies the operator's history view before the limit, so a page is full.
    filter.visible_to = view_of(who);
    return filter;
}

}  // namespace

http::Response get_history(const http::Request& req, const Principal& who, Context& ctx) {
    auto parsed = history_filter(req, who, ctx);
    if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
    const HistoryPage page = ctx.store.history(std::get<HistoryFilter>(parsed));
    const auto dir = Directory::load(ctx.store);
    const Timestamp now = ctx.clock.now();
    http::Response r;
    r.body = "{\"next\":";
    if (page.next) write_json_string(r.body, format_cursor(*page.next));
    else r.body += "null";
    r.body += ",\"tickets\":[";
    r.body.reserve(page.tickets.size() * 700);
    for (std::size_t i = 0; i < page.tickets.size(); ++i) {
        if (i > 0) r.body += ',';
        write_ticket_json(r.body, page.tickets[i], dir, now, false);
    }
    r.body += "]}";
    return r;
}

http::Response export_history(const http::Request& req, const Principal& who, Context& ctx) {
    auto parsed = history_filter(req, who, ctx);
    if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
    const HistoryPage page = ctx.store.history(std::get<HistoryFilter>(parsed));
    const auto dir = Directory::load(ctx.store);
    std::string body = csv_record({"number", "requester_email", "organization", "subject", "group", "operator",
                                   "priority", "status", "created_at", "closed_at", "time_to_close_s"});
    for (const Ticket& t : page.tickets) {
        const auto group = t.group_id ? dir.groups.find(*t.group_id) : dir.groups.end();
        const std::string group_name =
            !t.group_id ? std::string{} : group == dir.groups.end() ? *t.group_id : group->second.name;
        body += csv_record({csv_field(std::to_string(t.number), false), csv_field(t.email),
                            csv_field(dir.organization_for(t.email).value_or("")), csv_field(t.subject),
                            csv_field(group_name), csv_field(dir.user_name(t.operator_id)),
                            csv_field(to_string(t.priority), false), csv_field(to_string(t.status), false),
                            csv_field(format_time(t.created_at), false),
                            csv_field(t.closed_at ? format_time(*t.closed_at) : std::string{}, false),
                            csv_field(t.closed_at ? std::to_string(*t.closed_at - t.created_at) : std::string{}, false)});
    }
    return csv_download(std::move(body), "helpline-history", ctx.clock.now());
}

http::Response history_requesters(const http::Request& req, const Principal& who, Context& ctx) {
    std::vector<http::FieldError> errors;
    std::string prefix;
    if (auto it = req.query.find("prefix"); it != req.query.end()) prefix = it->second;
    if (prefix.empty() || prefix.size() > 254) errors.push_back({"prefix", "must be 1 to 254 characters"});
    int limit = 10;
    if (auto it = req.query.find("limit"); it != req.query.end()) {
        const auto v = parse_decimal(it->second);
        if (!v || *v < 1 || *v > 50) errors.push_back({"limit", "must be an integer from 1 to 50"});
        else limit = static_cast<int>(*v);
    }
    if (!errors.empty())
        return http::problem(400, "Invalid requester search.", std::move(errors), "urn:helpline:problem:validation");
    // lower() in the database folds ASCII only; so does this.
    for (char& c : prefix)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return json_response(200, {{"emails", ctx.store.history_requesters(prefix, view_of(who), limit)}});
}

}  // namespace helpline::server::api
