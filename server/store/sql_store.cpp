// The Store on SQL (SQLite or PostgreSQL): opening, team settings, operator sessions, published profiles, the
// audit log and health. The rest is in sql_store_team.cpp (users, groups,
// organizations, devices), sql_store_tickets.cpp and sql_store_requests.cpp
// (connection requests, device events).
#include "server/store/sql_store.h"
#include "server/store/ticket_rows.h"

#include <fmt/format.h>

#include <algorithm>

#include "server/store/migrations.h"
#include "server/store/pg_db.h"
#include "server/store/sqlite_db.h"
#include "server/store/store_errors.h"

namespace helpline::server {

namespace {

constexpr const char* kSessionColumns =
    "token_hash, user_id, csrf_token, created_at, expires_at, user_agent, address, last_seen_at";

OperatorSession read_session(const Statement& row) {
    OperatorSession s;
    s.token_hash = row.text(0);
    s.user_id = row.int64(1);
    s.csrf_token = row.text(2);
    s.created_at = row.int64(3);
    s.expires_at = row.int64(4);
    s.user_agent = row.text(5);
    s.address = row.text(6);
    s.last_seen_at = row.int64(7);
    return s;
}

PublishedProfile read_profile(const Statement& row) {
    PublishedProfile p;
    p.id = row.text(0);
    p.revision = row.int64(1);
    p.envelope = row.text(2);
    p.public_key = row.text(3);
    p.published_at = row.int64(4);
    return p;
}

}  // namespace

// As many as lookups run at once in practice (the server's handler threads); a fifth
// caller waits for one of them, never for the writer.
constexpr std::size_t kReaders = 4;

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path) {
    try {
        auto db = SqliteDb::open(path);
        if (auto migrated = migrate(*db, sqlite_migrations()); !migrated) return migrated.error();
        if (path.empty() || path == ":memory:") {
            return std::unique_ptr<Store>(std::make_unique<SqlStore>(std::move(db), nullptr));
        }
        auto readers = std::make_unique<ReaderPool>([&] { return SqliteDb::open_reader(path); }, kReaders);
        // WAL checkpoints run on a thread of their own (wal_checkpointer.h).
        auto checkpointer = std::make_unique<WalCheckpointer>(path);
        db->on_commit([c = checkpointer.get()](int frames) { c->committed(frames); });
        return std::unique_ptr<Store>(
            std::make_unique<SqlStore>(std::move(db), std::move(readers), std::move(checkpointer)));
    } catch (const DbException& e) {
        return e.error();
    }
}

Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url) {
    try {
        auto db = PgDb::open(url);
        if (auto migrated = migrate(*db, postgres_migrations()); !migrated) return migrated.error();
        auto readers = std::make_unique<ReaderPool>([&] { return PgDb::open(url); }, kReaders);
        auto store = std::make_unique<SqlStore>(std::move(db), std::move(readers));
        // Other servers may share the database: the job lock and notifications.
        store->enable_cluster([url] { return PgDb::open(url); });
        return std::unique_ptr<Store>(std::move(store));
    } catch (const DbException& e) {
        return e.error();
    }
}

bool is_postgres_url(std::string_view database) {
    return database.starts_with("postgresql://") || database.starts_with("postgres://");
}

Result<std::unique_ptr<Store>> open_store(const std::string& database) {
    if (is_postgres_url(database)) return open_postgres_store(database);
    constexpr std::string_view kSqlitePrefix = "sqlite:";
    if (database.starts_with(kSqlitePrefix)) return open_sqlite_store(database.substr(kSqlitePrefix.size()));
    return open_sqlite_store(database);
}

thread_local Db* SqlStore::reading_ = nullptr;

SqlStore::SqlStore(std::unique_ptr<Db> db, std::unique_ptr<ReaderPool> readers,
                   std::unique_ptr<WalCheckpointer> checkpointer)
    : checkpointer_(std::move(checkpointer)), db_(std::move(db)), readers_(std::move(readers)) {}

int SqlStore::background_checkpoints() {
    return checkpointer_ ? checkpointer_->checkpoints() : 0;
}

int SqlStore::clamp_limit(int limit) {
    return std::clamp(limit, 1, kMaxLimit);
}

bool SqlStore::user_exists(UserId id) {
    auto stmt = db().prepare("SELECT 1 FROM users WHERE id = ?");
    return stmt.bind(id).step();
}

bool SqlStore::group_exists(const std::string& id) {
    auto stmt = db().prepare("SELECT 1 FROM team_groups WHERE id = ?");
    return stmt.bind(id).step();
}

bool SqlStore::device_exists(const std::string& id) {
    auto stmt = db().prepare("SELECT 1 FROM devices WHERE id = ?");
    return stmt.bind(id).step();
}

void SqlStore::bump_team_revision() {
    db().prepare("UPDATE counters SET value = value + 1 WHERE name = 'team_revision'").run();
}

std::int64_t SqlStore::team_revision() {
    return read_only([&] {
        auto stmt = db().prepare("SELECT value FROM counters WHERE name = 'team_revision'");
        return stmt.step() ? stmt.int64(0) : std::int64_t{0};
    });
}

// ---------------------------------------------------------------------------------------
// Settings

std::optional<std::string> SqlStore::setting(const std::string& key) {
    return read_only([&]() -> std::optional<std::string> {
        auto stmt = db().prepare("SELECT value FROM settings WHERE name = ?");
        if (!stmt.bind(key).step()) return std::nullopt;
        return stmt.text(0);
    });
}

Status SqlStore::set_setting(const std::string& key, const std::string& value) {
    return with_error([&]() -> Status {
        db().prepare(
               "INSERT INTO settings (name, value) VALUES (?, ?) "
               "ON CONFLICT (name) DO UPDATE SET value = excluded.value")
            .bind(key, value)
            .run();
        return Ok{};
    });
}

// ---------------------------------------------------------------------------------------
// Operator sessions

Status SqlStore::add_session(const OperatorSession& session) {
    return with_error([&]() -> Status {
        Transaction tx(db());
        if (!user_exists(session.user_id)) return no_user(session.user_id);
        if (db().prepare("SELECT 1 FROM operator_sessions WHERE token_hash = ?")
                .bind(session.token_hash)
                .step()) {
            return make_error(store_error::kConflict, "This session token is already in use.",
                              "token_hash");
        }
        db().prepare(
               fmt::format("INSERT INTO operator_sessions ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           kSessionColumns))
            .bind(session.token_hash, session.user_id, session.csrf_token, session.created_at,
                  session.expires_at, session.user_agent, session.address,
                  std::max(session.last_seen_at, session.created_at))
            .run();
        // Not a team change (no bump): admins see it on their next read of the users.
        db().prepare("UPDATE users SET last_sign_in_at = ? WHERE id = ?")
            .bind(session.created_at, session.user_id)
            .run();
        tx.commit();
        return Ok{};
    });
}

std::optional<OperatorSession> SqlStore::session(const std::string& token_hash) {
    return read_only([&]() -> std::optional<OperatorSession> {
        auto stmt = db().prepare(
            fmt::format("SELECT {} FROM operator_sessions WHERE token_hash = ?", kSessionColumns));
        if (!stmt.bind(token_hash).step()) return std::nullopt;
        return read_session(stmt);
    });
}

Status SqlStore::delete_session(const std::string& token_hash) {
    return with_error([&]() -> Status {
        db().prepare("DELETE FROM operator_sessions WHERE token_hash = ?").bind(token_hash).run();
        if (db().changes() == 0) {
            return make_error(store_error::kNotFound, "There is no such session.", "token_hash");
        }
        return Ok{};
    });
}

Status SqlStore::delete_user_sessions(UserId user) {
    return with_error([&]() -> Status {
        db().prepare("DELETE FROM operator_sessions WHERE user_id = ?").bind(user).run();
        return Ok{};
    });
}

Status SqlStore::delete_user_sessions_except(UserId user, const std::string& keep_token_hash) {
    return with_error([&]() -> Status {
        db().prepare("DELETE FROM operator_sessions WHERE user_id = ? AND token_hash <> ?")
            .bind(user, keep_token_hash)
            .run();
        return Ok{};
    });
}

std::vector<OperatorSession> SqlStore::user_sessions(UserId user, Timestamp now) {
    return read_only([&] {
        std::vector<OperatorSession> out;
        auto stmt = db().prepare(fmt::format(
            "SELECT {} FROM operator_sessions WHERE user_id = ? AND expires_at > ? "
            "ORDER BY last_seen_at DESC, created_at DESC",
            kSessionColumns));
        stmt.bind(user, now);
        while (stmt.step()) out.push_back(read_session(stmt));
        return out;
    });
}

Status SqlStore::touch_session(const std::string& token_hash, Timestamp now) {
    return with_error([&]() -> Status {
        db().prepare(
               "UPDATE operator_sessions SET last_seen_at = ? "
               "WHERE token_hash = ? AND last_seen_at <= ?")
            .bind(now, token_hash, now - 60)
            .run();
        return Ok{};
    });
}

// ---------------------------------------------------------------------------------------
// Published profiles

Status SqlStore::put_profile(const PublishedProfile& profile) {
    return with_error([&]() -> Status {
        Transaction tx(db());
        db().prepare(
               "INSERT INTO profiles (id, revision, envelope, public_key, published_at) "
               "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
               "revision = excluded.revision, envelope = excluded.envelope, "
               "public_key = excluded.public_key, published_at = excluded.published_at")
            .bind(profile.id, profile.revision, profile.envelope, profile.public_key,
                  profile.published_at)
            .run();
        // The groups a profile offers are part of the team's setup that consoles show.
        bump_team_revision();
        tx.commit();
        return Ok{};
    });
}

std::optional<PublishedProfile> SqlStore::profile(const std::string& id) {
    return read_only([&]() -> std::optional<PublishedProfile> {
        auto stmt = db().prepare(
            "SELECT id, revision, envelope, public_key, published_at FROM profiles WHERE id = ?");
        if (!stmt.bind(id).step()) return std::nullopt;
        return read_profile(stmt);
    });
}

std::vector<PublishedProfile> SqlStore::profiles() {
    return read_only([&] {
        std::vector<PublishedProfile> out;
        auto stmt = db().prepare(
            "SELECT id, revision, envelope, public_key, published_at FROM profiles ORDER BY id");
        while (stmt.step()) out.push_back(read_profile(stmt));
        return out;
    });
}

// ---------------------------------------------------------------------------------------
// Audit log

AuditEntry read_audit_entry(const Statement& row) {
    AuditEntry e;
    e.id = row.int64(0);
    e.at = row.int64(1);
    e.actor = row.text(2);
    e.action = row.text(3);
    e.ticket_number = row.optional_int64(4);
    e.request_id = row.text(5);
    e.session_id = row.text(6);
    e.detail = row.text(7);
    return e;
}

Status SqlStore::audit(const AuditEntry& entry) {
    return with_error([&]() -> Status {
        db().prepare(
               "INSERT INTO audit_log (at, actor, action, ticket_number, request_id, "
               "session_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .bind(entry.at, entry.actor, entry.action, entry.ticket_number, entry.request_id,
                  entry.session_id, entry.detail)
            .run();
        return Ok{};
    });
}

std::vector<AuditEntry> SqlStore::audit_log(int limit) {
    return read_only([&] {
        std::vector<AuditEntry> out;
        auto stmt = db().prepare(
            "SELECT id, at, actor, action, ticket_number, request_id, session_id, detail "
            "FROM audit_log ORDER BY id DESC LIMIT ?");
        stmt.bind(clamp_limit(limit));
        while (stmt.step()) out.push_back(read_audit_entry(stmt));
        return out;
    });
}

AuditPage SqlStore::audit_page(const AuditFilter& filter) {
    return read_only([&] {
        // Newest first by id (the order of writing), one page past `after`: keyset paging,
        // so a deep page costs what the first does. One row more than the page says
        // whether another follows.
        std::string where = "1 = 1";
        if (filter.actor) where += " AND actor = ?";
        if (filter.action) where += " AND action = ?";
        if (filter.ticket) where += " AND ticket_number = ?";
        if (filter.from) where += " AND at >= ?";
        if (filter.to) where += " AND at < ?";
        if (filter.after) where += " AND id < ?";
        auto stmt = db().prepare(fmt::format(
            "SELECT id, at, actor, action, ticket_number, request_id, session_id, detail "
            "FROM audit_log WHERE {} ORDER BY id DESC LIMIT ?",
            where));
        if (filter.actor) stmt.bind(*filter.actor);
        if (filter.action) stmt.bind(*filter.action);
        if (filter.ticket) stmt.bind(*filter.ticket);
        if (filter.from) stmt.bind(*filter.from);
        if (filter.to) stmt.bind(*filter.to);
        if (filter.after) stmt.bind(*filter.after);
        const int limit = clamp_limit(filter.limit);
        stmt.bind(limit + 1);
        AuditPage page;
        while (stmt.step()) page.entries.push_back(read_audit_entry(stmt));
        if (static_cast<int>(page.entries.size()) > limit) {
            page.entries.pop_back();
            page.next = page.entries.back().id;
        }
        return page;
    });
}

// ---------------------------------------------------------------------------------------
// Health

bool SqlStore::healthy() {
    return or_empty([&] { return db().ready(); });
}

bool SqlStore::reachable() {
    return read_only([&] { return db().query_int64("SELECT 1") == 1; });
}

std::int64_t SqlStore::count_open_tickets() {
    return read_only(
        [&] { return db().query_int64("SELECT COUNT(*) FROM tickets WHERE status = 'open'"); });
}

std::int64_t SqlStore::count_pending_requests(Timestamp now) {
    return read_only([&] {
        auto stmt = db().prepare(
            "SELECT COUNT(*) FROM connection_requests WHERE state = 'pending' AND expires_at > ?");
        stmt.bind(now);
        return stmt.step() ? stmt.int64(0) : std::int64_t{0};
    });
}

}  // namespace helpline::server
