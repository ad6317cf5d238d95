#pragma once
// The real helpline-server binary on 127.0.0.1 for end-to-end tests: a data folder made
// with `init`, `run` on a free port (read from --port-file), stop by SIGTERM or kill -9,
// restart on the same data and port. In the PostgreSQL pass (store_engine.h) the team's
// database is a new one on the test cluster, given to every command as --database URL;
// the data folder still holds the TLS material, the port file and the logs.
//
// With HELPLINE_TEST_TOPOLOGY=haproxy (the suite's third pass, on PostgreSQL only) a
// ServerProcess on a PostgreSQL database is two servers behind HAProxy (issue 16): start()
// also starts a sibling on the same database (data folder DATA-2, same arguments) and an
// HaproxyFront (deploy/haproxy.cfg) before both; url() and port() are HAProxy's, the
// signals and restarts act on both servers, log() and output() hold both.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/store_engine.h"

namespace helpline::test {

class HaproxyFront;

/// Whether this run is the pass through HAProxy (HELPLINE_TEST_TOPOLOGY=haproxy).
bool haproxy_topology();

/// What a program run to completion left behind. exit_code is 128 + signal when it was
/// killed (also when run_program killed it for running past its timeout).
struct ProgramResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

/// Runs `argv` (argv[0] a path; no shell, no PATH search) with `stdin_text` as its
/// standard input; kills it after `timeout`.
ProgramResult run_program(const std::vector<std::string>& argv, const std::string& stdin_text = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

class ServerProcess {
  public:
    /// `binary`: path of helpline-server (HELPLINE_SERVER_BIN in tests). Runs `init` on
    /// `data` (created if needed) and `database` (a PostgreSQL URL, or "" for the data
    /// folder's SQLite file; by default the pass's: pass_database()) and `group add` for
    /// each of `groups`; a team that exists already is used as it is (admin_password() is
    /// then empty). Sets HELPLINE_FAST_PASSWORD_HASH=1 for this process and the servers it
    /// starts.
    ServerProcess(std::string binary, std::filesystem::path data,
                  std::vector<std::string> groups = {"helpdesk", "billing"},
                  std::string database = pass_database());
    ~ServerProcess();  ///< kill -9 if still running
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    /// Starts `run` with `extra_args`; returns once the port file is written and the port
    /// accepts connections (deadline 20 s; throws with the server's log otherwise).
    /// The first start takes a free port; later starts reuse it. A start without
    /// arguments after one with arguments repeats the earlier arguments.
    /// Behind HAProxy: starts both servers, then returns once HAProxy sees both UP.
    void start(std::vector<std::string> extra_args = {});
    void kill9();     ///< SIGKILL, reaped
    int terminate();  ///< SIGTERM, then wait_exit(20 s)
    /// Sends SIGTERM and returns at once (wait_exit() reaps).
    void send_sigterm();
    /// Waits for the server to exit; its exit code (128 + signal if killed), or -1 when it
    /// is still running after `timeout` (it is then killed). Behind HAProxy: both servers;
    /// the first code that is not 0, else 0.
    int wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(20));
    bool running() const { return pid_ > 0; }
    int pid() const { return pid_; }
    /// Whether this team is two servers behind HAProxy (haproxy_topology(), PostgreSQL).
    bool behind_haproxy() const { return behind_haproxy_; }

    /// "http://127.0.0.1:PORT" + path ("https" when started with TLS, or behind HAProxy).
    std::string url(const std::string& path = "") const;
    std::uint16_t port() const;
    const std::string& admin_email() const { return admin_email_; }
    const std::string& admin_password() const { return admin_password_; }
    const std::filesystem::path& data() const { return data_; }
    /// The team's PostgreSQL database (its URL), or "" when it is the data folder's SQLite
    /// file. Every start and command uses it: a restart finds the same team.
    const std::string& database() const { return database_; }
    const std::string& binary() const { return binary_; }
    /// The server's stderr so far (logs), over all starts (behind HAProxy: both servers').
    std::string log() const;
    /// The server's stdout so far (listening address, TLS pin), over all starts (behind
    /// HAProxy: both servers').
    std::string output() const;

    /// The command line of a helpline-server command on this team: `command({"user", "add",
    /// "--email", ...})` is `helpline-server user add --data DATA [--database URL] --email
    /// ...`. For tests that run one themselves (run_program), e.g. `run` with bad options.
    std::vector<std::string> command(const std::vector<std::string>& args) const;
    /// Runs a command on the same team (a management command, or `run` that must refuse to
    /// start): run_program(command(args), stdin_text, timeout).
    ProgramResult admin(const std::vector<std::string>& args, const std::string& stdin_text = {},
                        std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;

  private:
    void start_one();

    std::string binary_;
    std::filesystem::path data_;
    std::string database_;
    std::string admin_email_ = "admin@team.example";
    std::string admin_password_;
    int pid_ = -1;
    std::uint16_t port_ = 0;
    bool tls_ = false;
    std::vector<std::string> last_args_;
    bool behind_haproxy_ = false;
    std::unique_ptr<ServerProcess> sibling_;  ///< the second server, behind HAProxy only
    std::unique_ptr<HaproxyFront> front_;
};

}  // namespace helpline::test
