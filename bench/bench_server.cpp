#include "bench/bench_server.h"

#include <algorithm>
#include <iostream>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "bench/http_wire.h"

extern char** environ;

namespace helpline::bench {
namespace {

namespace fs = std::filesystem;

/// The running server, for the signal handler: a benchmark stopped with Ctrl-C must not
/// leave a server with 10,000 sockets behind.
std::atomic<pid_t> g_server_pid{-1};

extern "C" void on_stop_signal(int signal_number) {
    const pid_t pid = g_server_pid.load();
    if (pid > 0) ::kill(pid, SIGKILL);
    ::signal(signal_number, SIG_DFL);
    ::raise(signal_number);
}

void install_stop_handlers() {
    static bool installed = false;
    if (installed) return;
    installed = true;
    ::signal(SIGINT, on_stop_signal);
    ::signal(SIGTERM, on_stop_signal);
    ::signal(SIGHUP, on_stop_signal);
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
    std::vector<char*> out;
    for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
    out.push_back(nullptr);
    return out;
}

/// Runs a management command to completion; stdout and stderr go to files in `dir`.
std::string run_to_completion(const std::vector<std::string>& argv, const fs::path& dir) {
    const std::string out_path = (dir / "command.out").string();
    const std::string err_path = (dir / "command.err").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    auto args = c_argv(argv);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error(argv[0] + " " + argv[1] + " failed: " + slurp(err_path));
    return slurp(out_path);
}

bool livez_answers(std::uint16_t port) {
    try {
        BlockingClient client(port);
        return client.send(http_request("GET", "/livez"), std::chrono::seconds(2)).status == 200;
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace

long long metric_value(const std::string& metrics, const std::string& name) {
    const std::string key = "\n" + name + " ";
    const auto at = metrics.find(key);
    if (at == std::string::npos) return -1;
    return std::stoll(metrics.substr(at + key.size()));
}

std::string machine_load() {
    std::string load = slurp("/proc/loadavg");
    load = load.substr(0, load.find(' ', load.find(' ', load.find(' ') + 1) + 1));
    const auto pressure = [](const char* file) {
        // "some avg10=3.09 avg60=..." -> "3.09"
        const std::string text = slurp(std::string("/proc/pressure/") + file);
        const auto at = text.find("avg10=");
        return at == std::string::npos ? std::string("?")
                                       : text.substr(at + 6, text.find(' ', at) - at - 6);
    };
    return std::to_string(std::thread::hardware_concurrency()) + " cores, load average " + load +
           ", CPU pressure " + pressure("cpu") + " %, I/O pressure " + pressure("io") +
           " % (avg10, some)";
}

void raise_open_files(std::uint64_t wanted) {
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur >= wanted) return;
    if (limit.rlim_max < wanted) {
        rlimit raised = limit;
        raised.rlim_max = raised.rlim_cur = wanted;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) return;
        throw std::runtime_error(
            "RLIMIT_NOFILE: need " + std::to_string(wanted) + " open files, the hard limit is " +
            std::to_string(limit.rlim_max) +
            " and cannot be raised by this user; run `ulimit -Hn " + std::to_string(wanted) +
            "` as root (or set LimitNOFILE) first, or ask for fewer streams.");
    }
    limit.rlim_cur = wanted;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
        throw std::runtime_error(std::string("cannot raise RLIMIT_NOFILE: ") +
                                 std::strerror(errno));
}

BenchServer::BenchServer(const std::string& binary, const std::vector<std::string>& run_args,
                         std::uint64_t open_files, const BeforeRun& before_run,
                         const std::string& database, bool join)
    : database_(database) {
    install_stop_handlers();
    const char* parent = std::getenv("HELPLINE_BENCH_DIR");  // where the database lives
    std::string tmpl =
        std::string(parent && *parent ? parent : "/tmp") + "/helpline-server-bench-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr)
        throw std::runtime_error("cannot create a folder from " + tmpl + ": " +
                                 std::strerror(errno));
    dir_ = tmpl;
    try {
        start(binary, run_args, open_files, before_run, join);
    } catch (...) {
        stop();
        std::error_code ec;
        fs::remove_all(dir_, ec);
        throw;
    }
}

std::vector<std::string> BenchServer::team_options() const {
    std::vector<std::string> options = {"--data", (dir_ / "data").string()};
    if (!database_.empty()) options.insert(options.end(), {"--database", database_});
    return options;
}

void BenchServer::start(const std::string& binary, const std::vector<std::string>& run_args,
                        std::uint64_t open_files, const BeforeRun& before_run, bool join) {
    const fs::path data = dir_ / "data";
    const auto command = [&](std::vector<std::string> words, const std::vector<std::string>& rest) {
        const auto team = team_options();
        words.insert(words.begin(), binary);
        words.insert(words.end(), team.begin(), team.end());
        words.insert(words.end(), rest.begin(), rest.end());
        return words;
    };
    if (join) {
        fs::create_directories(data);  // this server's port file and TLS material
    } else {
        const std::string init = run_to_completion(
            command({"init"}, {"--admin-email", admin_email_, "--admin-name", "Bench Admin"}),
            dir_);
        const auto at = init.find("One-time password: ");
        if (at == std::string::npos)
            throw std::runtime_error("no one-time password in the output of init: " + init);
        admin_password_ = init.substr(at + 19, init.find('\n', at) - at - 19);
        run_to_completion(command({"group", "add"}, {"helpdesk", "Help desk"}), dir_);
    }
    if (before_run) before_run(data);
    binary_ = binary;
    run_args_ = run_args;
    open_files_ = open_files;
    launch(0);
}

std::chrono::steady_clock::time_point BenchServer::restart(bool kill, std::string& ended) {
    if (kill && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        g_server_pid = -1;
        ended = "killed (SIGKILL)";
    } else {
        ended = stop();
    }
    return launch(port_);
}

std::chrono::steady_clock::time_point BenchServer::launch(std::uint16_t port) {
    const std::vector<std::string>& run_args = run_args_;
    const std::uint64_t open_files = open_files_;
    const fs::path port_file = dir_ / "port";
    std::error_code ignored;
    fs::remove(port_file, ignored);
    std::vector<std::string> argv = {binary_, "run"};
    const auto team = team_options();
    argv.insert(argv.end(), team.begin(), team.end());
    argv.insert(argv.end(), {"--listen", "127.0.0.1:" + std::to_string(port), "--port-file",
                             port_file.string()});
    argv.insert(argv.end(), run_args.begin(), run_args.end());
    auto args = c_argv(argv);
    const std::string out_path = (dir_ / "server.out").string();
    const std::string log_path = (dir_ / "server.log").string();
    const pid_t parent_pid = ::getpid();

    // fork + exec rather than posix_spawn: the child sets its own file limit and asks to
    // be killed with the benchmark. Only async-signal-safe calls between fork and exec.
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent_pid) ::_exit(127);
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGTERM, SIG_DFL);
        ::signal(SIGHUP, SIG_DFL);
        rlimit current{};
        ::getrlimit(RLIMIT_NOFILE, &current);
        if (open_files > current.rlim_cur) {
            // Raising the hard limit needs privilege; without it the soft one goes as far
            // as allowed, and the benchmark reports the limit the server really has.
            const rlimit limit = current;
            rlimit wanted{open_files, open_files > limit.rlim_max ? open_files : limit.rlim_max};
            if (::setrlimit(RLIMIT_NOFILE, &wanted) != 0) {
                wanted.rlim_cur = open_files < limit.rlim_max ? open_files : limit.rlim_max;
                wanted.rlim_max = limit.rlim_max;
                ::setrlimit(RLIMIT_NOFILE, &wanted);
            }
        }
        const int in = ::open("/dev/null", O_RDONLY);
        const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        const int err = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (in < 0 || out < 0 || err < 0) ::_exit(125);
        ::dup2(in, 0);
        ::dup2(out, 1);
        ::dup2(err, 2);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    pid_ = pid;
    g_server_pid = pid;

    // Over TLS (--self-signed) the plain /livez probe cannot answer; the port file is
    // written once the server listens, which is enough there.
    const bool tls = std::find(run_args.begin(), run_args.end(), "--self-signed") != run_args.end();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::optional<std::chrono::steady_clock::time_point> listening;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            g_server_pid = -1;
            throw std::runtime_error("helpline-server exited at start (status " +
                                     std::to_string(status) + "): " + log_tail());
        }
        const std::string text = slurp(port_file);
        if (!text.empty()) {
            if (!listening) listening = std::chrono::steady_clock::now();
            port_ = static_cast<std::uint16_t>(std::stoi(text));
            if (tls || livez_answers(port_)) return *listening;
        }
        std::this_thread::sleep_for(
            std::chrono::milliseconds(5));  // polling, bounded by the deadline
    }
    stop();
    throw std::runtime_error("helpline-server did not answer /livez within 20 s: " + log_tail());
}

BenchServer::~BenchServer() {
    stop();
    std::error_code ec;
    if (!dir_.empty() && std::getenv("HELPLINE_BENCH_KEEP") == nullptr) fs::remove_all(dir_, ec);
}

std::string BenchServer::stop() {
    if (pid_ <= 0) return "not running";
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    bool reaped = false;
    while (std::chrono::steady_clock::now() < deadline) {
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            reaped = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::string what;
    if (!reaped) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        what = "did not stop within 10 s of SIGTERM; killed";
    } else {
        what = WIFEXITED(status) ? "exited with " + std::to_string(WEXITSTATUS(status))
                                 : "ended by signal " + std::to_string(WTERMSIG(status));
    }
    pid_ = -1;
    g_server_pid = -1;
    return what;
}

std::uint64_t BenchServer::rss_kib() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
    }
    return 0;
}

double BenchServer::cpu_seconds() const { return process_cpu_seconds(pid_); }

double process_cpu_seconds(pid_t pid) {
    const std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const auto close = stat.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::uint64_t BenchServer::open_files_limit() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/limits");
    std::string line;
    while (std::getline(in, line)) {
        // "Max open files            20000                20000                files"
        if (line.rfind("Max open files", 0) == 0) return std::stoull(line.substr(14));
    }
    return 0;
}

std::string BenchServer::log_tail(std::size_t bytes) const {
    const std::string log = slurp(dir_ / "server.log");
    return log.size() > bytes ? log.substr(log.size() - bytes) : log;
}

int bench_main(const char* name, const char* usage, const std::function<int()>& run) {
    try {
        return run();
    } catch (const std::invalid_argument& e) {
        std::cerr << name << ": " << e.what() << "\n" << usage;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << name << " failed: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace helpline::bench
