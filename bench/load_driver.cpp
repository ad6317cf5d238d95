#include "bench/load_driver.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <stdexcept>

namespace helpline::bench {
namespace {

using Clock = std::chrono::steady_clock;

/// After max_time, the answers in flight get this long before the run is cut.
constexpr auto kDrainTime = std::chrono::seconds(10);

double thread_cpu_seconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Conn {
    int fd = -1;
    ResponseParser parser;
    std::string out;
    std::size_t out_offset = 0;
    std::size_t seq = 0;
    Clock::time_point sent_at;
    bool busy = false;
    bool dead = false;
};

}  // namespace

LoadResult run_load(const LoadOptions& o) {
    LoadResult result;
    result.latencies_ms.reserve(o.requests);
    std::vector<Conn> conns(o.connections);
    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
    const auto cleanup = [&] {
        for (auto& c : conns)
            if (c.fd >= 0) ::close(c.fd);
        ::close(ep);
    };
    for (std::size_t i = 0; i < conns.size(); ++i) {
        conns[i].fd = connect_loopback(o.port);
        if (conns[i].fd < 0) {
            const std::string reason = std::strerror(errno);
            cleanup();
            throw std::runtime_error("cannot open connection " + std::to_string(i) + ": " + reason);
        }
        ::fcntl(conns[i].fd, F_SETFL, ::fcntl(conns[i].fd, F_GETFL) | O_NONBLOCK);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = i;
        ::epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
    }

    std::size_t issued = 0;
    std::size_t in_flight = 0;
    // Connections with nothing in flight, used in turn: a connection left unused for long
    // would be closed by the server's idle timeout.
    std::deque<std::size_t> idle;
    const auto start = Clock::now();
    const double cpu_start = thread_cpu_seconds();
    const auto issue_deadline = start + o.max_time;
    auto last_answer = start;
    const bool open_loop = o.rate > 0;
    const auto due_at = [&](std::size_t seq) {
        return start + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(static_cast<double>(seq) / o.rate));
    };

    const auto kill = [&](std::size_t i) {
        Conn& c = conns[i];
        if (c.dead) return;
        c.dead = true;
        if (c.busy) {
            ++result.broken_connections;
            --in_flight;
        } else {
            ++result.closed_idle;
            idle.erase(std::remove(idle.begin(), idle.end(), i), idle.end());
        }
        c.busy = false;
        ::epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
    };
    const auto flush = [&](std::size_t i) {
        Conn& c = conns[i];
        while (c.out_offset < c.out.size()) {
            const ssize_t n = ::send(c.fd, c.out.data() + c.out_offset, c.out.size() - c.out_offset,
                                     MSG_NOSIGNAL);
            if (n > 0) {
                c.out_offset += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                epoll_event ev{};
                ev.events = EPOLLIN | EPOLLOUT;
                ev.data.u64 = i;
                ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
                return;
            }
            return kill(i);
        }
    };
    // Sends request `issued` on connection i; `due` is when its latency starts.
    const auto send_next = [&](std::size_t i, Clock::time_point due) {
        Conn& c = conns[i];
        c.seq = issued++;
        c.out = o.make_request(i, c.seq);
        c.out_offset = 0;
        c.busy = true;
        ++in_flight;
        c.sent_at = due;
        flush(i);
    };
    const auto more_to_issue = [&] { return issued < o.requests && Clock::now() < issue_deadline; };
    // Closed loop: a connection that got its answer asks again at once.
    // Open loop: every due request goes out on an idle connection.
    const auto dispatch = [&] {
        if (!open_loop) {
            while (!idle.empty() && more_to_issue()) {
                const std::size_t i = idle.front();
                idle.pop_front();
                send_next(i, Clock::now());
            }
            return;
        }
        const auto now = Clock::now();
        while (!idle.empty() && more_to_issue() && due_at(issued) <= now) {
            const std::size_t i = idle.front();
            idle.pop_front();
            send_next(i, due_at(issued));
        }
        if (more_to_issue()) {
            const double backlog =
                std::chrono::duration<double>(now - due_at(issued)).count() * o.rate;
            result.max_backlog = std::max(result.max_backlog, backlog);
        }
    };

    for (std::size_t i = 0; i < conns.size(); ++i) idle.push_back(i);
    dispatch();
    std::vector<epoll_event> events(conns.size() < 1024 ? conns.size() : 1024);
    char buf[65536];
    while (in_flight > 0 || (open_loop && more_to_issue())) {
        const auto now = Clock::now();
        if (now >= issue_deadline + kDrainTime) break;
        // Sleep until the next request is due (to the microsecond: a millisecond timeout
        // would either send late or spin, and a spinning client takes a core from the
        // server on a small machine), or 100 ms.
        auto wait = std::chrono::nanoseconds(std::chrono::milliseconds(100));
        if (open_loop && more_to_issue() && !idle.empty())
            wait = std::clamp<std::chrono::nanoseconds>(due_at(issued) - now,
                                                        std::chrono::nanoseconds(0), wait);
        const timespec timeout{static_cast<time_t>(wait.count() / 1'000'000'000),
                               static_cast<long>(wait.count() % 1'000'000'000)};
        const int n =
            ::epoll_pwait2(ep, events.data(), static_cast<int>(events.size()), &timeout, nullptr);
        for (int k = 0; k < n; ++k) {
            const std::size_t i = events[k].data.u64;
            Conn& c = conns[i];
            if (c.dead) continue;
            if (events[k].events & EPOLLOUT) {
                flush(i);
                if (c.out_offset == c.out.size()) {
                    epoll_event ev{};
                    ev.events = EPOLLIN;
                    ev.data.u64 = i;
                    ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
                }
            }
            if (!(events[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
            const ssize_t got = ::recv(c.fd, buf, sizeof buf, 0);
            if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (got <= 0) {
                kill(i);
                continue;
            }
            try {
                c.parser.feed(std::string_view(buf, static_cast<std::size_t>(got)));
            } catch (const std::exception&) {
                kill(i);
                continue;
            }
            while (auto response = c.parser.next()) {
                if (!c.busy) continue;  // an answer nobody asked for: ignored
                const auto done = Clock::now();
                last_answer = done;
                result.latencies_ms.push_back(
                    std::chrono::duration<double, std::milli>(done - c.sent_at).count());
                ++result.statuses[response->status];
                ++result.completed;
                if (o.on_response) o.on_response(c.seq, *response);
                c.busy = false;
                --in_flight;
                idle.push_back(i);
            }
        }
        dispatch();
    }
    result.client_cpu_s = thread_cpu_seconds() - cpu_start;
    result.wall_s = std::chrono::duration<double>(last_answer - start).count();
    result.timed_out = issued < o.requests || in_flight > 0;
    cleanup();
    return result;
}

}  // namespace helpline::bench
