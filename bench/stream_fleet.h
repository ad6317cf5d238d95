#pragma once
// Thousands of device event streams (GET /api/v1/events) on non-blocking sockets and one
// epoll set: opened with a bounded number of handshakes in flight, then read by one
// background thread that parses the Server-Sent Events and hands each to a callback.
// One thread for 10,000 idle streams, as a load generator must be to be cheap.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench/http_wire.h"

namespace helpline::bench {

class StreamFleet {
  public:
    using Clock = std::chrono::steady_clock;
    /// Runs on the reading thread: stream index, its device, the event, when it was read.
    using OnEvent = std::function<void(std::size_t stream, std::size_t device, const SseEvent&,
                                       Clock::time_point)>;

    struct StreamSpec {
        std::size_t device = 0;  ///< the caller's device index
        std::string token;       ///< its device_token
    };
    struct OpenReport {
        std::size_t opened = 0;
        std::size_t failed = 0;
        std::map<std::string, std::size_t> failures;  ///< reason -> count
        double seconds = 0;
        bool timed_out = false;
    };

    explicit StreamFleet(std::uint16_t port);
    ~StreamFleet();  ///< stops reading and closes every stream
    StreamFleet(const StreamFleet&) = delete;
    StreamFleet& operator=(const StreamFleet&) = delete;

    /// Opens one stream per spec, at most `in_flight` handshakes at a time, until each has
    /// its 200 head or failed, or `max_time` passed. Not while reading. Stream indices
    /// continue from the streams already open, in spec order (failed ones keep theirs).
    OpenReport open(const std::vector<StreamSpec>& specs, std::size_t in_flight,
                    std::chrono::milliseconds max_time);

    /// How the fleet reconnects after the server ended its streams (a restart).
    struct ReconnectPolicy {
        /// true: as helpline's clients do (client/core/backoff.*, event_stream.cpp): before
        /// attempt n a random wait in [0, min(cap, base * 2^n)], at least `floor`, n = 0
        /// after a stream that was up. false: no wait at all, and `retry` after a failure.
        bool client_backoff = false;
        std::chrono::milliseconds base{500}, cap{30'000}, floor{100};
        std::chrono::milliseconds retry{100};
        std::size_t in_flight = 10'000;  ///< handshakes at a time
        std::uint64_t seed = 19;
    };
    struct ReconnectReport {
        std::size_t streams = 0;   ///< open when the call began
        std::size_t ended = 0;     ///< of those, ended by the server
        std::size_t reopened = 0;  ///< of those, open again at the end
        std::size_t attempts = 0;  ///< handshakes started
        std::map<std::string, std::size_t> failures;  ///< failed attempts by reason
        std::optional<Clock::time_point> last_ended;
        std::optional<Clock::time_point> last_reopened;
        bool timed_out = false;
    };
    /// Reads the open streams until the server ends them, then reopens each by `policy`
    /// until all of them are open again or `deadline`. Not while reading.
    ReconnectReport ride_out_restart(const ReconnectPolicy& policy, Clock::time_point deadline);

    void start_reading(OnEvent on_event);
    void stop_reading();

    std::size_t open_streams() const { return open_.load(); }
    /// Streams the server ended (or reset) after they were open.
    std::size_t ended_streams() const { return ended_.load(); }
    /// ": ping" comments read so far (heartbeats).
    std::size_t pings() const { return pings_.load(); }

  private:
    struct Stream;
    /// Reads what a stream has; false when it ended.
    bool read_stream(std::size_t index, Clock::time_point at);
    /// Starts a stream's handshake (a new socket); false if connect() failed at once.
    bool begin_handshake(std::size_t index, std::string& failure);
    /// Sends what is left of a stream's request; false (and why) if the socket failed.
    bool send_request(std::size_t index, std::string& failure);
    void close_stream(std::size_t index);
    void reader_loop();

    std::uint16_t port_;
    int epoll_fd_ = -1;
    int wake_fd_ = -1;  ///< eventfd that ends the reading thread
    std::vector<std::unique_ptr<Stream>> streams_;
    std::thread reader_;
    OnEvent on_event_;
    std::atomic<std::size_t> open_{0};
    std::atomic<std::size_t> ended_{0};
    std::atomic<std::size_t> pings_{0};
};

}  // namespace helpline::bench
