#include "bench/stream_fleet.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <queue>
#include <random>
#include <stdexcept>

namespace helpline::bench {
namespace {

/// epoll data for the wake-up eventfd; stream indices are small.
constexpr std::uint64_t kWakeTag = ~std::uint64_t{0};

}  // namespace

struct StreamFleet::Stream {
    enum class State { connecting, head, streaming, closed };
    int fd = -1;
    std::size_t device = 0;
    State state = State::connecting;
    std::string request;
    std::size_t sent = 0;
    ResponseParser parser;
    SseParser sse;
};

StreamFleet::StreamFleet(std::uint16_t port) : port_(port) {
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (epoll_fd_ < 0 || wake_fd_ < 0)
        throw std::runtime_error(std::string("epoll/eventfd: ") + std::strerror(errno));
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeTag;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
}

StreamFleet::~StreamFleet() {
    stop_reading();
    for (std::size_t i = 0; i < streams_.size(); ++i) close_stream(i);
    ::close(wake_fd_);
    ::close(epoll_fd_);
}

void StreamFleet::close_stream(std::size_t index) {
    Stream& s = *streams_[index];
    if (s.fd < 0) return;
    if (s.state == Stream::State::streaming) --open_;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, s.fd, nullptr);
    ::close(s.fd);
    s.fd = -1;
    s.state = Stream::State::closed;
}

bool StreamFleet::read_stream(std::size_t index, Clock::time_point at) {
    Stream& s = *streams_[index];
    char buf[16384];
    // Level-triggered: one read per wake-up keeps a chatty stream from starving the rest.
    const ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return true;
    if (n <= 0) return false;
    try {
        s.parser.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    } catch (const std::exception&) {
        return false;
    }
    if (!s.parser.head_complete()) return true;
    if (s.state == Stream::State::head) {
        if (s.parser.current().status != 200) return false;
        s.state = Stream::State::streaming;
        ++open_;
    }
    const std::size_t comments_before = s.sse.comments();
    const auto events = s.sse.feed(s.parser.take_body());
    pings_ += s.sse.comments() - comments_before;
    if (on_event_)
        for (const auto& e : events) on_event_(index, s.device, e, at);
    // An ended response (the server's last chunk) leaves the parser with a complete one.
    return !s.parser.next().has_value();
}

StreamFleet::OpenReport StreamFleet::open(const std::vector<StreamSpec>& specs,
                                          std::size_t in_flight,
                                          std::chrono::milliseconds max_time) {
    if (reader_.joinable()) throw std::logic_error("StreamFleet::open while reading");
    OpenReport report;
    const auto start = Clock::now();
    const auto deadline = start + max_time;
    std::size_t next = 0;     // next spec to start
    std::size_t pending = 0;  // handshakes in flight
    const std::size_t first = streams_.size();
    std::vector<epoll_event> events(1024);

    // A stream whose handshake was in flight failed.
    const auto fail = [&](std::size_t index, const std::string& reason) {
        ++report.failed;
        ++report.failures[reason];
        close_stream(index);
        --pending;
    };
    bool out_of_descriptors = false;

    while ((next < specs.size() && !out_of_descriptors) || pending > 0) {
        if (Clock::now() >= deadline) {
            report.timed_out = true;
            break;
        }
        while (pending < in_flight && next < specs.size() && !out_of_descriptors) {
            auto s = std::make_unique<Stream>();
            s->device = specs[next].device;
            s->request = http_request("GET", "/api/v1/events",
                                      {{"Authorization", "Bearer " + specs[next].token},
                                       {"Accept", "text/event-stream"}});
            ++next;
            const std::size_t index = streams_.size();
            s->fd = connect_loopback(port_, true);
            streams_.push_back(std::move(s));
            if (streams_[index]->fd < 0) {
                const int err = errno;
                ++report.failed;
                ++report.failures[std::string("connect: ") + std::strerror(err)];
                streams_[index]->state = Stream::State::closed;
                // Out of descriptors or ports: more attempts would fail the same way.
                if (err == EMFILE || err == ENFILE || err == EADDRNOTAVAIL)
                    out_of_descriptors = true;
                continue;
            }
            ++pending;
            epoll_event ev{};
            ev.events = EPOLLOUT | EPOLLIN;
            ev.data.u64 = index;
            ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, streams_[index]->fd, &ev);
        }
        const int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 100);
        const auto now = Clock::now();
        for (int k = 0; k < n; ++k) {
            const std::uint64_t tag = events[k].data.u64;
            if (tag == kWakeTag) continue;
            const std::size_t index = tag;
            Stream& s = *streams_[index];
            if (s.fd < 0) continue;
            if (s.state == Stream::State::connecting) {
                int err = 0;
                socklen_t len = sizeof err;
                ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err != 0) {
                    fail(index, std::string("connect: ") + std::strerror(err));
                    continue;
                }
                std::string failure;
                if ((events[k].events & EPOLLOUT) && !send_request(index, failure))
                    fail(index, failure);
                continue;
            }
            const bool was_head = s.state == Stream::State::head;
            if (!read_stream(index, now)) {
                if (was_head) {
                    const int status = s.parser.head_complete() ? s.parser.current().status : 0;
                    fail(index, status == 200 ? "ended at once"
                                : status != 0 ? "HTTP " + std::to_string(status)
                                              : "closed before the answer");
                } else {
                    ++ended_;
                    close_stream(index);
                }
                continue;
            }
            if (was_head && s.state == Stream::State::streaming) {
                ++report.opened;
                --pending;
            }
        }
    }
    // Whatever did not finish in time counts as failed.
    for (std::size_t i = first; i < streams_.size(); ++i) {
        const auto state = streams_[i]->state;
        if (state == Stream::State::connecting || state == Stream::State::head)
            fail(i, "not open within the time limit");
    }
    report.failed += specs.size() - next;
    if (specs.size() > next) report.failures["not attempted"] += specs.size() - next;
    report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return report;
}

bool StreamFleet::send_request(std::size_t index, std::string& failure) {
    Stream& s = *streams_[index];
    while (s.sent < s.request.size()) {
        const ssize_t n =
            ::send(s.fd, s.request.data() + s.sent, s.request.size() - s.sent, MSG_NOSIGNAL);
        if (n > 0) {
            s.sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;  // EPOLLOUT again
        failure = std::string("send: ") + std::strerror(errno);
        return false;
    }
    s.state = Stream::State::head;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = index;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, s.fd, &ev);
    return true;
}

bool StreamFleet::begin_handshake(std::size_t index, std::string& failure) {
    Stream& s = *streams_[index];
    s.parser = ResponseParser{};
    s.sse = SseParser{};
    s.sent = 0;
    s.fd = connect_loopback(port_, true);
    if (s.fd < 0) {
        failure = std::string("connect: ") + std::strerror(errno);
        s.state = Stream::State::closed;
        return false;
    }
    s.state = Stream::State::connecting;
    epoll_event ev{};
    ev.events = EPOLLOUT | EPOLLIN;
    ev.data.u64 = index;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, s.fd, &ev);
    return true;
}

StreamFleet::ReconnectReport StreamFleet::ride_out_restart(const ReconnectPolicy& policy,
                                                           Clock::time_point deadline) {
    if (reader_.joinable()) throw std::logic_error("StreamFleet::ride_out_restart while reading");
    ReconnectReport report;
    const std::size_t count = streams_.size();
    std::vector<char> member(count, 0);  // open at the start
    std::vector<char> back(count, 0);    // ended, then open again
    for (std::size_t i = 0; i < count; ++i)
        if (streams_[i]->state == Stream::State::streaming) {
            member[i] = 1;
            ++report.streams;
        }
    std::mt19937_64 rng(policy.seed);
    // The same draw as helpline::client::Backoff::next() (client/core/backoff.cpp), with one
    // generator for the fleet rather than one per stream.
    const auto wait_before = [&](int attempt) -> std::chrono::milliseconds {
        if (!policy.client_backoff)
            return attempt == 0 ? std::chrono::milliseconds(0) : policy.retry;
        const int shift = std::min(attempt, 30);
        const long long ceiling =
            std::min<long long>(policy.cap.count(), policy.base.count() << shift);
        std::uniform_int_distribution<long long> pick(0, std::max<long long>(ceiling, 0));
        return std::max(policy.floor, std::chrono::milliseconds(pick(rng)));
    };
    using Due = std::pair<Clock::time_point, std::size_t>;
    std::priority_queue<Due, std::vector<Due>, std::greater<>> due;
    std::vector<int> attempt(count, 0);
    std::size_t pending = 0;  // handshakes in flight
    const auto schedule = [&](std::size_t i, Clock::time_point now) {
        due.emplace(now + wait_before(attempt[i]), i);
        ++attempt[i];
    };
    const auto failed = [&](std::size_t i, const std::string& reason, Clock::time_point now) {
        ++report.failures[reason];
        close_stream(i);
        --pending;
        schedule(i, now);
    };

    std::vector<epoll_event> events(1024);
    while (report.reopened < report.streams || open_.load() < report.streams) {
        auto now = Clock::now();
        if (now >= deadline) {
            report.timed_out = true;
            break;
        }
        while (pending < policy.in_flight && !due.empty() && due.top().first <= now) {
            const std::size_t i = due.top().second;
            due.pop();
            ++report.attempts;
            std::string failure;
            if (begin_handshake(i, failure)) {
                ++pending;
            } else {
                ++report.failures[failure];
                schedule(i, now);
            }
        }
        int timeout_ms = 100;
        if (!due.empty() && pending < policy.in_flight)
            timeout_ms = static_cast<int>(std::clamp<long long>(
                std::chrono::ceil<std::chrono::milliseconds>(due.top().first - now).count(), 0,
                100));
        const int n =
            ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout_ms);
        now = Clock::now();
        for (int k = 0; k < n; ++k) {
            const std::uint64_t tag = events[k].data.u64;
            if (tag == kWakeTag) continue;
            const std::size_t i = tag;
            Stream& s = *streams_[i];
            if (s.fd < 0) continue;
            if (s.state == Stream::State::connecting) {
                int err = 0;
                socklen_t len = sizeof err;
                ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
                std::string failure;
                if (err != 0)
                    failed(i, std::string("connect: ") + std::strerror(err), now);
                else if ((events[k].events & EPOLLOUT) && !send_request(i, failure))
                    failed(i, failure, now);
                continue;
            }
            const bool was_head = s.state == Stream::State::head;
            if (!read_stream(i, now)) {
                if (was_head) {
                    const int status = s.parser.head_complete() ? s.parser.current().status : 0;
                    failed(i,
                           status == 200 ? "ended at once"
                           : status != 0 ? "HTTP " + std::to_string(status)
                                         : "closed before the answer",
                           now);
                } else {  // the server ended an open stream: reconnect as a client would
                    ++ended_;
                    close_stream(i);
                    if (member[i] && !back[i]) {
                        ++report.ended;
                        report.last_ended = now;
                    }
                    attempt[i] = 0;
                    schedule(i, now);
                }
                continue;
            }
            if (was_head && s.state == Stream::State::streaming) {
                --pending;
                attempt[i] = 0;
                if (member[i] && !back[i]) {
                    back[i] = 1;
                    ++report.reopened;
                    report.last_reopened = now;
                }
            }
        }
    }
    // Handshakes still in flight at the deadline are abandoned.
    for (std::size_t i = 0; i < count; ++i) {
        const auto state = streams_[i]->state;
        if (state == Stream::State::connecting || state == Stream::State::head) close_stream(i);
    }
    return report;
}

void StreamFleet::start_reading(OnEvent on_event) {
    if (reader_.joinable()) return;
    on_event_ = std::move(on_event);
    reader_ = std::thread([this] { reader_loop(); });
}

void StreamFleet::stop_reading() {
    if (!reader_.joinable()) return;
    const std::uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
    reader_.join();
    std::uint64_t drained = 0;
    (void)!::read(wake_fd_, &drained, sizeof drained);
    on_event_ = nullptr;
}

void StreamFleet::reader_loop() {
    std::vector<epoll_event> events(1024);
    while (true) {
        const int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 1000);
        const auto now = Clock::now();
        for (int k = 0; k < n; ++k) {
            if (events[k].data.u64 == kWakeTag) return;
            const std::size_t index = events[k].data.u64;
            if (streams_[index]->fd < 0) continue;
            if (!read_stream(index, now)) {
                ++ended_;
                close_stream(index);
            }
        }
    }
}

}  // namespace helpline::bench
