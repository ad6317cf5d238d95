#pragma once
// The reconnect storm (issue 19): with a fleet of event streams open, the server is restarted
// (SIGTERM, or SIGKILL) on the same data and port, and the fleet reopens every stream at
// once; meanwhile an operator probe sends GET /readyz and GET /api/v1/queue in sequence and
// the server's VmRSS is sampled.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_server.h"
#include "bench/stream_fleet.h"

namespace helpline::bench {

/// An operator's requests in a loop on its own thread: GET /readyz, then GET /api/v1/queue
/// with the admin's token, then `gap`; a new connection after any failure.
class OperatorProbe {
  public:
    using Clock = std::chrono::steady_clock;
    struct Sample {
        Clock::time_point sent;
        double ms = 0;
        bool readyz = false;  ///< else the queue
        int status = 0;       ///< 0: no answer (refused, reset, timed out)
    };

    OperatorProbe(std::uint16_t port, std::string admin_token,
                  std::chrono::milliseconds gap = std::chrono::milliseconds(10));
    ~OperatorProbe();
    OperatorProbe(const OperatorProbe&) = delete;
    OperatorProbe& operator=(const OperatorProbe&) = delete;

    void start();
    /// Stops the loop and returns what it recorded since start().
    std::vector<Sample> stop();

  private:
    void loop();
    std::uint16_t port_;
    std::string admin_token_;
    std::chrono::milliseconds gap_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
    std::mutex mutex_;
    std::vector<Sample> samples_;
};

/// Latency figures of the probe's answered requests sent within [from, to].
struct ProbeFigures {
    std::vector<double> ms;  ///< both kinds
    std::vector<double> readyz_ms;
    std::vector<double> queue_ms;
    std::size_t not_ok = 0;  ///< no answer or not 200
};
ProbeFigures probe_figures(const std::vector<OperatorProbe::Sample>& samples,
                           OperatorProbe::Clock::time_point from,
                           OperatorProbe::Clock::time_point to);

struct StormSettings {
    bool kill = false;  ///< SIGKILL rather than SIGTERM
    StreamFleet::ReconnectPolicy policy;
    std::chrono::seconds max_time{120};
};

struct StormFigures {
    std::string ended;  ///< how the old server ended
    StreamFleet::ReconnectReport fleet;
    double down_s = 0;        ///< signal sent -> the new server listens
    double all_back_s = 0;    ///< the new server listens -> every stream open again
    double last_ended_s = 0;  ///< signal sent -> the last stream seen ending
    std::uint64_t rss_before_kib = 0;
    std::uint64_t rss_peak_kib = 0;  ///< of the new server, while the streams came back
    ProbeFigures probe;              ///< while the streams came back (from listening)
    std::size_t probe_down = 0;      ///< probe requests unanswered while the server was down
};

/// Restarts `server` under the open streams of `fleet` (not reading) and measures the
/// storm; `probe` runs throughout. Throws if the server does not come back.
StormFigures run_storm(BenchServer& server, StreamFleet& fleet, const std::string& admin_token,
                       const StormSettings& settings);

}  // namespace helpline::bench
