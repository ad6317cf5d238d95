// The dashboard: the workload in the caller's views (docs/protocol.md, "Dashboard"). The
// store counts in one snapshot (Store::dashboard); this shapes the figures.
#include <algorithm>
#include <map>

#include "server/api/body_reader.h"
#include "server/api/handlers.h"
#include "server/api/services.h"

namespace helpline::server::api {
namespace {

constexpr Timestamp kHour = 3600;
constexpr Timestamp kDay = 24 * kHour;

std::optional<std::int64_t> median(const std::vector<std::int64_t>& sorted) {
    if (sorted.empty()) return std::nullopt;
    const std::size_t n = sorted.size();
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

}  // namespace

http::Response get_dashboard(const http::Request& req, const Principal& who, Context& ctx) {
    const Timestamp now = ctx.clock.now();
    Timestamp day_start = now - now % kDay;  // midnight UTC
    if (auto it = req.query.find("day_start"); it != req.query.end() && !it->second.empty()) {
        const auto t = parse_time(it->second);
        // 25 hours: the day the clocks go back is that long.
        if (!t || *t > now || *t < now - kDay - kHour)
            return http::problem(400, "Invalid dashboard request.",
                                 {{"day_start", "must be a UTC time within the last 25 hours (when your day began)"}},
                                 "urn:helpline:problem:validation");
        day_start = *t;
    }
    // 24 hourly buckets, the last one the current hour.
    const Timestamp hours_from = (now / kHour - 23) * kHour;
    DashboardQuery query;
    query.visible_to = view_of(who);
    query.since = std::min(day_start, hours_from);
    query.week_from = now - 7 * kDay;
    const DashboardData d = ctx.store.dashboard(query);
    const auto dir = Directory::load(ctx.store);

    std::int64_t open = 0;
    std::int64_t unassigned = 0;
    nlohmann::json by_priority = {{"low", 0}, {"medium", 0}, {"high", 0}, {"urgent", 0}};
    nlohmann::json by_group = nlohmann::json::object();
    struct Work {
        std::int64_t open = 0;
        std::int64_t closed_today = 0;
    };
    std::map<UserId, Work> work;
    for (const auto& c : d.open) {
        open += c.count;
        auto& p = by_priority[std::string(to_string(c.priority))];
        p = p.get<std::int64_t>() + c.count;
        const std::string g = c.group_id.value_or("(none)");
        by_group[g] = by_group.value(g, std::int64_t{0}) + c.count;
        if (c.operator_id) work[*c.operator_id].open += c.count;
        else unassigned += c.count;
    }
    std::int64_t closed_today = 0;
    for (const auto& c : d.closed) {
        if (c.closed_at < day_start) continue;
        ++closed_today;
        if (c.closed_by) ++work[*c.closed_by].closed_today;
    }
    // An admin sees every active user, idle ones too; an operator the users with a figure
    // in their views.
    if (who.is_admin())
        for (const auto& [id, u] : dir.users)
            if (!u.disabled) work.try_emplace(id);
    std::vector<std::pair<UserId, Work>> rows(work.begin(), work.end());
    std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
        const auto na = dir.user_name(a.first);
        const auto nb = dir.user_name(b.first);
        return na != nb ? na < nb : a.first < b.first;
    });
    nlohmann::json workload = nlohmann::json::array();
    for (const auto& [id, w] : rows)
        workload.push_back({{"id", id}, {"name", dir.user_name(id)}, {"open", w.open}, {"closed_today", w.closed_today}});

    std::vector<std::int64_t> created(24, 0);
    std::vector<std::int64_t> closed(24, 0);
    for (const Timestamp t : d.created)
        if (t >= hours_from && t < hours_from + 24 * kHour) ++created[static_cast<std::size_t>((t - hours_from) / kHour)];
    for (const auto& c : d.closed)
        if (c.closed_at >= hours_from && c.closed_at < hours_from + 24 * kHour)
            ++closed[static_cast<std::size_t>((c.closed_at - hours_from) / kHour)];
    nlohmann::json per_hour = nlohmann::json::array();
    for (std::size_t i = 0; i < 24; ++i)
        per_hour.push_back({{"start", format_time(hours_from + static_cast<Timestamp>(i) * kHour)},
                            {"created", created[i]},
                            {"closed", closed[i]}});

    const auto median_s = median(d.close_durations);
    nlohmann::json j = {
        {"open", open},
        {"by_status", {{"open", open}, {"closed", d.history.closed}, {"expired", d.history.expired}}},
        {"unassigned", unassigned},
        {"by_priority", by_priority},
        {"by_group", by_group},
        {"workload", workload},
        {"oldest_waiting", d.oldest_open ? nlohmann::json{{"number", d.oldest_open->number},
                                                          {"waiting_s", now - d.oldest_open->created_at}}
                                         : nlohmann::json()},
        {"closed_today", closed_today},
        {"per_hour", per_hour},
        {"time_to_close_7d", {{"median_s", median_s ? nlohmann::json(*median_s) : nlohmann::json()},
                              {"count", d.close_durations.size()}}},
        {"day_start", format_time(day_start)},
        {"generated_at", format_time(now)}};
    return json_response(200, j);
}

}  // namespace helpline::server::api
