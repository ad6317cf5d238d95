#pragma once
// Hostile clients for the server's limits and timeouts (issue 19): a crowd of raw TCP
// connections to 127.0.0.1 watched with epoll (each may dribble bytes, none reads), a
// probe that times /livez from a well-behaved client meanwhile, and the server's memory
// and descriptors as /proc shows them.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace helpline::test::hostile {

using Clock = std::chrono::steady_clock;

/// Raises this process's RLIMIT_NOFILE soft limit to the hard limit; the new soft limit.
/// Programs started afterwards (the server) inherit it.
std::uint64_t raise_fd_limit();

/// Lowers this thread's nice value to -10 when allowed (root, CAP_SYS_NICE); threads and
/// programs started afterwards (the probe, the server) inherit it, so other work on a
/// shared machine does not pass for the server's latency. The nice value now.
int raise_priority();

/// VmRSS of process `pid` in KiB (0 if it cannot be read).
std::uint64_t rss_kib(int pid);
/// How many descriptors process `pid` has open.
std::size_t open_fds(int pid);

/// A connected blocking socket to 127.0.0.1:port with `timeout` on reads and writes; -1 on
/// failure.
int connect_blocking(std::uint16_t port, std::chrono::milliseconds timeout);
/// Reads one HTTP response head (up to the blank line); what was read, "" on failure.
/// Bytes past the head stay in `rest`.
std::string read_head(int fd, std::string& rest);

struct Peer {
    int fd = -1;
    Clock::time_point opened;                 ///< just before connect(): the server's
                                              ///< timers can only have started later
    std::optional<Clock::time_point> closed;  ///< when the server's close was seen
    std::size_t answered = 0;                 ///< bytes the server sent before closing
    std::string dribble;                      ///< bytes still to send, one per tick
    Clock::time_point next_send;
};

/// Many connections to one port; nothing in them is read but to notice the close.
class Crowd {
  public:
    explicit Crowd(std::uint16_t port);
    ~Crowd();
    Crowd(const Crowd&) = delete;
    Crowd& operator=(const Crowd&) = delete;

    /// Opens up to `count` more connections, at most `in_flight` connecting at once, each
    /// first sending `head` (may be empty) and then `dribble` one byte every `every`.
    /// Stops at the first connection that fails (EMFILE, refused) or at `deadline`; how
    /// many were opened. `error` says why it stopped early.
    std::size_t open(std::size_t count, const std::string& head, const std::string& dribble,
                     std::chrono::milliseconds every, Clock::time_point deadline,
                     std::size_t in_flight = 256);
    /// Sends due bytes and notes closes until every connection is closed or `until`;
    /// `each_turn` (if set) runs about every 20 ms meanwhile. True when all are closed.
    bool run_until_closed(Clock::time_point until, const std::function<void()>& each_turn = {});

    const std::vector<Peer>& peers() const { return peers_; }
    std::size_t open_count() const;
    const std::string& error() const { return error_; }

  private:
    void poll_once(std::chrono::milliseconds wait);
    void send_due(Clock::time_point now);
    void mark_closed(Peer& peer, Clock::time_point now);

    std::uint16_t port_;
    int epoll_ = -1;
    std::vector<Peer> peers_;
    std::chrono::milliseconds every_{1000};
    std::string error_;
};

/// Times GET /livez from a polite client on a thread of its own, each request on a fresh
/// connection, one every `interval`, at most `max_count`, until stopped.
class LivezProbe {
  public:
    LivezProbe(std::uint16_t port, std::chrono::milliseconds interval, std::size_t max_count);
    ~LivezProbe();
    LivezProbe(const LivezProbe&) = delete;
    LivezProbe& operator=(const LivezProbe&) = delete;

    /// Stops and joins; idempotent.
    void stop();
    /// Latencies of the answered requests, in milliseconds.
    std::vector<double> latencies() const;
    /// Those of the requests started within [from, to).
    std::vector<double> latencies(Clock::time_point from, Clock::time_point to) const;
    std::size_t failures() const;
    std::string last_failure() const;
    /// The requests that took longer than `ms`: "offset from `from` (s): latency (ms)".
    std::string slow_ones(double ms, Clock::time_point from) const;

  private:
    void loop();

    std::uint16_t port_;
    std::chrono::milliseconds interval_;
    std::size_t max_count_;
    mutable std::mutex mutex_;
    bool stop_ = false;
    std::vector<double> latencies_;
    std::vector<Clock::time_point> started_;  ///< of each latency
    std::size_t failures_ = 0;
    std::string last_failure_;
    std::thread thread_;
};

/// The p-quantile (0..1) of `values`, nearest rank; 0 when empty.
double quantile(std::vector<double> values, double p);

}  // namespace helpline::test::hostile
