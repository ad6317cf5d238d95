#include "tests/support/haproxy_front.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/server_process.h"
#include "tests/support/test_client.h"

extern char** environ;

namespace helpline::test {

namespace {

std::string which(const std::string& program) {
    for (const char* dir : {"/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
        const auto path = std::filesystem::path(dir) / program;
        if (::access(path.c_str(), X_OK) == 0) return path.string();
    }
    return {};
}

}  // namespace

HaproxyFront::HaproxyFront(const std::vector<std::string>& servers) {
    if (servers.empty() || servers.size() > 3) throw std::invalid_argument("HaproxyFront takes 1 to 3 servers");
    const std::string haproxy = which("haproxy");
    const std::string openssl = which("openssl");
    if (haproxy.empty() || openssl.empty())
        throw std::runtime_error("haproxy or openssl is missing: apt-get install -y haproxy openssl (scripts/test "
                                 "installs them)");
    const auto config = source_path("deploy/haproxy.cfg");
    if (!std::filesystem::exists(config)) throw std::runtime_error(config.string() + " not found");
    // A certificate for 127.0.0.1, the test's own.
    const auto cert = dir_ / "cert.pem";
    const auto key = dir_ / "key.pem";
    const auto made = run_program({openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                   "-nodes", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                                   "-days", "2", "-keyout", key.string(), "-out", cert.string()});
    if (made.exit_code != 0) throw std::runtime_error("openssl could not make a certificate: " + made.err);
    ca_pem_ = read_text(cert);
    write_text(dir_ / "haproxy.pem", ca_pem_ + read_text(key));
    port_ = free_port();

    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
    env.push_back("HELPLINE_TLS_PEM=" + (dir_ / "haproxy.pem").string());
    env.push_back("HELPLINE_HTTPS_BIND=127.0.0.1:" + std::to_string(port_));
    env.push_back("HELPLINE_HAPROXY_SOCKET=" + (dir_ / "admin.sock").string());
    for (std::size_t i = 0; i < servers.size(); ++i)
        env.push_back("HELPLINE_SERVER_" + std::to_string(i + 1) + "=" + servers[i]);
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv = {haproxy, "-db", "-f", config.string()};
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log_path = (dir_ / "haproxy.log").string();
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + haproxy);
    std::vector<std::string> all;
    for (std::size_t i = 0; i < servers.size(); ++i) all.push_back("s" + std::to_string(i + 1));
    if (!wait_servers_up(all)) {
        const std::string why = log();
        stop();
        throw std::runtime_error("HAProxy did not see every server up within 20 s: " + why);
    }
}

HaproxyFront::~HaproxyFront() { stop(); }

void HaproxyFront::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100; ++i) {
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

std::string HaproxyFront::url(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(port_) + path;
}

std::string HaproxyFront::log() const { return read_text(dir_ / "haproxy.log"); }

std::string HaproxyFront::admin(const std::string& command) const {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return {};
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string path = (dir_ / "admin.sock").string();
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    std::string answer;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
        const std::string line = command + "\n";
        if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size())) {
            timeval timeout{5, 0};
            ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
            char buffer[4096];
            ssize_t n = 0;
            while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0) answer.append(buffer, static_cast<std::size_t>(n));
        }
    }
    ::close(fd);
    return answer;
}

std::vector<std::string> HaproxyFront::servers_up() const {
    // show stat: CSV, "pxname,svname,...,status,..." with status the 18th field.
    std::vector<std::string> up;
    std::istringstream lines(admin("show stat"));
    std::string line;
    while (std::getline(lines, line)) {
        std::vector<std::string> fields;
        std::stringstream row(line);
        std::string field;
        while (std::getline(row, field, ',')) fields.push_back(field);
        if (fields.size() > 17 && fields[0] == "helpline" && fields[1].rfind('s', 0) == 0 && fields[17] == "UP")
            up.push_back(fields[1]);
    }
    return up;
}

bool HaproxyFront::wait_servers_up(const std::vector<std::string>& servers, std::chrono::milliseconds timeout) const {
    return wait_for([&] { return servers_up() == servers; }, timeout);
}

}  // namespace helpline::test
