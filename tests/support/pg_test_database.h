#pragma once
// PostgreSQL for tests: a private cluster (tests/support/pg_cluster.sh: initdb + pg_ctl, a
// Unix socket in its own folder, never a shared server) and a new, empty database for every
// caller, so that tests running in parallel never see each other's rows.
//
// The cluster in use is, in this order:
//  - the one named by HELPLINE_TEST_PG_DIR, which the CTest fixture "postgres" starts once
//    per ctest run (tests/CMakeLists.txt, helpline_discover_pg_tests());
//  - otherwise one this process starts in a temporary folder the first time it is needed,
//    stopped and removed at exit — or, if the process dies first (crash, kill -9, ctest's
//    timeout), by a detached watchdog that notices the process is gone.
// Databases made by fresh_postgres_url() are dropped at exit (best effort), so a long run
// on the shared cluster does not pile them up.
//
// Errors (PostgreSQL missing, a cluster that does not start, SQL that fails) are thrown as
// std::runtime_error with the server's message: they fail the test, never skip it.

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace helpline::test {

/// One PostgreSQL cluster made by pg_cluster.sh in a folder.
class PostgresCluster {
  public:
    /// The port in every URL; pg_cluster.sh uses the same. A fixed number is safe: the
    /// server listens only on a socket inside its private folder.
    static constexpr int kPort = 5432;

    /// The cluster `pg_cluster.sh start dir` made; it is left running at destruction.
    static std::unique_ptr<PostgresCluster> attach(const std::filesystem::path& dir);
    /// A new cluster in a new temporary folder, started; stopped and removed at destruction.
    static std::unique_ptr<PostgresCluster> make_private();

    ~PostgresCluster();  ///< drops the databases it made; stops a private cluster
    PostgresCluster(const PostgresCluster&) = delete;
    PostgresCluster& operator=(const PostgresCluster&) = delete;

    /// Creates a new empty database (helpline_t_<pid>_<n>, from template0) and returns its
    /// URL.
    std::string fresh_database_url();
    /// postgresql://helpline@/DATABASE?host=SOCKET_DIR&port=5432 (the libpq URI form).
    std::string url(const std::string& database) const;

    void start();    ///< pg_cluster.sh start (a no-op when it runs)
    void stop();     ///< pg_cluster.sh stop: fast shutdown, connections are cut
    void restart();  ///< stop, then start: same data, same socket

    const std::filesystem::path& dir() const { return dir_; }
    /// The postmaster's pid, or -1 when none runs.
    int postmaster_pid() const;

  private:
    PostgresCluster(std::filesystem::path dir, bool owned);
    void start_watchdog();

    std::filesystem::path dir_;
    bool owned_;
    int watchdog_fd_ = -1;  ///< write end of the pipe the watchdog waits on (owned only)
    std::mutex mutex_;
    std::vector<std::string> databases_;
};

/// The cluster in use in this process (see the top of this file), started on first use.
PostgresCluster& test_postgres();

/// The URL of a new, empty database on test_postgres().
std::string fresh_postgres_url();

/// Runs `sql` (one or more statements) on the database at `url`; throws with the server's
/// message when it fails.
void run_sql(const std::string& url, const std::string& sql);

/// Runs one query and returns its rows, every value as text (NULL as "").
std::vector<std::vector<std::string>> query_rows(const std::string& url, const std::string& sql);

/// Stop, start or restart test_postgres(). On the shared CTest cluster this disturbs every
/// test running at the same time: register tests that do it with RUN_SERIAL (see
/// tests/CMakeLists.txt).
void stop_postgres();
void start_postgres();
void restart_postgres();

/// Whether `pid` is a running process (a zombie is not: the postmaster's parent is init,
/// which in a container may reap late).
bool process_running(int pid);

}  // namespace helpline::test
