#pragma once
// An HTTP load on N keep-alive connections driven by one epoll thread, each with at most
// one request in flight. Closed loop (default): a connection sends its next request as
// soon as its answer is complete, which finds the server's capacity. Open loop (`rate`):
// requests are due at a fixed rate and go out on an idle connection; latency counts from
// when a request was due, so a server that falls behind is seen as such (no coordinated
// omission). One thread keeps the client's cost small, and its CPU time is measured so a
// report can show that the client was not the bottleneck.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "bench/http_wire.h"

namespace helpline::bench {

struct LoadOptions {
    std::uint16_t port = 0;
    std::size_t connections = 1;
    std::size_t requests = 1000;                 ///< in total, over all connections
    std::chrono::milliseconds max_time{30'000};  ///< stop issuing after this
    double rate = 0;                             ///< requests/s offered; 0: closed loop
    /// The bytes of request number `seq` (0-based, over all connections) on `connection`.
    std::function<std::string(std::size_t connection, std::size_t seq)> make_request;
    /// Optional: each complete answer (any thread-safety is the caller's: one thread calls).
    std::function<void(std::size_t seq, const HttpResponse&)> on_response;
};

struct LoadResult {
    std::size_t completed = 0;
    std::map<int, std::size_t> statuses;  ///< status code -> count
    std::vector<double> latencies_ms;     ///< one per completed request
    double wall_s = 0;                    ///< first request sent to last answer
    double client_cpu_s = 0;              ///< CPU time of the driving thread in that span
    std::size_t broken_connections = 0;   ///< closed or failed with a request in flight
    std::size_t closed_idle = 0;          ///< closed by the server while idle (its idle timeout)
    double max_backlog = 0;               ///< open loop: most requests due but not yet sent
    bool timed_out = false;               ///< max_time ended it before `requests`

    double per_second() const { return wall_s > 0 ? static_cast<double>(completed) / wall_s : 0; }
    std::size_t count(int status) const {
        const auto it = statuses.find(status);
        return it == statuses.end() ? 0 : it->second;
    }
};

/// Runs the load to completion (or max_time, then waits at most 10 s more for the
/// answers in flight). Throws when the connections cannot be opened.
LoadResult run_load(const LoadOptions& options);

}  // namespace helpline::bench
