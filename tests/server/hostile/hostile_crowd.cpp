#include "tests/server/hostile/hostile_crowd.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace helpline::test::hostile {
namespace {

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

long ms_until(Clock::time_point t) {
    return std::max<long>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(t - Clock::now()).count());
}

}  // namespace

std::uint64_t raise_fd_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
        ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur;
}

int raise_priority() {
    // PRIO_PROCESS 0 is the calling thread on Linux: done before any other thread starts.
    if (::getpriority(PRIO_PROCESS, 0) > -10) ::setpriority(PRIO_PROCESS, 0, -10);
    return ::getpriority(PRIO_PROCESS, 0);
}

std::uint64_t rss_kib(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
    return 0;
}

std::size_t open_fds(int pid) {
    std::error_code ec;
    std::size_t n = 0;
    for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end;
         !ec && it != end; it.increment(ec))
        ++n;
    return n;
}

int connect_blocking(std::uint16_t port, std::chrono::milliseconds timeout) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    const auto addr = loopback(port);
    timeval tv{static_cast<time_t>(timeout.count() / 1000),
               static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

std::string read_head(int fd, std::string& rest) {
    std::string in;
    char buffer[4096];
    while (in.find("\r\n\r\n") == std::string::npos) {
        const auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0 || in.size() > 64 * 1024) return {};
        in.append(buffer, static_cast<std::size_t>(n));
    }
    const auto end = in.find("\r\n\r\n") + 4;
    rest = in.substr(end);
    in.resize(end);
    return in;
}

// --- Crowd ------------------------------------------------------------------------------

Crowd::Crowd(std::uint16_t port) : port_(port), epoll_(::epoll_create1(EPOLL_CLOEXEC)) {}

Crowd::~Crowd() {
    for (const auto& peer : peers_)
        if (peer.fd >= 0) ::close(peer.fd);
    if (epoll_ >= 0) ::close(epoll_);
}

std::size_t Crowd::open(std::size_t count, const std::string& head, const std::string& dribble,
                        std::chrono::milliseconds every, Clock::time_point deadline,
                        std::size_t in_flight) {
    every_ = every;
    const auto addr = loopback(port_);
    std::size_t opened = 0;
    while (opened < count && error_.empty()) {
        if (Clock::now() >= deadline) {
            error_ = "deadline passed";
            break;
        }
        // A batch of non-blocking connects, then wait until each is established.
        std::vector<pollfd> batch;
        std::vector<Clock::time_point> started;
        for (std::size_t i = 0; i < std::min(in_flight, count - opened); ++i) {
            const auto t = Clock::now();
            const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                error_ = std::string("socket: ") + std::strerror(errno);
                break;
            }
            if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 &&
                errno != EINPROGRESS) {
                error_ = std::string("connect: ") + std::strerror(errno);
                ::close(fd);
                break;
            }
            batch.push_back({fd, POLLOUT, 0});
            started.push_back(t);
        }
        std::size_t pending = batch.size();
        while (pending > 0 && Clock::now() < deadline) {
            if (::poll(batch.data(), batch.size(),
                       static_cast<int>(std::min<long>(ms_until(deadline), 1000))) < 0)
                break;
            pending = 0;
            for (auto& p : batch) {
                if (p.events == 0) continue;
                if (p.revents == 0) {
                    ++pending;
                    continue;
                }
                p.events = 0;  // settled
            }
        }
        for (std::size_t i = 0; i < batch.size(); ++i) {
            const int fd = batch[i].fd;
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
            if (batch[i].events != 0 || err != 0) {
                if (error_.empty())
                    error_ = err != 0 ? std::string("connect: ") + std::strerror(err)
                                      : "connect timed out";
                ::close(fd);
                continue;
            }
            if (!head.empty()) ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
            epoll_event event{};
            event.events = EPOLLIN | EPOLLRDHUP;
            event.data.u64 = peers_.size();
            ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event);
            Peer peer;
            peer.fd = fd;
            peer.opened = started[i];
            peer.dribble = dribble;
            // Spread the dribbling over the interval, so the server gets an even stream.
            peer.next_send = Clock::now() + every * static_cast<long>(peers_.size() % 16) / 16;
            peers_.push_back(std::move(peer));
            ++opened;
        }
        poll_once(std::chrono::milliseconds(0));  // closes seen early keep their time
    }
    return opened;
}

std::size_t Crowd::open_count() const {
    return static_cast<std::size_t>(
        std::count_if(peers_.begin(), peers_.end(), [](const Peer& p) { return !p.closed; }));
}

void Crowd::mark_closed(Peer& peer, Clock::time_point now) {
    if (peer.closed) return;
    peer.closed = now;
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, peer.fd, nullptr);
    ::close(peer.fd);
    peer.fd = -1;
}

void Crowd::poll_once(std::chrono::milliseconds wait) {
    epoll_event events[512];
    const int n = ::epoll_wait(epoll_, events, 512, static_cast<int>(wait.count()));
    const auto now = Clock::now();
    for (int i = 0; i < n; ++i) {
        auto& peer = peers_[events[i].data.u64];
        if (peer.closed) continue;
        char buffer[4096];
        while (true) {
            const auto got = ::recv(peer.fd, buffer, sizeof buffer, 0);
            if (got > 0) {
                peer.answered += static_cast<std::size_t>(got);
                continue;
            }
            if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            mark_closed(peer, now);  // 0: FIN; < 0: reset
            break;
        }
    }
}

void Crowd::send_due(Clock::time_point now) {
    for (auto& peer : peers_) {
        if (peer.closed || peer.dribble.empty() || now < peer.next_send) continue;
        const auto sent = ::send(peer.fd, peer.dribble.data(), 1, MSG_NOSIGNAL);
        if (sent == 1)
            peer.dribble.erase(0, 1);
        else if (errno != EAGAIN && errno != EWOULDBLOCK)
            mark_closed(peer, now);
        peer.next_send = now + every_;
    }
}

bool Crowd::run_until_closed(Clock::time_point until, const std::function<void()>& each_turn) {
    while (open_count() > 0 && Clock::now() < until) {
        poll_once(std::chrono::milliseconds(std::min<long>(20, ms_until(until))));
        send_due(Clock::now());
        if (each_turn) each_turn();
    }
    return open_count() == 0;
}

// --- LivezProbe -------------------------------------------------------------------------

LivezProbe::LivezProbe(std::uint16_t port, std::chrono::milliseconds interval,
                       std::size_t max_count)
    : port_(port), interval_(interval), max_count_(max_count), thread_([this] { loop(); }) {}

LivezProbe::~LivezProbe() {
    stop();
}

void LivezProbe::stop() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    if (thread_.joinable()) thread_.join();
}

std::vector<double> LivezProbe::latencies() const {
    std::lock_guard lock(mutex_);
    return latencies_;
}

std::vector<double> LivezProbe::latencies(Clock::time_point from, Clock::time_point to) const {
    std::lock_guard lock(mutex_);
    std::vector<double> out;
    for (std::size_t i = 0; i < latencies_.size(); ++i)
        if (started_[i] >= from && started_[i] < to) out.push_back(latencies_[i]);
    return out;
}

std::string LivezProbe::slow_ones(double ms, Clock::time_point from) const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (std::size_t i = 0; i < latencies_.size(); ++i)
        if (latencies_[i] > ms)
            out += std::to_string(std::chrono::duration<double>(started_[i] - from).count()) +
                   " s: " + std::to_string(latencies_[i]) + " ms, ";
    return out;
}

std::size_t LivezProbe::failures() const {
    std::lock_guard lock(mutex_);
    return failures_;
}

std::string LivezProbe::last_failure() const {
    std::lock_guard lock(mutex_);
    return last_failure_;
}

void LivezProbe::loop() {
    static const std::string kRequest =
        "GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    for (std::size_t i = 0; i < max_count_; ++i) {
        const auto next = Clock::now() + interval_;
        {
            std::lock_guard lock(mutex_);
            if (stop_) return;
        }
        // From connect to the whole answer: what a new client waits.
        const auto start = Clock::now();
        std::string failure;
        const int fd = connect_blocking(port_, std::chrono::seconds(5));
        if (fd < 0) {
            failure = std::string("connect: ") + std::strerror(errno);
        } else {
            std::string rest;
            if (::send(fd, kRequest.data(), kRequest.size(), MSG_NOSIGNAL) !=
                static_cast<ssize_t>(kRequest.size())) {
                failure = "send failed";
            } else {
                const auto head = read_head(fd, rest);
                std::size_t length = 0;
                if (const auto at = head.find("Content-Length: "); at != std::string::npos)
                    length = std::stoul(head.substr(at + 16));
                char buffer[1024];
                while (!head.empty() && rest.size() < length) {
                    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
                    if (n <= 0) break;
                    rest.append(buffer, static_cast<std::size_t>(n));
                }
                if (head.rfind("HTTP/1.1 200", 0) != 0 || rest.size() < length)
                    failure = "answer: " + head.substr(0, head.find('\r'));
            }
        }
        const auto elapsed =
            std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        if (fd >= 0) ::close(fd);
        {
            std::lock_guard lock(mutex_);
            if (failure.empty()) {
                latencies_.push_back(elapsed);
                started_.push_back(start);
            } else {
                ++failures_;
                last_failure_ = failure;
            }
        }
        // Pacing, not synchronisation: requests spread over the attack.
        while (Clock::now() < next) {
            {
                std::lock_guard lock(mutex_);
                if (stop_) return;
            }
            std::this_thread::sleep_for(
                std::min<Clock::duration>(next - Clock::now(), std::chrono::milliseconds(5)));
        }
    }
}

double quantile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
    return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

}  // namespace helpline::test::hostile
