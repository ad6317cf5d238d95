#pragma once
// Counters for /metrics (Prometheus text format 0.0.4).

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace helpline::server {

class Metrics {
public:
    void count_request(int status);
    std::atomic<std::int64_t> tickets_submitted{0};
    std::atomic<std::int64_t> connection_requests{0};
    std::atomic<std::int64_t> logins_failed{0};
    std::atomic<std::int64_t> emails_sent{0};    ///< taken by the SMTP relay (server/mail)
    std::atomic<std::int64_t> emails_failed{0};  ///< failed for good: a 5xx reply, or two days of retries
    std::atomic<std::int64_t> email_retries{0};  ///< temporary failures, tried again later

    struct Gauges {
        std::int64_t open_tickets = 0;
        std::int64_t connected_devices = 0;
        std::int64_t pending_connection_requests = 0;
        std::int64_t console_streams = 0;
    };
    std::string render(const Gauges& gauges) const;

private:
    mutable std::mutex mutex_;
    std::map<int, std::int64_t> requests_by_status_;
};

}  // namespace helpline::server
