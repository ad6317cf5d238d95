#include "bench/seed_writer.h"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "bench/seed_rows.h"
#include "bench/seed_sqlite.h"
#include "bench/seed_text.h"

namespace helpline::bench::seed {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

/// Tickets per transaction: large enough that commits cost nothing, small enough that a
/// rollback journal stays small.
constexpr std::size_t kBatch = 50'000;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Argon2id, as the server stores passwords (the minimum cost, as with
/// HELPLINE_FAST_PASSWORD_HASH=1), of a random password nobody knows: the benchmark sets
/// the password of the one operator it signs in as through the admin API.
std::string unknown_password_hash(Rng& rng) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    const std::string password = random_hex(rng, 16);
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_MIN,
                              crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::runtime_error("out of memory while hashing a password");
    return out;
}

/// Ids of the operators (index -> users.id), and the admin's, once written.
struct UserIds {
    std::vector<std::int64_t> operators;
    std::int64_t admin = 0;

    std::int64_t of(std::int16_t who) const {
        return who == kAdmin ? admin : operators[static_cast<std::size_t>(who)];
    }
    std::string actor(std::int16_t who) const { return "user:" + std::to_string(of(who)); }
};

void check_database(Connection& db, const fs::path& path) {
    const auto version = db.integer("PRAGMA user_version");
    if (version != kSchemaVersion)
        throw std::runtime_error(
            path.string() + " has schema version " + std::to_string(version) +
            "; this seeder writes the rows of " + "schema version " +
            std::to_string(kSchemaVersion) +
            " (server/store/migrations.cpp) and refuses any other. Seed a data folder made by "
            "`helpline-server "
            "init` of the same source tree, or update bench/seed_writer.cpp for the new schema.");
    if (const auto n = db.integer("SELECT COUNT(*) FROM tickets"); n != 0)
        throw std::runtime_error(path.string() + " already holds " + std::to_string(n) +
                                 " tickets; seed a freshly initialised data folder.");
    if (db.integer("SELECT value FROM counters WHERE name = 'ticket_number'") != 1000)
        throw std::runtime_error(path.string() +
                                 ": the ticket counter is not at its initial 1000.");
}

/// Groups, organizations, operators and memberships, with the team revision raised once per
/// change and the CLI's audit entries, as `helpline-server group add` and friends do.
UserIds write_team(Connection& db, const DataSet& d, std::int64_t at, std::size_t& audit_entries) {
    UserIds ids;
    ids.admin = db.integer(
        "SELECT id FROM users WHERE role = 'admin' AND NOT disabled ORDER BY id LIMIT 1");
    if (ids.admin == 0)
        throw std::runtime_error("the database has no admin: run `helpline-server init` first");
    Statement audit(
        db,
        "INSERT INTO audit_log (at, actor, action, ticket_number, request_id, session_id, detail) "
        "VALUES (?, 'cli', ?, NULL, '', '', ?)");
    const auto log = [&](const char* action, const nlohmann::json& detail) {
        if (!d.options.audit) return;
        audit.run({at, std::string_view(action), std::string_view(detail.dump())});
        ++audit_entries;
    };
    std::int64_t changes = 0;
    Statement group(db,
                    "INSERT INTO team_groups (id, name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING");
    for (const auto& g : d.groups) {
        group.run({std::string_view(g.id), std::string_view(g.name)});
        if (sqlite3_changes(db.get()) == 0) continue;  // `init` made it (helpdesk)
        ++changes;
        log("group-created", {{"group_id", g.id}});
    }
    Statement org(
        db,
        "INSERT INTO organizations (domain, name) VALUES (?, ?) ON CONFLICT (domain) DO NOTHING");
    for (const auto& c : customer_domains()) {
        if (c.organization.empty()) continue;
        org.run({c.domain, c.organization});
        if (sqlite3_changes(db.get()) == 0) continue;
        ++changes;
        log("organization-created", {{"domain", c.domain}});
    }
    Statement user(
        db,
        "INSERT INTO users (email, name, role, password_hash, disabled, notify_email, created_at) "
        "VALUES (?, ?, 'operator', ?, FALSE, FALSE, ?)");
    Rng rng = object_rng(d.options.seed, 3, 0);
    for (const auto& op : d.operators) {
        user.run({std::string_view(op.email), std::string_view(op.name),
                  std::string_view(unknown_password_hash(rng)), at});
        ids.operators.push_back(user.last_rowid());
        ++changes;
        log("user-created", {{"user_id", ids.operators.back()}});
    }
    Statement member(db, "INSERT INTO group_members (group_id, user_id) VALUES (?, ?)");
    for (const auto& g : d.groups) {
        nlohmann::json user_ids = nlohmann::json::array();
        for (const int m : g.members) {
            member.run({std::string_view(g.id), ids.operators[static_cast<std::size_t>(m)]});
            user_ids.push_back(ids.operators[static_cast<std::size_t>(m)]);
        }
        ++changes;
        log("group-members-set", {{"group_id", g.id}, {"user_ids", user_ids}});
    }
    Statement revision(db, "UPDATE counters SET value = value + ? WHERE name = 'team_revision'");
    revision.run({changes});
    return ids;
}

void write_devices(Connection& db, const DataSet& d) {
    Statement device(db,
                     "INSERT INTO devices (id, token_hash, profile_id, hostname, os, "
                     "client_version, created_at, "
                     "last_seen_at) VALUES (?, ?, 'helpline-support', ?, ?, ?, ?, ?)");
    for (std::size_t i = 0; i < d.devices.size(); ++i) {
        const auto t = device_text(d, i);
        const auto& dev = d.devices[i];
        device.run({std::string_view(t.id), std::string_view(t.token_hash),
                    std::string_view(t.hostname), t.os, t.version, dev.created_at,
                    std::max(dev.created_at, dev.last_seen_at)});
    }
}

/// Tickets with their handlers and idempotency keys, in number order, kBatch per transaction.
std::size_t write_tickets(Connection& db, const DataSet& d, const UserIds& ids,
                          const std::vector<std::string>& device_ids, bool progress,
                          Clock::time_point started) {
    Statement ticket(
        db,
        "INSERT INTO tickets (number, device_id, email, subject, description, priority, group_id, "
        "operator_id, status, created_at, updated_at, closed_at, closed_by, assigned_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    Statement handler(
        db, "INSERT INTO ticket_handlers (ticket_number, user_id, closed_at) VALUES (?, ?, ?)");
    Statement key(
        db,
        "INSERT INTO idempotency_keys (device_id, idempotency_key, request_hash, ticket_number, "
        "created_at) VALUES (?, ?, ?, ?, ?)");
    static constexpr std::string_view kStatus[] = {"open", "closed", "expired"};
    const auto nullable = [](std::int64_t v) { return v == 0 ? Value(nullptr) : Value(v); };

    std::size_t handlers = 0;
    for (std::size_t start = 0; start < d.tickets.size(); start += kBatch) {
        db.exec("BEGIN IMMEDIATE");
        const std::size_t end = std::min(d.tickets.size(), start + kBatch);
        for (std::size_t i = start; i < end; ++i) {
            const SeedTicket& t = d.tickets[i];
            const TicketText x = ticket_text(d, t);
            const std::string_view group =
                t.group >= 0 ? std::string_view(d.groups[static_cast<std::size_t>(t.group)].id)
                             : std::string_view();
            ticket.run({t.number, std::string_view(device_ids[t.device]), std::string_view(x.email),
                        std::string_view(x.subject), std::string_view(x.description),
                        std::string_view(priority_name(t.priority)),
                        t.group >= 0 ? Value(group) : Value(nullptr),
                        t.op == kNobody ? Value(nullptr) : Value(ids.of(t.op)),
                        kStatus[static_cast<int>(t.status)], t.created_at, t.updated_at(),
                        nullable(t.closed_at),
                        t.closed_by == kNobody ? Value(nullptr) : Value(ids.of(t.closed_by)),
                        nullable(t.assigned_at)});
            // Assigned, connected or closed: a handler, with the ticket's close time.
            std::set<std::int64_t> handled;
            for (const auto who : {t.op, t.closed_by, t.extra_handler})
                if (who != kNobody) handled.insert(ids.of(who));
            for (const auto user : handled) handler.run({t.number, user, nullable(t.closed_at)});
            handlers += handled.size();
            key.run({std::string_view(device_ids[t.device]), std::string_view(x.idempotency_key),
                     std::string_view(x.request_hash), t.number, t.created_at});
        }
        db.exec("COMMIT");
        if (progress)
            std::fprintf(stderr, "seed: %zu of %zu tickets written (%.1f s)\n", end,
                         d.tickets.size(), seconds_since(started));
    }
    return handlers;
}

/// The audit entries the server writes for what happened to the devices and tickets, in
/// the order it would have written them (by time).
std::size_t write_audit(Connection& db, const DataSet& d, const UserIds& ids,
                        const std::vector<std::string>& device_ids) {
    enum Kind : std::uint8_t { registered, created, updated, ended };
    struct Entry {
        std::int64_t at;
        Kind kind;
        std::uint32_t index;
    };
    std::vector<Entry> entries;
    entries.reserve(d.devices.size() + 3 * d.tickets.size());
    for (std::size_t i = 0; i < d.devices.size(); ++i)
        entries.push_back({d.devices[i].created_at, registered, static_cast<std::uint32_t>(i)});
    for (std::size_t i = 0; i < d.tickets.size(); ++i) {
        const auto& t = d.tickets[i];
        const auto index = static_cast<std::uint32_t>(i);
        entries.push_back({t.created_at, created, index});
        if (t.changed_at != 0) entries.push_back({t.changed_at, updated, index});
        if (t.closed_at != 0) entries.push_back({t.closed_at, ended, index});
    }
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return a.at != b.at ? a.at < b.at : a.kind < b.kind;
    });
    Statement audit(
        db,
        "INSERT INTO audit_log (at, actor, action, ticket_number, request_id, session_id, detail) "
        "VALUES (?, ?, ?, ?, '', '', ?)");
    const auto group_id = [&](std::int16_t g) {
        return g >= 0 ? std::string_view(d.groups[static_cast<std::size_t>(g)].id)
                      : std::string_view();
    };
    db.exec("BEGIN IMMEDIATE");
    std::size_t written = 0;
    for (const Entry& e : entries) {
        if (written > 0 && written % (4 * kBatch) == 0) db.exec("COMMIT; BEGIN IMMEDIATE");
        ++written;
        if (e.kind == registered) {
            const auto x = device_text(d, e.index);
            const std::string detail =
                JsonObject()
                    .text("address", "198.51.100." + std::to_string(e.index % 250 + 1))
                    .text("client_version", x.version)
                    .text("hostname", x.hostname)
                    .text("profile_id", "helpline-support")
                    .done();
            audit.run({e.at, std::string_view("device:" + x.id),
                       std::string_view("device-registered"), nullptr, std::string_view(detail)});
            continue;
        }
        const SeedTicket& t = d.tickets[e.index];
        if (e.kind == created) {
            const std::string detail =
                JsonObject()
                    .text_or_null("group_id", group_id(t.group), t.group >= 0)
                    .text("priority", priority_name(t.initial_priority))
                    .done();
            audit.run({e.at, std::string_view("device:" + device_ids[t.device]),
                       std::string_view("ticket-created"), t.number, std::string_view(detail)});
        } else if (e.kind == updated) {
            // One update: the assignment and/or the priority, as PATCH /tickets/{n} records it.
            const bool assigned = t.op != kNobody && t.assigned_at <= t.changed_at;
            JsonObject from;
            if (t.op != kNobody && t.assigned_at == t.changed_at) from.raw("operator_id", "null");
            if (t.priority != t.initial_priority)
                from.text("priority", priority_name(t.initial_priority));
            const std::string detail =
                JsonObject()
                    .raw("from", from.done())
                    .text_or_null("group_id", group_id(t.group), t.group >= 0)
                    .integer_or_null("operator_id", assigned ? ids.of(t.op) : 0, assigned)
                    .text("priority", priority_name(t.priority))
                    .done();
            audit.run({e.at, std::string_view(ids.actor(t.changed_by)),
                       std::string_view("ticket-updated"), t.number, std::string_view(detail)});
        } else if (t.status == Status::expired) {
            audit.run({e.at, std::string_view("system"), std::string_view("ticket-expired"),
                       t.number, std::string_view("{}")});
        } else {
            audit.run({e.at, std::string_view(ids.actor(t.closed_by)),
                       std::string_view("ticket-closed"), t.number, std::string_view("{}")});
        }
    }
    db.exec("COMMIT");
    return written;
}

/// The secondary indexes of the tables seeded in bulk (name, CREATE INDEX text), dropped:
/// building an index once from sorted rows is several times faster than updating ten of
/// them on every insert. recreate_indexes() runs the same CREATE INDEX text again, so the
/// schema (sqlite_master) is the migrations' own. Indexes behind UNIQUE and PRIMARY KEY
/// constraints have no text and stay.
std::vector<std::pair<std::string, std::string>> drop_indexes(Connection& db) {
    std::vector<std::pair<std::string, std::string>> indexes;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(
            db.get(),
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND "
            "tbl_name IN ('tickets', 'ticket_handlers', 'idempotency_keys', 'audit_log') ORDER BY "
            "rowid",
            -1, &stmt, nullptr) != SQLITE_OK)
        db.fail("cannot list the indexes");
    while (sqlite3_step(stmt) == SQLITE_ROW)
        indexes.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)),
                             reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1)));
    sqlite3_finalize(stmt);
    for (const auto& [name, sql] : indexes) db.exec("DROP INDEX \"" + name + "\"");
    return indexes;
}

void recreate_indexes(Connection& db,
                      const std::vector<std::pair<std::string, std::string>>& indexes) {
    for (const auto& [name, sql] : indexes) db.exec(sql);
}

void check_written(Connection& db, const fs::path& path) {
    const std::string bad_reference = db.text("PRAGMA foreign_key_check");
    if (!bad_reference.empty())
        throw std::runtime_error(path.string() + ": PRAGMA foreign_key_check found a row of " +
                                 bad_reference + " that refers to nothing");
    const std::string integrity = db.text("PRAGMA integrity_check");
    if (integrity != "ok")
        throw std::runtime_error(path.string() + ": PRAGMA integrity_check: " + integrity);
}

bool focus_sees_history(const DataSet& d, const SeedTicket& t) {
    return t.group == d.options.groups - 1 || t.op == d.focus || t.closed_by == d.focus ||
           t.extra_handler == d.focus;
}

/// The figures a benchmark needs, from the data set.
void describe(const DataSet& d, const UserIds& ids, SeedReport& r) {
    r.now = d.now;
    r.history_from = d.now - static_cast<std::int64_t>(d.options.days) * 24 * 3600;
    r.first_number = d.tickets.empty() ? 0 : d.tickets.front().number;
    r.last_number = d.tickets.empty() ? 0 : d.tickets.back().number;
    r.devices = d.devices.size();
    r.admin_id = ids.admin;
    std::vector<std::uint32_t> history_count(d.requesters.size()), all_count(d.requesters.size());
    std::vector<std::pair<std::int64_t, std::int64_t>> order;  // (closed_at, number)
    for (const auto& t : d.tickets) {
        ++all_count[t.requester];
        if (t.status == Status::open) {
            ++r.open;
            if (d.focus >= 0 && (t.group == d.options.groups - 1 || t.op == d.focus))
                ++r.focus_open;
            continue;
        }
        ++(t.status == Status::closed ? r.closed : r.expired);
        ++history_count[t.requester];
        order.emplace_back(t.closed_at, t.number);
        if (d.focus >= 0 && focus_sees_history(d, t)) ++r.focus_history;
    }
    if (d.focus >= 0) {
        r.focus_id = ids.operators[static_cast<std::size_t>(d.focus)];
        r.focus_email = d.operators[static_cast<std::size_t>(d.focus)].email;
        r.focus_group = d.groups.back().id;
    }
    r.requesters = static_cast<std::size_t>(
        std::count_if(all_count.begin(), all_count.end(), [](std::uint32_t n) { return n > 0; }));
    const auto top =
        std::max_element(history_count.begin(), history_count.end()) - history_count.begin();
    r.frequent_email = d.requesters[static_cast<std::size_t>(top)].email;
    r.frequent_tickets = history_count[static_cast<std::size_t>(top)];
    // A one-ticket requester whose ticket the focus operator may see, from mid-history.
    const std::int64_t middle = (r.history_from + d.now) / 2;
    std::int64_t best = -1;
    for (const auto& t : d.tickets) {
        if (t.status == Status::open || all_count[t.requester] != 1) continue;
        if (d.focus >= 0 && !focus_sees_history(d, t)) continue;
        if (best < 0 || std::llabs(t.closed_at - middle) < best) {
            best = std::llabs(t.closed_at - middle);
            r.rare_email = d.requesters[t.requester].email;
        }
    }
    std::unordered_map<std::string, std::size_t> prefixes;
    for (std::size_t i = 0; i < d.requesters.size(); ++i)
        if (history_count[i] > 0) ++prefixes[d.requesters[i].email.substr(0, 3)];
    std::size_t most = 0;
    for (const auto& [prefix, n] : prefixes)
        if (n > most || (n == most && prefix < r.prefix3)) most = n, r.prefix3 = prefix;
    if (!order.empty()) {
        // History order: closed_at, then number, both descending.
        const auto mid = order.begin() + static_cast<long>(order.size() / 2);
        std::nth_element(order.begin(), mid, order.end(), std::greater<>());
        r.middle_cursor = std::to_string(mid->first) + "." + std::to_string(mid->second);
        r.middle_closed_at = mid->first;
    }
}

}  // namespace

std::string SeedReport::json() const {
    return nlohmann::json{{"now", now},
                          {"history_from", history_from},
                          {"first_number", first_number},
                          {"last_number", last_number},
                          {"open", open},
                          {"closed", closed},
                          {"expired", expired},
                          {"requesters", requesters},
                          {"devices", devices},
                          {"handlers", handlers},
                          {"audit_entries", audit_entries},
                          {"admin_id", admin_id},
                          {"focus_id", focus_id},
                          {"focus_email", focus_email},
                          {"focus_group", focus_group},
                          {"focus_open", focus_open},
                          {"focus_history", focus_history},
                          {"frequent_email", frequent_email},
                          {"frequent_tickets", frequent_tickets},
                          {"rare_email", rare_email},
                          {"prefix3", prefix3},
                          {"middle_cursor", middle_cursor},
                          {"middle_closed_at", middle_closed_at},
                          {"database_bytes", database_bytes},
                          {"generate_s", generate_s},
                          {"write_s", write_s},
                          {"check_s", check_s}}
        .dump();
}

SeedReport write_seed(const fs::path& data_dir, const DataSet& data, bool progress) {
    const fs::path path = data_dir / "helpline.db";
    if (!fs::exists(path))
        throw std::runtime_error(path.string() +
                                 " does not exist: run `helpline-server init --data " +
                                 data_dir.string() + " --admin-email ...` first.");
    const auto started = Clock::now();
    SeedReport report;
    {
        Connection db(path);
        check_database(db, path);
        // One writer, no other process: a server running on this folder makes this fail.
        db.exec("PRAGMA locking_mode = EXCLUSIVE");
        try {
            // A rollback journal costs nothing for pages appended to the file, where a WAL
            // would write every page twice; durability does not matter until the end.
            db.exec("PRAGMA journal_mode = DELETE");
        } catch (const std::exception& e) {
            throw std::runtime_error(
                std::string(e.what()) +
                " (is a helpline-server running on this folder? Stop it first.)");
        }
        db.exec("PRAGMA synchronous = OFF");
        db.exec("PRAGMA cache_size = -1048576");  // 1 GiB: the indexes stay in memory
        db.exec("PRAGMA temp_store = MEMORY");
        // References are checked once, over every table, by foreign_key_check at the end
        // (check_written), rather than with a parent lookup per reference on each of ~5
        // million inserts. CHECK constraints are enforced on every insert.
        db.exec("PRAGMA foreign_keys = OFF");

        db.exec("BEGIN IMMEDIATE");
        const auto indexes = drop_indexes(db);
        const std::int64_t team_at =
            data.now - static_cast<std::int64_t>(data.options.days + 30) * 24 * 3600;
        const UserIds ids = write_team(db, data, team_at, report.audit_entries);
        write_devices(db, data);
        db.exec("COMMIT");
        std::vector<std::string> device_ids(data.devices.size());
        for (std::size_t i = 0; i < data.devices.size(); ++i)
            device_ids[i] = device_text(data, i).id;
        report.handlers = write_tickets(db, data, ids, device_ids, progress, started);
        db.exec("UPDATE counters SET value = " +
                std::to_string(data.tickets.empty() ? 1000 : data.tickets.back().number) +
                " WHERE name = 'ticket_number'");
        // What the store keeps with each close and expiry (migration 4), counted once.
        db.exec("INSERT INTO history_counts (group_id, status, n) SELECT coalesce(group_id, ''), status, "
                "COUNT(*) FROM tickets WHERE status <> 'open' GROUP BY coalesce(group_id, ''), status "
                "ON CONFLICT (group_id, status) DO UPDATE SET n = n + excluded.n");
        if (data.options.audit) report.audit_entries += write_audit(db, data, ids, device_ids);
        if (progress)
            std::fprintf(stderr, "seed: building the indexes (%.1f s)\n", seconds_since(started));
        db.exec("BEGIN IMMEDIATE");
        recreate_indexes(db, indexes);
        db.exec("COMMIT");
        describe(data, ids, report);
        report.write_s = seconds_since(started);

        const auto checking = Clock::now();
        if (progress) std::fprintf(stderr, "seed: checking (foreign keys, integrity)\n");
        check_written(db, path);
        report.check_s = seconds_since(checking);
        db.exec("PRAGMA locking_mode = NORMAL");
        if (db.text("PRAGMA journal_mode = WAL") != "wal")
            db.fail("cannot put the database back in WAL mode");
    }
    report.database_bytes = static_cast<std::int64_t>(fs::file_size(path));
    return report;
}

SeedReport seed_data_folder(const fs::path& data_dir, const SeedOptions& options, bool progress) {
    const auto started = Clock::now();
    const DataSet data = generate(options);
    const double generated = seconds_since(started);
    if (progress)
        std::fprintf(stderr, "seed: %zu tickets, %zu requesters, %zu devices generated (%.1f s)\n",
                     data.tickets.size(), data.requesters.size(), data.devices.size(), generated);
    SeedReport report = write_seed(data_dir, data, progress);
    report.generate_s = generated;
    return report;
}

}  // namespace helpline::bench::seed
