// The SQLite Store: what the console reads — the queue view, history pages, requester
// type-ahead, the dashboard's figures and a ticket's audit trail. Each list is a range
// scan of an index in the list's own order (migration 3), so a page costs about the same
// with a thousand tickets or a million; docs/benchmarks.md shows the query plans.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "server/store/sql_store.h"
#include "server/store/ticket_rows.h"

namespace helpline::server {

namespace {

// An operator's queue view (§6): open tickets of their groups, and those assigned to
// them. Two parameters, both the user's id. Only inside a query that reads a range of
// tickets_status_created anyway (the dashboard's tickets created since): SQLite serves this
// OR from that index, i.e. reads every open ticket, so the view's list comes from
// queue_view() instead.
constexpr const char* kQueueView =
    " AND (group_id IN (SELECT group_id FROM group_members WHERE user_id = ?)"
    " OR operator_id = ?)";
// An operator's history view (§6): tickets they handled or that belong to one of their
// groups. Two parameters, both the user's id. EXISTS, not `number IN (SELECT ticket_number
// ...)`: SQLite builds the IN list from every ticket the operator ever handled (tens of
// thousands after two years) on each run, where EXISTS is one primary-key probe per row
// the rest of the query reads (benchmarks.md, "The operator console at scale").
constexpr const char* kHistoryView =
    " AND (EXISTS (SELECT 1 FROM ticket_handlers h WHERE h.ticket_number = tickets.number"
    " AND h.user_id = ?)"
    " OR group_id IN (SELECT group_id FROM group_members WHERE user_id = ?))";
constexpr const char* kHistoryOrder = " ORDER BY closed_at DESC, number DESC";

/// The conditions every history source shares (email, window, cursor), for a table
/// whose close time is `closed` and number `number`; binds them in the same order.
struct HistoryConditions {
    const HistoryFilter& filter;

    std::string sql(const char* closed, const char* number, bool with_email) const {
        std::string s;
        if (with_email && filter.email) s += " AND lower(email) = lower(?)";
        if (filter.from) s += fmt::format(" AND {} >= ?", closed);
        if (filter.to) s += fmt::format(" AND {} < ?", closed);
        if (filter.after) s += fmt::format(" AND ({}, {}) < (?, ?)", closed, number);
        return s;
    }

    void bind(Statement& stmt, bool with_email) const {
        if (with_email && filter.email) stmt.bind(*filter.email);
        if (filter.from) stmt.bind(*filter.from);
        if (filter.to) stmt.bind(*filter.to);
        if (filter.after) stmt.bind(filter.after->closed_at, filter.after->number);
    }
};

bool history_before(const Ticket& a, const Ticket& b) {
    const Timestamp ca = a.closed_at.value_or(0);
    const Timestamp cb = b.closed_at.value_or(0);
    if (ca != cb) return ca > cb;
    return a.number > b.number;
}

/// Upper bound of the strings that start with `prefix` (byte order): U+10FFFF, the last
/// code point, is F4 8F BF BF in UTF-8 and no character's encoding sorts above it, so every
/// such string sorts below prefix + U+10FFFF. It is valid UTF-8, which PostgreSQL insists
/// on (its databases for Helpline use the C collation, byte order: docs/operations.md).
std::string prefix_end(const std::string& prefix) {
    return prefix + "\xf4\x8f\xbf\xbf";
}

std::vector<std::string> member_groups(Db& db, UserId user) {
    std::vector<std::string> groups;
    auto stmt = db.prepare("SELECT group_id FROM group_members WHERE user_id = ? ORDER BY group_id");
    stmt.bind(user);
    while (stmt.step()) groups.push_back(stmt.text(0));
    return groups;
}

void read_tickets(Db& db, Statement& stmt, std::vector<Ticket>& out) {
    while (stmt.step()) out.push_back(read_ticket(db, stmt));
}

int priority_rank(Priority p) {
    switch (p) {
        case Priority::urgent: return 3;
        case Priority::high: return 2;
        case Priority::medium: return 1;
        case Priority::low: break;
    }
    return 0;
}

/// kQueueOrder, in C++.
bool queue_before(const Ticket& a, const Ticket& b) {
    return std::tuple(-priority_rank(a.priority), a.created_at, a.number) <
           std::tuple(-priority_rank(b.priority), b.created_at, b.number);
}

/// An operator's queue view (§6), in queue order: one range of tickets_open_group per group
/// of theirs and one of tickets_open_operator, merged. Written as one query
/// (`group_id IN (...) OR operator_id = ?`), SQLite's planner, which has no statistics,
/// prefers tickets_status_created and reads every open ticket to keep the few in the view
/// (measured with 20,000 open tickets: 12 ms against 2 ms; benchmarks.md).
std::vector<Ticket> queue_view(Db& db, UserId user) {
    std::vector<Ticket> tickets;
    const std::string open = fmt::format("SELECT {} FROM tickets WHERE status = 'open'", kTicketColumns);
    for (const auto& group : member_groups(db, user)) {
        auto stmt = db.prepare(open + " AND group_id = ?");
        stmt.bind(group);
        read_tickets(db, stmt, tickets);
    }
    auto mine = db.prepare(open + " AND operator_id = ?");
    mine.bind(user);
    read_tickets(db, mine, tickets);
    std::sort(tickets.begin(), tickets.end(), queue_before);
    // A ticket of one of their groups assigned to them came twice; the copies are adjacent.
    tickets.erase(std::unique(tickets.begin(), tickets.end(),
                              [](const Ticket& a, const Ticket& b) { return a.number == b.number; }),
                  tickets.end());
    return tickets;
}

/// Closed and expired tickets in a history view, by status, from history_counts (kept per
/// group with every close, expiry and group deletion; migration 4): the whole team's is
/// the sum of its rows; an operator's the rows of their groups plus the tickets they
/// handled outside them (ticket_handlers_history, one probe each).
HistoryCounts count_history(Db& db, std::optional<UserId> visible_to) {
    HistoryCounts counts;
    const auto add = [&](Statement& stmt) {
        while (stmt.step()) (stmt.text(0) == "closed" ? counts.closed : counts.expired) += stmt.int64(1);
    };
    if (!visible_to) {
        auto stmt = db.prepare("SELECT status, SUM(n) FROM history_counts GROUP BY status");
        add(stmt);
        return counts;
    }
    for (const auto& group : member_groups(db, *visible_to)) {
        auto stmt = db.prepare("SELECT status, n FROM history_counts WHERE group_id = ?");
        stmt.bind(group);
        add(stmt);
    }
    auto handled = db.prepare(
        "SELECT t.status, COUNT(*) FROM ticket_handlers h JOIN tickets t ON t.number = h.ticket_number "
        "WHERE h.user_id = ? AND h.closed_at IS NOT NULL AND t.status <> 'open' AND (t.group_id IS NULL OR "
        "t.group_id NOT IN (SELECT group_id FROM group_members WHERE user_id = ?)) GROUP BY t.status");
    handled.bind(*visible_to, *visible_to);
    add(handled);
    return counts;
}

}  // namespace

std::vector<Ticket> SqlStore::queue(std::optional<UserId> visible_to) {
    return read_only([&] {
        Transaction tx(db(), Transaction::Kind::read);
        if (visible_to) return queue_view(db(), *visible_to);
        auto stmt = db().prepare(
            fmt::format("SELECT {} FROM tickets WHERE status = 'open' ORDER BY {}", kTicketColumns, kQueueOrder));
        return load_tickets(stmt, false);
    });
}

HistoryPage SqlStore::merge_history(std::vector<std::vector<Ticket>> sources, int limit) {
    std::vector<Ticket> all;
    for (auto& source : sources)
        for (auto& t : source) all.push_back(std::move(t));
    std::sort(all.begin(), all.end(), history_before);
    // A ticket of one of the operator's groups that they also handled comes from both.
    all.erase(std::unique(all.begin(), all.end(),
                          [](const Ticket& a, const Ticket& b) { return a.number == b.number; }),
              all.end());
    HistoryPage page;
    if (static_cast<int>(all.size()) > limit) {
        all.resize(static_cast<std::size_t>(limit));
        page.next = HistoryCursor{all.back().closed_at.value_or(0), all.back().number};
    }
    page.tickets = std::move(all);
    return page;
}

HistoryPage SqlStore::history(const HistoryFilter& filter) {
    return read_only([&]() -> HistoryPage {
        const int limit = clamp_limit(filter.limit);
        const HistoryConditions where{filter};
        Transaction tx(db(), Transaction::Kind::read);
        // One more row than the page tells whether another page follows.
        const auto run = [&](const std::string& sql, auto&& bind_leading, bool with_email) {
            auto stmt = db().prepare(sql);
            bind_leading(stmt);
            where.bind(stmt, with_email);
            stmt.bind(limit + 1);
            return load_tickets(stmt, false);
        };
        const std::string base =
            fmt::format("SELECT {} FROM tickets WHERE status <> 'open'", kTicketColumns);

        // The whole team, or one requester (a few tickets, read from tickets_history_email
        // in history order, with the operator's view checked per row).
        if (!filter.visible_to || filter.email) {
            std::string sql = base + where.sql("closed_at", "number", true);
            if (filter.visible_to) sql += kHistoryView;
            sql += kHistoryOrder;
            sql += " LIMIT ?";
            auto stmt = db().prepare(sql);
            where.bind(stmt, true);
            if (filter.visible_to) stmt.bind(*filter.visible_to, *filter.visible_to);
            stmt.bind(limit + 1);
            return merge_history({load_tickets(stmt, false)}, limit);
        }

        // An operator's view without an email: one ordered range scan per group of theirs
        // (tickets_history_group) and one over what they handled (ticket_handlers_history),
        // merged. Each scan stops after a page, whatever the size of history.
        const UserId me = *filter.visible_to;
        const std::vector<std::string> groups = member_groups(db(), me);
        std::vector<std::vector<Ticket>> sources;
        const std::string per_group =
            base + " AND group_id = ?" + where.sql("closed_at", "number", false) + kHistoryOrder + " LIMIT ?";
        for (const auto& g : groups) sources.push_back(run(per_group, [&](Statement& s) { s.bind(g); }, false));
        const std::string handled =
            fmt::format("SELECT {} FROM ticket_handlers h JOIN tickets t ON t.number = h.ticket_number "
                        "WHERE h.user_id = ? AND h.closed_at IS NOT NULL",
                        kTicketColumnsOfT) +
            where.sql("h.closed_at", "h.ticket_number", false) +
            " ORDER BY h.closed_at DESC, h.ticket_number DESC LIMIT ?";
        sources.push_back(run(handled, [&](Statement& s) { s.bind(me); }, false));
        return merge_history(std::move(sources), limit);
    });
}

HistoryCounts SqlStore::history_counts(std::optional<UserId> visible_to) {
    return read_only([&] {
        Transaction tx(db(), Transaction::Kind::read);
        return count_history(db(), visible_to);
    });
}

std::vector<std::string> SqlStore::history_requesters(const std::string& prefix,
                                                         std::optional<UserId> visible_to, int limit) {
    return read_only([&] {
        std::string sql =
            "SELECT DISTINCT lower(email) FROM tickets WHERE status <> 'open' "
            "AND lower(email) >= ? AND lower(email) < ?";
        if (visible_to) sql += kHistoryView;
        sql += " ORDER BY lower(email) LIMIT ?";
        auto stmt = db().prepare(sql);
        stmt.bind(prefix, prefix_end(prefix));
        if (visible_to) stmt.bind(*visible_to, *visible_to);
        stmt.bind(std::clamp(limit, 1, 50));
        std::vector<std::string> out;
        while (stmt.step()) out.push_back(stmt.text(0));
        return out;
    });
}

DashboardData SqlStore::dashboard(const DashboardQuery& q) {
    return read_only([&] {
        DashboardData d;
        Transaction tx(db(), Transaction::Kind::read);
        const auto bind_view = [&](Statement& s) {
            if (q.visible_to) s.bind(*q.visible_to, *q.visible_to);
        };
        if (q.visible_to) {
            // The operator's queue view, counted here: a few hundred rows read by their
            // indexes, where a GROUP BY over the view would read every open ticket.
            std::map<std::tuple<Priority, std::optional<std::string>, std::optional<UserId>>, std::int64_t> open;
            for (const Ticket& t : queue_view(db(), *q.visible_to)) {
                ++open[{t.priority, t.group_id, t.operator_id}];
                if (!d.oldest_open || std::tie(t.created_at, t.number) <
                                          std::tie(d.oldest_open->created_at, d.oldest_open->number))
                    d.oldest_open = t;
            }
            for (const auto& [key, count] : open) {
                DashboardData::OpenCount c;
                std::tie(c.priority, c.group_id, c.operator_id) = key;
                c.count = count;
                d.open.push_back(std::move(c));
            }
        } else {
            auto stmt = db().prepare(
                "SELECT priority, group_id, operator_id, COUNT(*) FROM tickets WHERE status = 'open' "
                "GROUP BY priority, group_id, operator_id");
            while (stmt.step()) {
                DashboardData::OpenCount c;
                c.priority = parse_priority(stmt.text(0)).value_or(Priority::medium);
                c.group_id = stmt.optional_text(1);
                c.operator_id = stmt.optional_int64(2);
                c.count = stmt.int64(3);
                d.open.push_back(std::move(c));
            }
            auto oldest_stmt = db().prepare(fmt::format(
                "SELECT {} FROM tickets WHERE status = 'open' ORDER BY created_at, number LIMIT 1", kTicketColumns));
            auto oldest = load_tickets(oldest_stmt, false);
            if (!oldest.empty()) d.oldest_open = std::move(oldest.front());
        }
        d.history = count_history(db(), q.visible_to);
        {
            // Created since: open ones by the queue view, the others by the history view.
            std::string sql =
                "SELECT created_at FROM tickets WHERE status IN ('open', 'closed', 'expired') "
                "AND created_at >= ?";
            if (q.visible_to)
                sql += std::string(" AND ((status = 'open'") + kQueueView + ") OR (status <> 'open'" + kHistoryView + "))";
            sql += " ORDER BY created_at";
            auto stmt = db().prepare(sql);
            stmt.bind(q.since);
            if (q.visible_to) stmt.bind(*q.visible_to, *q.visible_to, *q.visible_to, *q.visible_to);
            while (stmt.step()) d.created.push_back(stmt.int64(0));
        }
        // Closed (not expired) since: the expired ones are skipped here rather than with
        // `AND status = 'closed'` in the query, which SQLite would serve from
        // tickets_status_created — every closed ticket of all time (~1 s with a million),
        // instead of the range of tickets_history since then.
        {
            std::string sql =
                "SELECT closed_at, closed_by, status FROM tickets WHERE status <> 'open' AND closed_at >= ?";
            if (q.visible_to) sql += kHistoryView;
            sql += " ORDER BY closed_at";
            auto stmt = db().prepare(sql);
            stmt.bind(q.since);
            bind_view(stmt);
            while (stmt.step())
                if (stmt.text(2) == "closed") d.closed.push_back({stmt.int64(0), stmt.optional_int64(1)});
        }
        {
            std::string sql =
                "SELECT closed_at - created_at AS d, status FROM tickets WHERE status <> 'open' AND closed_at >= ?";
            if (q.visible_to) sql += kHistoryView;
            sql += " ORDER BY d";
            auto stmt = db().prepare(sql);
            stmt.bind(q.week_from);
            bind_view(stmt);
            while (stmt.step())
                if (stmt.text(1) == "closed") d.close_durations.push_back(stmt.int64(0));
        }
        return d;
    });
}

std::vector<AuditEntry> SqlStore::ticket_audit(TicketNumber number) {
    return read_only([&] {
        std::vector<AuditEntry> out;
        auto stmt = db().prepare(
            "SELECT id, at, actor, action, ticket_number, request_id, session_id, detail "
            "FROM audit_log WHERE ticket_number = ? ORDER BY id");
        stmt.bind(number);
        while (stmt.step()) out.push_back(read_audit_entry(stmt));
        return out;
    });
}

}  // namespace helpline::server
