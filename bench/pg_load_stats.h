#pragma once
// What PostgreSQL did during a benchmark phase, for the cluster benchmarks:
//  - its CPU time: the postmaster and every process it started (backends, WAL writer,
//    checkpointer ...), from /proc;
//  - its commits, read from the WAL itself (pg_walinspect, exact; the pg_stat_* views are
//    flushed by the backends only now and then): a commit of submissions holds one
//    savepoint per submission ("subxacts:" in the record), so the WAL tells how many
//    submissions each commit carried; every other commit that wrote (a NOTIFY to the other
//    servers, a heartbeat) is counted apart. Each one is a WAL flush (synchronous_commit on);
//  - where the store's backends were, sampled from pg_stat_activity: running, waiting for
//    the write lock (the advisory lock every server takes, pg_db.h), writing or flushing
//    the WAL, waiting for their client; and how busy each server's NOTIFY connection was.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct pg_conn;

namespace helpline::bench {

/// User + system CPU seconds of `postmaster` and of every process whose parent it is.
double postgres_cpu_seconds(pid_t postmaster);

/// One connection to a database for the benchmark's own queries.
class PgConnection {
  public:
    explicit PgConnection(const std::string& url);  ///< throws with libpq's message
    ~PgConnection();
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    /// The first column of the first row of `sql`, as text ("" without rows: a command). Throws.
    std::string value(const std::string& sql);
    /// Every row of `sql`, each value as text. Throws.
    std::vector<std::vector<std::string>> rows(const std::string& sql);

  private:
    pg_conn* conn_;
};

/// Makes the cluster keep its WAL long enough to be read back (pg_walinspect installed,
/// wal_keep_size raised so that a checkpoint during a phase does not recycle it). Needs
/// a superuser, as the test cluster's user is. Throws.
void prepare_wal_reading(PgConnection& db);

/// How far the WAL is on disk ("0/1A2B3C4"): pg_walinspect reads no further.
std::string wal_position(PgConnection& db);

/// The commits written to the WAL between two positions.
struct WalCommits {
    long long submission_commits = 0;  ///< commits with savepoints: batches of submissions
    long long savepoints = 0;          ///< their savepoints: one per submission
    long long other_commits = 0;       ///< every other commit that wrote (NOTIFY, heartbeats ...)
};
WalCommits commits_between(PgConnection& db, const std::string& from, const std::string& to);

/// Samples pg_stat_activity every `interval` on its own connection while it lives.
class WaitSampler {
  public:
    /// What the backends of database `database` (but this sampler's own) were doing,
    /// as average numbers of backends over the samples.
    struct Profile {
        std::size_t samples = 0;
        double running = 0;     ///< active, no wait event: on a CPU or in its run queue
        double write_lock = 0;  ///< waiting for an advisory lock (the store's write lock)
        double wal = 0;  ///< writing or flushing the WAL (IO WALSync/WALWrite, LWLock WALWrite)
        double other_wait = 0;   ///< any other wait of an active backend
        double idle = 0;         ///< idle or idle in transaction: waiting for its server
        double notify_busy = 0;  ///< NOTIFY connections active (pg_notify), over all servers
    };

    WaitSampler(const std::string& url, const std::string& database,
                std::chrono::milliseconds interval);
    ~WaitSampler();  ///< stops sampling
    WaitSampler(const WaitSampler&) = delete;
    WaitSampler& operator=(const WaitSampler&) = delete;

    /// Clears what was sampled so far (the start of a phase).
    void reset();
    /// The profile since the last reset.
    Profile profile();

  private:
    void loop(const std::string& database, std::chrono::milliseconds interval);

    std::unique_ptr<PgConnection> db_;
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    Profile sum_;
    std::thread thread_;
};

}  // namespace helpline::bench
