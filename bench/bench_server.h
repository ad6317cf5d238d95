#pragma once
// The real helpline-server for the benchmarks: a fresh data folder (`init`, `group add
// helpdesk`; on a PostgreSQL database with `--database URL`, or joining a team another
// BenchServer made there), `run --listen 127.0.0.1:0 --port-file` with the benchmark's
// options, its RSS and CPU time from /proc, and a sure end: SIGTERM then SIGKILL in the destructor,
// on SIGINT/SIGTERM of the benchmark, and (PR_SET_PDEATHSIG) if the benchmark dies.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace helpline::bench {

class BenchServer {
  public:
    /// What runs between `init` (+ `group add helpdesk`) and `run`, given the data folder:
    /// a benchmark that needs a large team seeds the database here (seed_writer.h).
    using BeforeRun = std::function<void(const std::filesystem::path& data)>;

    /// Initialises a team in a new temporary folder and starts `run` with `run_args`
    /// added; `open_files` is the least RLIMIT_NOFILE the server gets (0: inherited). Waits (20 s
    /// at most) until the port file is written and /livez answers. Throws on failure.
    /// `database`: a PostgreSQL URL given to every command as --database ("": the data
    /// folder's SQLite file). `join`: the team exists on `database` already (made by another
    /// BenchServer): no init and no group add, this is one more server on it, and
    /// admin_password() is empty.
    BenchServer(const std::string& binary, const std::vector<std::string>& run_args,
                std::uint64_t open_files = 0, const BeforeRun& before_run = {},
                const std::string& database = {}, bool join = false);
    ~BenchServer();  ///< stops the server and removes the folder
    BenchServer(const BenchServer&) = delete;
    BenchServer& operator=(const BenchServer&) = delete;

    std::uint16_t port() const { return port_; }
    pid_t pid() const { return pid_; }
    const std::string& admin_email() const { return admin_email_; }
    const std::string& admin_password() const { return admin_password_; }
    const std::filesystem::path& dir() const { return dir_; }

    /// VmRSS of the server in KiB (0 if it cannot be read).
    std::uint64_t rss_kib() const;
    /// The server's RLIMIT_NOFILE soft limit, as /proc shows it.
    std::uint64_t open_files_limit() const;
    /// User + system CPU seconds the server has used so far.
    double cpu_seconds() const;
    /// The end of the server's log, for error messages.
    std::string log_tail(std::size_t bytes = 2000) const;
    /// SIGTERM, wait up to 10 s, then SIGKILL. Returns the exit status text.
    std::string stop();
    /// Ends the server (stop(), or SIGKILL at once when `kill`) and starts `run` again on the
    /// same data folder and port. `ended` gets how the old one ended. Returns when the new
    /// one listens (its port file written), after /livez answered.
    std::chrono::steady_clock::time_point restart(bool kill, std::string& ended);

  private:
    /// init, group add, before_run, run; waits for /livez.
    void start(const std::string& binary, const std::vector<std::string>& run_args,
               std::uint64_t open_files, const BeforeRun& before_run, bool join);
    /// Forks and execs `run` (listening on `port`, 0: any); waits for /livez. Returns when
    /// the port file appeared.
    std::chrono::steady_clock::time_point launch(std::uint16_t port);
    /// `--data DATA` and, on PostgreSQL, `--database URL`.
    std::vector<std::string> team_options() const;

    std::filesystem::path dir_;
    std::string binary_;
    std::vector<std::string> run_args_;
    std::uint64_t open_files_ = 0;
    std::string database_;
    std::string admin_email_ = "admin@bench.example";
    std::string admin_password_;
    std::atomic<pid_t> pid_{-1};  ///< read by a benchmark's sampling thread during restart()
    std::uint16_t port_ = 0;
};

/// A benchmark's main(): runs `run`, turning std::invalid_argument into a usage message
/// (exit 2) and any other exception into a failure message (exit 1).
int bench_main(const char* name, const char* usage, const std::function<int()>& run);

/// User + system CPU seconds a process has used so far (from /proc/PID/stat).
double process_cpu_seconds(pid_t pid);

/// The value of an unlabelled series in Prometheus text (/metrics); -1 when absent.
long long metric_value(const std::string& metrics, const std::string& name);

/// The machine's load for the report: cores, load average, CPU and I/O pressure (PSI).
std::string machine_load();

/// Raises this process's RLIMIT_NOFILE soft limit to at least `wanted` (and the hard
/// limit when allowed). Throws with a how-to-fix message when the system refuses.
void raise_open_files(std::uint64_t wanted);

}  // namespace helpline::bench
