#include "bench/haproxy_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>
#include <vector>

#include "bench/bench_server.h"
#include "bench/http_wire.h"

namespace helpline::bench {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHaproxy = "/usr/sbin/haproxy";

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// fork + exec of `argv` with stdin from /dev/null and stdout + stderr to `log`; the child
/// dies with the benchmark. Only async-signal-safe calls between fork and exec.
pid_t start_logged(const std::vector<std::string>& argv, const fs::path& log) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const std::string log_path = log.string();
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGTERM, SIG_DFL);
        ::signal(SIGHUP, SIG_DFL);
        const int in = ::open("/dev/null", O_RDONLY);
        const int out = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (in < 0 || out < 0) ::_exit(125);
        ::dup2(in, 0);
        ::dup2(out, 1);
        ::dup2(out, 2);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    return pid;
}

/// Waits for `pid` (at most `limit`); its status, or -1 when it still runs.
int wait_exit(pid_t pid, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (true) {
        if (::waitpid(pid, &status, WNOHANG) == pid) return status;
        if (std::chrono::steady_clock::now() >= deadline) return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling, bounded
    }
}

bool accepts(std::uint16_t port) {
    const int fd = connect_loopback(port);
    if (fd < 0) return false;
    ::close(fd);
    return true;
}

}  // namespace

fs::path make_bench_folder(const std::string& prefix) {
    const char* parent = std::getenv("HELPLINE_BENCH_DIR");
    std::string tmpl = std::string(parent && *parent ? parent : "/tmp") + "/" + prefix + "XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr)
        throw std::runtime_error("cannot create a folder from " + tmpl + ": " +
                                 std::strerror(errno));
    return tmpl;
}

std::uint16_t free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size) != 0) {
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("cannot find a free port on 127.0.0.1");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::string HaproxyProcess::version() {
    std::FILE* pipe = ::popen("/usr/sbin/haproxy -v 2>&1", "r");
    if (pipe == nullptr) return "?";
    char line[256] = "";
    if (std::fgets(line, sizeof line, pipe) == nullptr) line[0] = 0;
    ::pclose(pipe);
    std::string text = line;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

HaproxyProcess::HaproxyProcess(const std::string& config, std::uint16_t port) : port_(port) {
    if (::access(kHaproxy, X_OK) != 0)
        throw std::runtime_error(std::string(kHaproxy) +
                                 " is missing: apt-get install haproxy (Debian 12: 2.6)");
    dir_ = make_bench_folder("helpline-haproxy-");
    const fs::path file = dir_ / "haproxy.cfg";
    const fs::path log = dir_ / "haproxy.log";
    std::ofstream(file) << config;
    const pid_t check = start_logged({kHaproxy, "-c", "-q", "-f", file.string()}, log);
    const int status = wait_exit(check, std::chrono::seconds(10));
    if (status != 0) {
        if (status < 0) {  // hung: it goes, and the configuration is reported as refused
            ::kill(check, SIGKILL);
            ::waitpid(check, nullptr, 0);
        }
        const std::string why = slurp(log);
        std::error_code ec;
        fs::remove_all(dir_, ec);
        throw std::runtime_error("haproxy -c refused the benchmark's configuration:\n" + why +
                                 "\n--- the configuration:\n" + config);
    }
    pid_ = start_logged({kHaproxy, "-db", "-f", file.string()}, log);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        if (wait_exit(pid_, std::chrono::milliseconds(0)) >= 0) {
            pid_ = -1;
            const std::string why = slurp(log);
            std::error_code ec;
            fs::remove_all(dir_, ec);
            throw std::runtime_error("haproxy exited at start: " + why);
        }
        if (accepts(port_)) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling, bounded
    }
    const std::string why = slurp(log);
    shutdown();
    throw std::runtime_error("haproxy did not listen on 127.0.0.1:" + std::to_string(port_) +
                             " within 10 s: " + why);
}

HaproxyProcess::~HaproxyProcess() {
    shutdown();
}

void HaproxyProcess::shutdown() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);  // hard stop: connections are cut, which is what ends a run
        if (wait_exit(pid_, std::chrono::seconds(10)) < 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        pid_ = -1;
    }
    std::error_code ec;
    if (!dir_.empty() && std::getenv("HELPLINE_BENCH_KEEP") == nullptr) fs::remove_all(dir_, ec);
    dir_.clear();
}

double HaproxyProcess::cpu_seconds() const {
    return process_cpu_seconds(pid_);
}

}  // namespace helpline::bench
