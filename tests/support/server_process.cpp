#include "tests/support/server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "tests/support/haproxy_front.h"
#include "tests/support/test_client.h"

extern char** environ;

namespace helpline::test {
namespace {

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
    std::vector<char*> out;
    for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
    out.push_back(nullptr);
    return out;
}

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool port_answers(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

int exit_code_of(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// A child must not inherit what the test process set up for itself: a blocked signal
/// mask (the server blocks SIGTERM itself and sigwaits) or an ignored SIGPIPE.
class SpawnAttributes {
  public:
    SpawnAttributes() {
        posix_spawnattr_init(&attr_);
        sigset_t none;
        sigemptyset(&none);
        sigset_t defaults;
        sigemptyset(&defaults);
        sigaddset(&defaults, SIGPIPE);
        posix_spawnattr_setsigmask(&attr_, &none);
        posix_spawnattr_setsigdefault(&attr_, &defaults);
        posix_spawnattr_setflags(&attr_, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    }
    ~SpawnAttributes() { posix_spawnattr_destroy(&attr_); }
    SpawnAttributes(const SpawnAttributes&) = delete;
    SpawnAttributes& operator=(const SpawnAttributes&) = delete;
    const posix_spawnattr_t* get() const { return &attr_; }

  private:
    posix_spawnattr_t attr_;
};

/// Writing to a child that has already exited must fail with EPIPE, not kill the test.
void ignore_sigpipe() {
    static std::once_flag once;
    std::call_once(once, [] { ::signal(SIGPIPE, SIG_IGN); });
}

void write_all(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // the child closed its input: it did not want the rest
        done += static_cast<std::size_t>(n);
    }
}

/// Whether `database` (or, when it is "", the SQLite file in `data`) holds a team already.
bool holds_team(const std::filesystem::path& data, const std::string& database) {
    if (database.empty()) return std::filesystem::exists(data / "helpline.db");
    // A database `init` has not run on has no table users, or no user in it.
    const auto table = query_rows(database, "SELECT to_regclass('users') IS NOT NULL");
    if (table.empty() || table[0].empty() || table[0][0] != "t") return false;
    const auto user = query_rows(database, "SELECT EXISTS (SELECT 1 FROM users)");
    return !user.empty() && !user[0].empty() && user[0][0] == "t";
}

}  // namespace

bool haproxy_topology() {
    const char* topology = std::getenv("HELPLINE_TEST_TOPOLOGY");
    return topology != nullptr && std::string_view(topology) == "haproxy";
}

ProgramResult run_program(const std::vector<std::string>& argv, const std::string& stdin_text,
                          std::chrono::milliseconds timeout) {
    ignore_sigpipe();
    int in_pipe[2], out_pipe[2], err_pipe[2];
    if (::pipe2(in_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    const SpawnAttributes attributes;
    pid_t pid = 0;
    auto args = c_argv(argv);
    const int rc = posix_spawn(&pid, args[0], &actions, attributes.get(), args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    if (rc != 0) {
        ::close(in_pipe[1]);
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        throw std::runtime_error("cannot start " + argv[0]);
    }
    // The inputs the tests give are far below a pipe's capacity, so this cannot block on
    // a child that writes much output before reading.
    write_all(in_pipe[1], stdin_text);
    ::close(in_pipe[1]);

    ProgramResult result;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    int open_fds = 2;
    char buf[4096];
    while (open_fds > 0 && std::chrono::steady_clock::now() < deadline) {
        if (::poll(fds, 2, 100) <= 0) continue;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
            const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n > 0) {
                (i == 0 ? result.out : result.err).append(buf, static_cast<std::size_t>(n));
            } else {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            }
        }
    }
    for (auto& f : fds)
        if (f.fd >= 0) ::close(f.fd);
    if (open_fds > 0) ::kill(pid, SIGKILL);  // past its time
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = exit_code_of(status);
    return result;
}

ServerProcess::ServerProcess(std::string binary, std::filesystem::path data,
                             std::vector<std::string> groups, std::string database)
    : binary_(std::move(binary)),
      data_(std::move(data)),
      database_(std::move(database)),
      behind_haproxy_(haproxy_topology() && !database_.empty()) {
    ::setenv("HELPLINE_FAST_PASSWORD_HASH", "1", 1);
    // A second server of a team on PostgreSQL has a data folder of its own (its port file
    // and logs) on the same database.
    std::filesystem::create_directories(data_);
    if (holds_team(data_, database_)) return;  // initialised already
    auto init =
        run_program(command({"init", "--admin-email", admin_email_, "--admin-name", "Admin"}));
    if (init.exit_code != 0) throw std::runtime_error("helpline-server init failed: " + init.err);
    static constexpr std::string_view kLabel = "One-time password: ";
    const auto at = init.out.find(kLabel);
    if (at == std::string::npos) throw std::runtime_error("no password in: " + init.out);
    const auto begin = at + kLabel.size();
    admin_password_ = init.out.substr(begin, init.out.find('\n', begin) - begin);
    for (const auto& g : groups) {
        auto added = admin({"group", "add", g, g + " team"});
        if (added.exit_code != 0) throw std::runtime_error("group add failed: " + added.err);
    }
}

ServerProcess::~ServerProcess() {
    if (running()) kill9();
}

void ServerProcess::start(std::vector<std::string> extra_args) {
    if (running()) throw std::logic_error("helpline-server is already running");
    if (!extra_args.empty() || last_args_.empty()) last_args_ = std::move(extra_args);
    start_one();
    if (!behind_haproxy_) return;
    if (!sibling_) {
        sibling_ = std::make_unique<ServerProcess>(binary_, data_.string() + "-2",
                                                   std::vector<std::string>{}, database_);
        sibling_->behind_haproxy_ = false;  // one server, not another pair
    }
    sibling_->start(last_args_);
    if (!front_) {
        front_ = std::make_unique<HaproxyFront>(std::vector<std::string>{
            "127.0.0.1:" + std::to_string(port_), "127.0.0.1:" + std::to_string(sibling_->port_)});
        // The test's clients trust HAProxy's certificate without each call site naming it.
        trust_by_default(front_->ca_pem());
        return;
    }
    // A restart: HAProxy may have marked the servers DOWN meanwhile; requests sent before
    // its checks see them back would be refused with 503.
    if (!front_->wait_servers_up({"s1", "s2"}))
        throw std::runtime_error("HAProxy did not see both servers UP again within 20 s: " +
                                 front_->log());
}

void ServerProcess::start_one() {
    tls_ = std::any_of(last_args_.begin(), last_args_.end(), [](const std::string& a) {
        return a == "--self-signed" || a == "--tls-cert";
    });
    const auto port_file = data_ / "port";
    std::filesystem::remove(port_file);
    std::vector<std::string> argv = command({"run", "--listen", "127.0.0.1:" + std::to_string(port_),
                                             "--port-file", port_file.string()});
    argv.insert(argv.end(), last_args_.begin(), last_args_.end());

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string out_path = (data_ / "server.out").string();
    const std::string log_path = (data_ / "server.log").string();
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 2, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    const SpawnAttributes attributes;
    auto args = c_argv(argv);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, args[0], &actions, attributes.get(), args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + binary_);
    pid_ = pid;

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("helpline-server exited at start (code " +
                                     std::to_string(exit_code_of(status)) + "): " + log());
        }
        // The port file is written atomically once the server listens.
        const std::string text = slurp(port_file);
        unsigned value = 0;
        if (!text.empty() &&
            std::from_chars(text.data(), text.data() + text.size(), value).ec == std::errc() &&
            value > 0 && value <= 65535) {
            port_ = static_cast<std::uint16_t>(value);
            if (port_answers(port_)) return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill9();
    throw std::runtime_error("helpline-server did not start within 20 s: " + log());
}

void ServerProcess::kill9() {
    if (sibling_) sibling_->kill9();
    if (!running()) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
}

void ServerProcess::send_sigterm() {
    if (sibling_) sibling_->send_sigterm();
    if (running()) ::kill(pid_, SIGTERM);
}

int ServerProcess::wait_exit(std::chrono::milliseconds timeout) {
    // Behind HAProxy both were told at once and stop side by side: the sibling first.
    const int sibling_code = sibling_ ? sibling_->wait_exit(timeout) : 0;
    if (!running()) return -1;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            const int code = exit_code_of(status);
            return code != 0 ? code : sibling_code;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill9();
    return -1;
}

int ServerProcess::terminate() {
    send_sigterm();
    return wait_exit();
}

std::string ServerProcess::url(const std::string& path) const {
    if (front_) return front_->url(path);
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}

std::uint16_t ServerProcess::port() const {
    return front_ ? front_->port() : port_;
}

std::string ServerProcess::log() const {
    return slurp(data_ / "server.log") + (sibling_ ? sibling_->log() : std::string());
}

std::string ServerProcess::output() const {
    return slurp(data_ / "server.out") + (sibling_ ? sibling_->output() : std::string());
}

std::vector<std::string> ServerProcess::command(const std::vector<std::string>& args) const {
    // The command words come first ("user add"), then the team's options, then the rest.
    const bool two_words = !args.empty() && (args[0] == "user" || args[0] == "group" ||
                                             args[0] == "org" || args[0] == "profile");
    const std::size_t words = std::min<std::size_t>(args.size(), two_words ? 2 : 1);
    std::vector<std::string> argv = {binary_};
    argv.insert(argv.end(), args.begin(), args.begin() + static_cast<std::ptrdiff_t>(words));
    argv.push_back("--data");
    argv.push_back(data_.string());
    if (!database_.empty()) {
        argv.push_back("--database");
        argv.push_back(database_);
    }
    argv.insert(argv.end(), args.begin() + static_cast<std::ptrdiff_t>(words), args.end());
    return argv;
}

ProgramResult ServerProcess::admin(const std::vector<std::string>& args,
                                   const std::string& stdin_text,
                                   std::chrono::milliseconds timeout) const {
    return run_program(command(args), stdin_text, timeout);
}

}  // namespace helpline::test
