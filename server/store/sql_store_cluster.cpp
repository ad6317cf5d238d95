// The Store on SQL: several servers on one database (store.h "Several servers"; migration
// 9). Used on PostgreSQL; on SQLite one server is alone, leads the jobs and tells nobody.
#include <fmt/format.h>

#include "server/store/sql_store.h"

namespace helpline::server {

namespace {

/// The session advisory lock of the server that runs the team's periodic jobs ("Jobs").
constexpr std::int64_t kJobLock = 0x4A6F6273;

ClusterNode read_node(const Statement& row) {
    ClusterNode n;
    n.id = row.text(0);
    n.url = row.text(1);
    n.tls_pin = row.text(2);
    n.started_at = row.int64(3);
    n.heartbeat_at = row.int64(4);
    return n;
}

}  // namespace

void SqlStore::enable_cluster(std::function<std::unique_ptr<Db>()> connect) {
    connect_ = std::move(connect);
}

Status SqlStore::node_alive(const ClusterNode& node) {
    return with_error([&]() -> Status {
        db().prepare(
               "INSERT INTO cluster_nodes (id, url, tls_pin, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?) "
               "ON CONFLICT (id) DO UPDATE SET url = excluded.url, tls_pin = excluded.tls_pin, "
               "heartbeat_at = excluded.heartbeat_at")
            .bind(node.id, node.url, node.tls_pin, node.started_at, node.heartbeat_at)
            .run();
        return Ok{};
    });
}

std::vector<ClusterNode> SqlStore::cluster_nodes() {
    return read_only([&] {
        std::vector<ClusterNode> out;
        auto stmt = db().prepare("SELECT id, url, tls_pin, started_at, heartbeat_at FROM cluster_nodes ORDER BY id");
        while (stmt.step()) out.push_back(read_node(stmt));
        return out;
    });
}

Status SqlStore::remove_node(const std::string& node_id) {
    return with_error([&]() -> Status {
        Transaction tx(db());
        db().prepare("DELETE FROM device_streams WHERE node_id = ?").bind(node_id).run();
        db().prepare("DELETE FROM cluster_nodes WHERE id = ?").bind(node_id).run();
        tx.commit();
        return Ok{};
    });
}

Status SqlStore::set_device_stream(const std::string& device_id, const std::string& node_id, bool open) {
    return with_error([&]() -> Status {
        if (open) {
            db().prepare("INSERT INTO device_streams (device_id, node_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
                .bind(device_id, node_id)
                .run();
        } else {
            db().prepare("DELETE FROM device_streams WHERE device_id = ? AND node_id = ?")
                .bind(device_id, node_id)
                .run();
        }
        return Ok{};
    });
}

std::vector<std::pair<std::string, std::string>> SqlStore::device_streams() {
    return read_only([&] {
        std::vector<std::pair<std::string, std::string>> out;
        auto stmt = db().prepare("SELECT device_id, node_id FROM device_streams ORDER BY node_id, device_id");
        while (stmt.step()) out.emplace_back(stmt.text(0), stmt.text(1));
        return out;
    });
}

Result<std::string> SqlStore::claim_relay_home(const std::string& session_id, const std::string& node_id,
                                               Timestamp now) {
    return with_error([&]() -> Result<std::string> {
        Transaction tx(db());
        db().prepare("INSERT INTO relay_homes (session_id, node_id, created_at) VALUES (?, ?, ?) "
                     "ON CONFLICT (session_id) DO NOTHING")
            .bind(session_id, node_id, now)
            .run();
        auto stmt = db().prepare("SELECT node_id FROM relay_homes WHERE session_id = ?");
        stmt.bind(session_id);
        std::string home = stmt.step() ? stmt.text(0) : node_id;
        stmt.run();
        tx.commit();
        return home;
    });
}

Status SqlStore::prune_relay_homes(Timestamp before) {
    return with_error([&]() -> Status {
        db().prepare("DELETE FROM relay_homes WHERE created_at < ?").bind(before).run();
        return Ok{};
    });
}

Result<std::int64_t> SqlStore::count_sign_in_attempt(const std::string& account, Timestamp now) {
    return with_error([&]() -> Result<std::int64_t> {
        const std::int64_t minute = now / 60;
        Transaction tx(db());
        // The account's earlier minutes no longer count: dropped as it goes, so the table
        // holds at most a minute or two per account that tried lately.
        db().prepare("DELETE FROM sign_in_attempts WHERE account = ? AND minute < ?").bind(account, minute).run();
        auto stmt = db().prepare(
            "INSERT INTO sign_in_attempts (account, minute, n) VALUES (?, ?, 1) "
            "ON CONFLICT (account, minute) DO UPDATE SET n = sign_in_attempts.n + 1 RETURNING n");
        stmt.bind(account, minute);
        const std::int64_t n = returned_id(stmt);
        tx.commit();
        return n;
    });
}

bool SqlStore::lead_jobs() {
    if (!connect_) return true;
    std::lock_guard lock(job_mutex_);
    try {
        if (!job_db_) job_db_ = connect_();
        // Whether this connection holds the lock: a connection that was made again (the
        // database restarted) lost it with the old one.
        const bool held = job_db_->query_int64(fmt::format(
                              "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                              "AND pid = pg_backend_pid() AND classid = {} AND objid = {} AND objsubid = 1",
                              kJobLock >> 32, kJobLock & 0xffffffff)) > 0;
        if (!held) {
            const bool took = job_db_->query_int64(fmt::format(
                                  "SELECT CASE WHEN pg_try_advisory_lock({}) THEN 1 ELSE 0 END", kJobLock)) == 1;
            if (took != leading_jobs_) {
                leading_jobs_ = took;
            }
        } else {
            leading_jobs_ = true;
        }
        return leading_jobs_;
    } catch (const DbException&) {
        job_db_.reset();
        leading_jobs_ = false;
        return false;
    }
}

Status SqlStore::notify(const std::string& payload) {
    if (!connect_) return Ok{};
    std::lock_guard lock(notify_mutex_);
    for (int attempt = 1;; ++attempt) {
        try {
            if (!notify_db_) notify_db_ = connect_();
            notify_db_->prepare("SELECT pg_notify('helpline', ?)").bind(payload).run();
            return Ok{};
        } catch (const DbException& e) {
            // Sent on a connection the database dropped (a restart): once more on a new one.
            const bool lost = notify_db_ && notify_db_->lost();
            notify_db_.reset();
            if (attempt == 1 && lost) continue;
            return e.error();
        }
    }
}

}  // namespace helpline::server
