#pragma once
// Fixed-window rate limits per key ("login:1.2.3.4", "submit:device-id"): at most
// `limit` events per `window` seconds. Bounded memory: stale windows are pruned.

#include <map>
#include <mutex>
#include <string>

#include "server/api/clock.h"

namespace helpline::server {

class RateLimiter {
public:
    explicit RateLimiter(const Clock& clock) : clock_(clock) {}

    /// Counts one event for `key`; false when over the limit, with the seconds until the
    /// window ends in `retry_after`.
    bool allow(const std::string& key, int limit, int window_s, int& retry_after);

private:
    struct Window {
        Timestamp start = 0;
        int count = 0;
        int length = 60;
    };
    const Clock& clock_;
    std::mutex mutex_;
    std::map<std::string, Window> windows_;
    Timestamp last_prune_ = 0;
};

}  // namespace helpline::server
