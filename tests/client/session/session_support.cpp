#include "tests/client/session/session_support.h"

#include "tests/support/fixtures.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace helpline::test {

using Clock = std::chrono::steady_clock;

namespace {

int millis_left(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

void set_nonblocking(int fd) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

std::optional<ProcessInfo> read_stat(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const auto close = text.rfind(')');
    if (close == std::string::npos || close + 2 >= text.size()) return std::nullopt;
    ProcessInfo info;
    info.pid = pid;
    char state = '?';
    if (std::sscanf(text.c_str() + close + 2, "%c %d %d", &state, &info.ppid, &info.pgid) != 3)
        return std::nullopt;
    info.state = state;
    return info;
}

}  // namespace

std::vector<ProcessInfo> list_processes() {
    std::vector<ProcessInfo> all;
    DIR* dir = ::opendir("/proc");
    if (dir == nullptr) return all;
    while (const dirent* entry = ::readdir(dir)) {
        if (!std::isdigit(static_cast<unsigned char>(entry->d_name[0]))) continue;
        if (auto info = read_stat(std::atoi(entry->d_name))) all.push_back(*info);
    }
    ::closedir(dir);
    return all;
}

std::vector<int> processes_mentioning(const std::string& text) {
    std::vector<int> pids;
    for (const auto& p : list_processes()) {
        if (p.state == 'Z' || p.state == 'X') continue;
        std::string cmdline = read_text("/proc/" + std::to_string(p.pid) + "/cmdline");
        std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
        if (cmdline.find(text) != std::string::npos) pids.push_back(p.pid);
    }
    return pids;
}

bool group_gone(int pgid) {
    for (const auto& p : list_processes())
        if (p.pgid == pgid && p.state != 'Z' && p.state != 'X') return false;
    return true;
}

bool process_dead(int pid) {
    const auto info = read_stat(pid);
    return !info || info->state == 'Z' || info->state == 'X';
}

std::string random_bytes(std::size_t count, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::string data(count, '\0');
    for (auto& c : data) c = static_cast<char>(rng() & 0xff);
    return data;
}

std::uint64_t checksum(const std::string& data) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : data) h = (h ^ c) * 1099511628211ULL;
    return h;
}

Xvfb::Xvfb() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 3);  // clears close-on-exec on fd 3
    const char* argv[] = {"Xvfb",       "-displayfd", "3",   "-screen", "0",
                          "640x480x24", "-nolisten",  "tcp", nullptr};
    pid_t pid = 0;
    const int rc =
        ::posix_spawnp(&pid, "Xvfb", &actions, nullptr, const_cast<char* const*>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        return;
    }
    pid_ = pid;
    // Xvfb writes the display number once it accepts clients.
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    std::string number;
    while (number.find('\n') == std::string::npos && Clock::now() < deadline) {
        pollfd pfd{fds[0], POLLIN, 0};
        if (::poll(&pfd, 1, millis_left(deadline)) <= 0) break;
        char buffer[32];
        const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
        if (n <= 0) break;
        number.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    if (number.find('\n') == std::string::npos) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
        return;
    }
    display_ = ":" + number.substr(0, number.find('\n'));
}

Xvfb::~Xvfb() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
}

Listener::Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), size) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0)
        throw std::runtime_error("cannot listen on 127.0.0.1");
    port_ = ntohs(address.sin_port);
}

Listener::~Listener() {
    ::close(fd_);
}

int Listener::accept(std::chrono::milliseconds timeout) {
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return -1;
    const int fd = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    return fd;
}

int connect_loopback(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool exchange(TransferSide& a, TransferSide& b, std::chrono::milliseconds timeout) {
    set_nonblocking(a.fd);
    set_nonblocking(b.fd);
    const auto deadline = Clock::now() + timeout;
    const auto done = [](const TransferSide& s) {
        return s.sent == s.out.size() && (s.in.size() >= s.want || s.closed);
    };
    TransferSide* sides[] = {&a, &b};
    std::vector<char> buffer(64 * 1024);
    while (!(done(a) && done(b))) {
        pollfd fds[2];
        for (int i = 0; i < 2; ++i) {
            const auto& s = *sides[i];
            short events = 0;
            if (!s.closed && s.in.size() < s.want) events |= POLLIN;
            if (s.sent < s.out.size()) events |= POLLOUT;
            fds[i] = {events != 0 ? s.fd : -1, events, 0};
        }
        const int left = millis_left(deadline);
        if (left == 0 || ::poll(fds, 2, left) < 0) return false;
        for (int i = 0; i < 2; ++i) {
            auto& s = *sides[i];
            if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0 && !s.closed &&
                s.in.size() < s.want) {
                const ssize_t n = ::recv(s.fd, buffer.data(), buffer.size(), 0);
                if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) s.closed = true;
                if (n > 0) s.in.append(buffer.data(), static_cast<std::size_t>(n));
            }
            if ((fds[i].revents & POLLOUT) != 0 && s.sent < s.out.size()) {
                const ssize_t n =
                    ::send(s.fd, s.out.data() + s.sent, s.out.size() - s.sent, MSG_NOSIGNAL);
                if (n > 0) s.sent += static_cast<std::size_t>(n);
                if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
            }
        }
    }
    return a.in.size() >= a.want && b.in.size() >= b.want;
}

bool wait_eof(int fd, std::chrono::milliseconds timeout, std::string* received) {
    const auto deadline = Clock::now() + timeout;
    char buffer[4096];
    while (true) {
        pollfd pfd{fd, POLLIN, 0};
        const int left = millis_left(deadline);
        if (left == 0 || ::poll(&pfd, 1, left) <= 0) return false;
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n == 0) return true;
        if (n < 0 && errno != EAGAIN && errno != EINTR) return true;  // reset: closed as well
        if (n > 0 && received != nullptr) received->append(buffer, static_cast<std::size_t>(n));
    }
}

UpgradeServer::UpgradeServer(std::string session, std::string token, std::string early_bytes)
    : session_(std::move(session)), token_(std::move(token)), early_(std::move(early_bytes)) {
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC);
    thread_ = std::thread([this] { serve(); });
}

UpgradeServer::~UpgradeServer() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof one);
    thread_.join();
    ::close(wake_fd_);
    for (int fd : streams_) ::close(fd);
}

int UpgradeServer::take_stream(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
        {
            std::lock_guard lock(mutex_);
            if (!streams_.empty()) {
                const int fd = streams_.front();
                streams_.pop_front();
                return fd;
            }
        }
        if (Clock::now() >= deadline) return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

std::string UpgradeServer::last_request() const {
    std::lock_guard lock(mutex_);
    return last_request_;
}

void UpgradeServer::serve() {
    while (true) {
        pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {listener_.fd(), POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
        if (fds[0].revents != 0) return;
        if (fds[1].revents != 0) {
            const int fd = ::accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC);
            if (fd >= 0) handle(fd);
        }
    }
}

void UpgradeServer::handle(int fd) {
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    std::string head;
    char buffer[1024];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 16 * 1024) {
        pollfd pfd{fd, POLLIN, 0};
        if (::poll(&pfd, 1, millis_left(deadline)) <= 0) break;
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        head.append(buffer, static_cast<std::size_t>(n));
    }
    {
        std::lock_guard lock(mutex_);
        last_request_ = head;
    }
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    const auto problem = [](int status, const std::string& title, const std::string& detail) {
        const std::string body = R"({"type":"about:blank","title":")" + title + R"(","status":)" +
                                 std::to_string(status) + R"(,"detail":")" + detail + R"("})";
        return "HTTP/1.1 " + std::to_string(status) + " " + title +
               "\r\nContent-Type: application/problem+json\r\nConnection: "
               "close\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body;
    };
    std::string answer;
    bool upgraded = false;
    if (head.rfind("GET /api/v1/relay/" + session_ + " HTTP/1.1\r\n", 0) != 0) {
        answer = problem(404, "Not Found", "No such session.");
    } else if (lower.find("\r\nupgrade: helpline-relay/1\r\n") == std::string::npos ||
               lower.find("\r\nconnection: upgrade\r\n") == std::string::npos) {
        answer = problem(426, "Upgrade Required", "Upgrade to helpline-relay/1.");
    } else if (head.find("\r\nAuthorization: Bearer " + token_ + "\r\n") == std::string::npos) {
        answer = problem(401, "Unauthorized", "The relay token does not match this session.");
    } else {
        answer =
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: helpline-relay/1\r\nConnection: "
            "Upgrade\r\n\r\n" +
            early_;
        upgraded = true;
    }
    // One write, so that early bytes arrive together with the head.
    std::size_t sent = 0;
    while (sent < answer.size()) {
        const ssize_t n = ::send(fd, answer.data() + sent, answer.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    if (!upgraded) {
        ::close(fd);
        return;
    }
    set_nonblocking(fd);
    std::lock_guard lock(mutex_);
    streams_.push_back(fd);
}

std::vector<std::string> listening_addresses(std::uint16_t port) {
    std::vector<std::string> found;
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(table);
        std::string line;
        std::getline(in, line);  // header
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::string slot, local, remote, state;
            fields >> slot >> local >> remote >> state;
            const auto colon = local.rfind(':');
            if (state != "0A" || colon == std::string::npos) continue;  // 0A: LISTEN
            if (std::stoul(local.substr(colon + 1), nullptr, 16) == port)
                found.push_back(local.substr(0, colon));
        }
    }
    return found;
}

}  // namespace helpline::test
