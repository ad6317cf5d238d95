#include "bench/pg_load_stats.h"

#include <libpq-fe.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "bench/bench_server.h"

namespace helpline::bench {
namespace {

/// The parent pid in /proc/PID/stat (the field after the state), or -1.
pid_t parent_of(const std::filesystem::path& stat_file) {
    std::ifstream in(stat_file);
    std::string line;
    if (!std::getline(in, line)) return -1;
    const auto paren = line.rfind(')');  // the command may hold spaces and parentheses
    if (paren == std::string::npos || paren + 4 >= line.size()) return -1;
    try {
        return static_cast<pid_t>(std::stol(line.substr(paren + 4)));
    } catch (const std::exception&) {
        return -1;
    }
}

struct ResultClearer {
    void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultClearer>;

PgResult run(pg_conn* conn, const std::string& sql) {
    PgResult result(PQexec(conn, sql.c_str()));
    const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
        throw std::runtime_error("SQL failed: " + sql + ": " + PQerrorMessage(conn));
    return result;
}

}  // namespace

double postgres_cpu_seconds(pid_t postmaster) {
    double total = process_cpu_seconds(postmaster);
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        if (parent_of(entry.path() / "stat") != postmaster) continue;
        try {
            total += process_cpu_seconds(static_cast<pid_t>(std::stol(name)));
        } catch (const std::exception&) {
            // The process ended between the listing and the read: its time is gone with it.
        }
    }
    return total;
}

PgConnection::PgConnection(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
        const std::string why = conn_ != nullptr ? PQerrorMessage(conn_) : "out of memory";
        PQfinish(conn_);
        throw std::runtime_error("cannot connect to " + url + ": " + why);
    }
}

PgConnection::~PgConnection() {
    PQfinish(conn_);
}

std::string PgConnection::value(const std::string& sql) {
    const auto result = run(conn_, sql);
    if (PQntuples(result.get()) == 0 || PQnfields(result.get()) == 0) return {};
    return PQgetvalue(result.get(), 0, 0);
}

std::vector<std::vector<std::string>> PgConnection::rows(const std::string& sql) {
    const auto result = run(conn_, sql);
    std::vector<std::vector<std::string>> out;
    for (int r = 0; r < PQntuples(result.get()); ++r) {
        auto& row = out.emplace_back();
        for (int c = 0; c < PQnfields(result.get()); ++c)
            row.emplace_back(PQgetvalue(result.get(), r, c));
    }
    return out;
}

void prepare_wal_reading(PgConnection& db) {
    db.value("CREATE EXTENSION IF NOT EXISTS pg_walinspect");
    db.value("ALTER SYSTEM SET wal_keep_size = '2GB'");
    db.value("SELECT pg_reload_conf()");
}

std::string wal_position(PgConnection& db) {
    return db.value("SELECT pg_current_wal_flush_lsn()");
}

WalCommits commits_between(PgConnection& db, const std::string& from, const std::string& to) {
    // "2026-12-06 13:38:11.08+00; subxacts: 727 728" for a commit with two savepoints.
    const std::string sql =
        "SELECT count(*) FILTER (WHERE description LIKE '%subxacts:%') || ' ' || "
        "coalesce(sum(array_length(string_to_array(trim(split_part(split_part(description, "
        "'subxacts:', 2), ';', 1)), ' '), 1)) FILTER (WHERE description LIKE '%subxacts:%'), 0) "
        "|| ' ' || count(*) FILTER (WHERE description NOT LIKE '%subxacts:%') "
        "FROM pg_get_wal_records_info('" +
        from + "', '" + to +
        "') WHERE resource_manager = 'Transaction' AND record_type LIKE 'COMMIT%'";
    std::istringstream in(db.value(sql));
    WalCommits c;
    in >> c.submission_commits >> c.savepoints >> c.other_commits;
    return c;
}

WaitSampler::WaitSampler(const std::string& url, const std::string& database,
                         std::chrono::milliseconds interval)
    : db_(std::make_unique<PgConnection>(url)),
      thread_([this, database, interval] { loop(database, interval); }) {}

WaitSampler::~WaitSampler() {
    stop_ = true;
    thread_.join();
}

void WaitSampler::reset() {
    std::lock_guard lock(mutex_);
    sum_ = Profile{};
}

WaitSampler::Profile WaitSampler::profile() {
    std::lock_guard lock(mutex_);
    Profile p = sum_;
    if (p.samples == 0) return p;
    const auto n = static_cast<double>(p.samples);
    p.running /= n;
    p.write_lock /= n;
    p.wal /= n;
    p.other_wait /= n;
    p.idle /= n;
    p.notify_busy /= n;
    return p;
}

void WaitSampler::loop(const std::string& database, std::chrono::milliseconds interval) {
    // state, the wait as "type/event" ("" when none), whether it is a NOTIFY connection.
    const std::string sql =
        "SELECT coalesce(state, ''), coalesce(wait_event_type || '/' || wait_event, ''), "
        "query LIKE 'SELECT pg_notify%' FROM pg_stat_activity WHERE backend_type = 'client "
        "backend' AND pid <> pg_backend_pid() AND datname = '" +
        database + "'";
    auto next = std::chrono::steady_clock::now();
    while (!stop_) {
        next += interval;
        std::vector<std::vector<std::string>> rows;
        try {
            rows = db_->rows(sql);
        } catch (const std::exception&) {
            return;  // the cluster went away: the profile keeps what was sampled
        }
        Profile one;
        for (const auto& row : rows) {
            const std::string& state = row[0];
            const std::string& wait = row[1];
            if (state == "active" && row[2] == "t") one.notify_busy += 1;
            if (state != "active") {
                one.idle += 1;
            } else if (wait.empty()) {
                one.running += 1;
            } else if (wait == "Lock/advisory") {
                one.write_lock += 1;
            } else if (wait == "IO/WALSync" || wait == "IO/WALWrite" || wait == "LWLock/WALWrite" ||
                       wait == "IO/WALInitSync" || wait == "IO/WALInitWrite") {
                one.wal += 1;
            } else {
                one.other_wait += 1;
            }
        }
        {
            std::lock_guard lock(mutex_);
            ++sum_.samples;
            sum_.running += one.running;
            sum_.write_lock += one.write_lock;
            sum_.wal += one.wal;
            sum_.other_wait += one.other_wait;
            sum_.idle += one.idle;
            sum_.notify_busy += one.notify_busy;
        }
        std::this_thread::sleep_until(next);  // the sampling interval
    }
}

}  // namespace helpline::bench
