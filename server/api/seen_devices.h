#pragma once
// When each device was last seen opening its event stream, kept in memory and written by
// the sweep (every second, and once more when the server stops) in one transaction: a
// handshake takes no write lock, so 10,000 devices reconnecting after a restart do not each
// wait for one (docs/benchmarks.md, "Reconnect storm").

#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/store/model.h"

namespace helpline::server {

class SeenDevices {
  public:
    /// Any thread.
    void mark(const std::string& device_id, Timestamp when) {
        std::lock_guard lock(mutex_);
        Timestamp& seen = seen_[device_id];
        if (when > seen) seen = when;
    }
    /// What was marked since the last take (the newest time per device), and forgets it.
    std::vector<std::pair<std::string, Timestamp>> take() {
        std::unordered_map<std::string, Timestamp> taken;
        {
            std::lock_guard lock(mutex_);
            taken.swap(seen_);
        }
        return {taken.begin(), taken.end()};
    }

  private:
    std::mutex mutex_;
    std::unordered_map<std::string, Timestamp> seen_;
};

}  // namespace helpline::server
