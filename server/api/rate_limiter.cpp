#include "server/api/rate_limiter.h"

namespace helpline::server {

bool RateLimiter::allow(const std::string& key, int limit, int window_s, int& retry_after) {
    const Timestamp now = clock_.now();
    std::lock_guard lock(mutex_);
    if (now - last_prune_ >= 60) {
        for (auto it = windows_.begin(); it != windows_.end();)
            it = now >= it->second.start + it->second.length ? windows_.erase(it) : std::next(it);
        last_prune_ = now;
    }
    Window& w = windows_[key];
    if (now >= w.start + w.length) w = Window{now, 0, window_s};
    if (w.count >= limit) {
        retry_after = static_cast<int>(w.start + w.length - now);
        if (retry_after < 1) retry_after = 1;
        return false;
    }
    ++w.count;
    return true;
}

}  // namespace helpline::server
