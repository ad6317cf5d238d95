#include "tests/support/pg_test_database.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string_view>

extern char** environ;

namespace helpline::test {

namespace fs = std::filesystem;

namespace {

/// pg_cluster.sh: from the source tree named by HELPLINE_SOURCE_DIR when set (a test run
/// against another checkout), else from the one this library was built from.
std::string cluster_script() {
    if (const char* source = std::getenv("HELPLINE_SOURCE_DIR"); source != nullptr && *source != 0)
        return (fs::path(source) / "tests/support/pg_cluster.sh").string();
    return HELPLINE_PG_CLUSTER_SCRIPT;
}

/// Runs `pg_cluster.sh COMMAND DIR` and throws with its output when it fails. The script
/// bounds itself (30 s per step); the deadline here only guards against a hung shell.
void run_cluster_script(const std::string& command, const fs::path& dir) {
    const std::string script = cluster_script();
    const std::string dir_text = dir.string();
    const char* argv[] = {"/bin/bash", script.c_str(), command.c_str(), dir_text.c_str(), nullptr};
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, out[1], 2);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);  // killable as a group
    posix_spawnattr_setpgroup(&attributes, 0);
    pid_t pid = 0;
    const int rc =
        posix_spawn(&pid, argv[0], &actions, &attributes, const_cast<char**>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    ::close(out[1]);
    if (rc != 0) {
        ::close(out[0]);
        throw std::runtime_error("cannot run /bin/bash " + script);
    }
    std::string output;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    bool eof = false;
    char buf[4096];
    while (!eof && std::chrono::steady_clock::now() < deadline) {
        pollfd fd = {out[0], POLLIN, 0};
        if (::poll(&fd, 1, 100) <= 0) continue;
        const ssize_t n = ::read(out[0], buf, sizeof buf);
        if (n > 0) {
            output.append(buf, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
            eof = true;
        }
    }
    ::close(out[0]);
    if (!eof) ::kill(-pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!eof)
        throw std::runtime_error("pg_cluster.sh " + command + " " + dir_text +
                                 " hung for 120 s: " + output);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error("pg_cluster.sh " + command + " " + dir_text +
                                 " failed: " + output);
}

/// Percent-encodes what a libpq URI query value cannot hold as it is.
std::string uri_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
            out += c;
        } else {
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 15];
        }
    }
    return out;
}

struct ConnectionCloser {
    void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultClearer {
    void operator()(PGresult* r) const { PQclear(r); }
};
using Connection = std::unique_ptr<PGconn, ConnectionCloser>;
using Result = std::unique_ptr<PGresult, ResultClearer>;

Connection connect(const std::string& url) {
    Connection connection(PQconnectdb(url.c_str()));
    if (connection == nullptr) throw std::runtime_error("libpq could not allocate a connection");
    if (PQstatus(connection.get()) != CONNECTION_OK)
        throw std::runtime_error("cannot connect to " + url + ": " +
                                 PQerrorMessage(connection.get()) +
                                 "(is the cluster running? tests/support/pg_cluster.sh start DIR; "
                                 "its log is DIR/postgres.log)");
    return connection;
}

/// Runs `sql`; the result, or throws with the server's message. An error whose SQLSTATE is
/// `tolerated_sqlstate` is returned instead of thrown.
Result execute(PGconn* connection, const std::string& sql,
               const char* tolerated_sqlstate = nullptr) {
    Result result(PQexec(connection, sql.c_str()));
    const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY)
        return result;
    if (result && tolerated_sqlstate != nullptr) {
        const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
        if (state != nullptr && std::string_view(state) == tolerated_sqlstate) return result;
    }
    throw std::runtime_error("SQL failed: " + sql + ": " + PQerrorMessage(connection));
}

std::atomic<int> database_counter{0};

}  // namespace

bool process_running(int pid) {
    if (pid <= 0) return false;
    if (::kill(pid, 0) != 0 && errno != EPERM) return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return false;
    const auto paren = line.rfind(')');
    if (paren == std::string::npos || paren + 2 >= line.size()) return false;
    const char state = line[paren + 2];
    return state != 'Z' && state != 'X';
}

PostgresCluster::PostgresCluster(fs::path dir, bool owned) : dir_(std::move(dir)), owned_(owned) {}

std::unique_ptr<PostgresCluster> PostgresCluster::attach(const fs::path& dir) {
    if (!fs::is_directory(dir / "data"))
        throw std::runtime_error(
            "there is no PostgreSQL cluster in " + dir.string() +
            " (HELPLINE_TEST_PG_DIR): make it with tests/support/pg_cluster.sh start " +
            dir.string());
    return std::unique_ptr<PostgresCluster>(new PostgresCluster(fs::absolute(dir), false));
}

std::unique_ptr<PostgresCluster> PostgresCluster::make_private() {
    // Root's cluster runs as "nobody", who must reach the folder: /tmp is searchable by
    // everyone, a TMPDIR may not be. A deep TMPDIR would also overflow the socket's path.
    fs::path base = fs::temp_directory_path();
    if (::geteuid() == 0 || base.string().size() > 60) base = "/tmp";
    std::string pattern = (base / "helpline-pg-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("mkdtemp failed in " + base.string());
    std::unique_ptr<PostgresCluster> cluster(new PostgresCluster(pattern, true));
    cluster->start_watchdog();
    cluster->start();
    return cluster;
}

/// A detached shell that waits for the end of a pipe only this process holds, then stops
/// the cluster and removes its folder. It covers the deaths that skip destructors (a
/// crash, kill -9, ctest's timeout); `setsid -f` reparents it away from this process, so
/// killing this process's tree does not kill the watchdog with it.
void PostgresCluster::start_watchdog() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    const std::string script = cluster_script();
    const std::string dir_text = dir_.string();
    const char* argv[] = {
        "/usr/bin/setsid",
        "-f",
        "/bin/sh",
        "-c",
        "/bin/cat <&3 >/dev/null; exec 3<&-; /bin/bash \"$1\" stop \"$2\"; rm -rf \"$2\"",
        "helpline-pg-watchdog",
        script.c_str(),
        dir_text.c_str(),
        nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn_file_actions_adddup2(&actions, fds[0], 3);
    // No other descriptor of the test (ctest's pipes above all) may outlive it in here.
    posix_spawn_file_actions_addclosefrom_np(&actions, 4);
    posix_spawn_file_actions_addchdir_np(&actions, "/");
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, const_cast<char**>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[0]);
    if (rc != 0) {
        ::close(fds[1]);
        throw std::runtime_error(
            "cannot start the cluster's watchdog (/usr/bin/setsid, util-linux)");
    }
    int status = 0;  // setsid -f returns as soon as it has forked
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    watchdog_fd_ = fds[1];
}

PostgresCluster::~PostgresCluster() {
    if (owned_) {
        // The databases go with the cluster.
        try {
            run_cluster_script("stop", dir_);
        } catch (const std::exception&) {
            // The watchdog tries again once the pipe closes.
        }
        std::error_code ec;
        fs::remove_all(dir_, ec);
        if (watchdog_fd_ >= 0) ::close(watchdog_fd_);
        return;
    }
    if (databases_.empty()) return;
    try {
        auto connection = connect(url("postgres") + "&connect_timeout=5");
        for (const auto& name : databases_)
            PQclear(PQexec(connection.get(),
                           ("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").c_str()));
    } catch (const std::exception&) {
        // Best effort: a cluster that is down keeps them until the fixture's next --fresh.
    }
}

std::string PostgresCluster::url(const std::string& database) const {
    return "postgresql://helpline@/" + database + "?host=" + uri_encode(dir_.string()) +
           "&port=" + std::to_string(kPort);
}

std::string PostgresCluster::fresh_database_url() {
    const std::string name =
        "helpline_t_" + std::to_string(::getpid()) + "_" + std::to_string(++database_counter);
    auto connection = connect(url("postgres") + "&connect_timeout=10");
    const std::string create = "CREATE DATABASE " + name + " TEMPLATE template0";
    auto created = execute(connection.get(), create, "42P04");
    if (PQresultStatus(created.get()) != PGRES_COMMAND_OK) {
        // Left by a crashed process that had the same pid.
        execute(connection.get(), "DROP DATABASE " + name + " WITH (FORCE)");
        execute(connection.get(), create);
    }
    {
        const std::lock_guard lock(mutex_);
        databases_.push_back(name);
    }
    return url(name);
}

void PostgresCluster::start() {
    run_cluster_script("start", dir_);
}
void PostgresCluster::stop() {
    run_cluster_script("stop", dir_);
}
void PostgresCluster::restart() {
    stop();
    start();
}

int PostgresCluster::postmaster_pid() const {
    std::ifstream in(dir_ / "data" / "postmaster.pid");
    int pid = -1;
    if (!(in >> pid) || !process_running(pid)) return -1;
    return pid;
}

PostgresCluster& test_postgres() {
    static std::unique_ptr<PostgresCluster> cluster;
    static std::once_flag once;
    std::call_once(once, [] {
        const char* dir = std::getenv("HELPLINE_TEST_PG_DIR");
        cluster = (dir != nullptr && *dir != 0) ? PostgresCluster::attach(dir)
                                                : PostgresCluster::make_private();
    });
    return *cluster;
}

std::string fresh_postgres_url() {
    return test_postgres().fresh_database_url();
}

void run_sql(const std::string& url, const std::string& sql) {
    auto connection = connect(url);
    execute(connection.get(), sql);
}

std::vector<std::vector<std::string>> query_rows(const std::string& url, const std::string& sql) {
    auto connection = connect(url);
    auto result = execute(connection.get(), sql);
    std::vector<std::vector<std::string>> rows;
    const int columns = PQnfields(result.get());
    for (int r = 0; r < PQntuples(result.get()); ++r) {
        auto& row = rows.emplace_back();
        for (int c = 0; c < columns; ++c) row.emplace_back(PQgetvalue(result.get(), r, c));
    }
    return rows;
}

void stop_postgres() {
    test_postgres().stop();
}
void start_postgres() {
    test_postgres().start();
}
void restart_postgres() {
    test_postgres().restart();
}

}  // namespace helpline::test
