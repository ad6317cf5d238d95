// Team administration: the audit log, filtered, one keyset page at a time, and as CSV
// (docs/protocol.md, "Audit log").
#include <fmt/format.h>

#include <algorithm>
#include <variant>

#include "server/api/body_reader.h"
#include "server/api/csv.h"
#include "server/api/handlers.h"
#include "server/api/services.h"

namespace helpline::server::api {
namespace {

constexpr int kDefaultLimit = 200;
/// An export reads pages of the store's largest size until done; past this many rows it
/// is refused (with what to do) rather than cut short without saying so.
constexpr std::size_t kMaxExportRows = 50'000;

std::optional<std::string> param(const http::Request& req, const char* name) {
    const auto it = req.query.find(name);
    if (it == req.query.end() || it->second.empty()) return std::nullopt;
    return it->second;
}

/// The filter a request names, or the 400 that lists every bad parameter.
std::variant<AuditFilter, http::Response> audit_filter(const http::Request& req) {
    AuditFilter filter;
    filter.limit = kDefaultLimit;
    std::vector<http::FieldError> errors;
    if (auto actor = param(req, "actor")) {
        if (actor->size() > 100) errors.push_back({"actor", "must be at most 100 characters, e.g. user:12, cli or system"});
        else filter.actor = *actor;
    }
    if (auto action = param(req, "action")) {
        if (action->size() > 64) errors.push_back({"action", "must be at most 64 characters, e.g. user-created"});
        else filter.action = *action;
    }
    if (auto ticket = param(req, "ticket")) {
        const auto v = parse_decimal(*ticket);
        if (!v || *v <= 0) errors.push_back({"ticket", "must be a ticket number such as 1042"});
        else filter.ticket = *v;
    }
    for (const char* name : {"from", "to"}) {
        const auto value = param(req, name);
        if (!value) continue;
        const auto t = parse_time(*value);
        if (!t) errors.push_back({name, "must be a date (2026-11-25) or UTC time (2026-11-25T10:00:00Z)"});
        else (std::string_view(name) == "from" ? filter.from : filter.to) = *t;
    }
    if (filter.from && filter.to && *filter.from >= *filter.to) errors.push_back({"to", "must be after from"});
    if (auto limit = param(req, "limit")) {
        const auto v = parse_decimal(*limit);
        if (!v || *v < 1 || *v > 1000) errors.push_back({"limit", "must be an integer from 1 to 1000"});
        else filter.limit = static_cast<int>(*v);
    }
    if (auto after = param(req, "after")) {
        const auto v = parse_decimal(*after);
        if (!v || *v <= 0) errors.push_back({"after", "must be the \"next\" of a previous audit page"});
        else filter.after = *v;
    }
    if (!errors.empty())
        return http::problem(400, "Invalid audit log filter.", std::move(errors), "urn:helpline:problem:validation");
    return filter;
}

/// The name behind a "user:ID" actor, for people reading the log; empty otherwise.
std::string actor_name(const Directory& dir, const std::string& actor) {
    if (actor.rfind("user:", 0) != 0) return {};
    const auto id = parse_decimal(std::string_view(actor).substr(5));
    return id ? dir.user_name(*id) : std::string{};
}

}  // namespace

http::Response get_audit(const http::Request& req, const Principal&, Context& ctx) {
    auto parsed = audit_filter(req);
    if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
    const AuditPage page = ctx.store.audit_page(std::get<AuditFilter>(parsed));
    const auto dir = Directory::load(ctx.store);
    nlohmann::json list = nlohmann::json::array();
    for (const AuditEntry& e : page.entries) {
        const std::string name = actor_name(dir, e.actor);
        list.push_back({{"id", e.id},
                        {"at", format_time(e.at)},
                        {"actor", e.actor},
                        {"actor_name", name.empty() ? nlohmann::json() : nlohmann::json(name)},
                        {"action", e.action},
                        {"ticket_number", e.ticket_number ? nlohmann::json(*e.ticket_number) : nlohmann::json()},
                        {"request_id", e.request_id},
                        {"session_id", e.session_id},
                        {"detail", nlohmann::json::parse(e.detail, nullptr, false)}});
    }
    return json_response(200, {{"entries", list},
                               {"next", page.next ? nlohmann::json(std::to_string(*page.next)) : nlohmann::json()}});
}

http::Response export_audit(const http::Request& req, const Principal&, Context& ctx) {
    auto parsed = audit_filter(req);
    if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
    // Every entry the filters select, not one page: `limit` and `after` only say where to
    // start and how many to read at a time.
    AuditFilter filter = std::get<AuditFilter>(parsed);
    filter.limit = 1000;
    std::vector<AuditEntry> rows;
    for (;;) {
        AuditPage page = ctx.store.audit_page(filter);
        rows.insert(rows.end(), std::make_move_iterator(page.entries.begin()),
                    std::make_move_iterator(page.entries.end()));
        if (rows.size() > kMaxExportRows)
            return http::problem(422,
                                 fmt::format("More than {} audit entries match; narrow the date range (from, to) "
                                             "or filter by actor, action or ticket, and export in parts.",
                                             kMaxExportRows),
                                 {{"from", "narrow the range"}}, "urn:helpline:problem:validation");
        if (!page.next) break;
        filter.after = page.next;
    }
    const auto dir = Directory::load(ctx.store);
    std::string body = csv_record(
        {"id", "at", "actor", "actor_name", "action", "ticket_number", "request_id", "session_id", "detail"});
    for (const AuditEntry& e : rows)
        body += csv_record({csv_field(std::to_string(e.id), false), csv_field(format_time(e.at), false),
                            csv_field(e.actor), csv_field(actor_name(dir, e.actor)), csv_field(e.action),
                            csv_field(e.ticket_number ? std::to_string(*e.ticket_number) : std::string{}, false),
                            csv_field(e.request_id), csv_field(e.session_id), csv_field(e.detail)});
    return csv_download(std::move(body), "helpline-audit", ctx.clock.now());
}

}  // namespace helpline::server::api
