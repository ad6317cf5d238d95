#pragma once
// Collects what an EventStream reports (on its worker thread) for the test to look at.

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "client/core/event_stream.h"

namespace helpline::test {

class StreamRecorder {
  public:
    client::EventStreamCallbacks callbacks() {
        return {[this](const client::DeviceEvent& e) {
                    std::lock_guard lock(mutex_);
                    events_.push_back(e);
                },
                [this](const client::StreamStatus& s) {
                    std::lock_guard lock(mutex_);
                    statuses_.push_back(s);
                },
                [this](const std::string& line) {
                    std::lock_guard lock(mutex_);
                    logs_.push_back(line);
                }};
    }

    std::vector<client::DeviceEvent> events() const {
        std::lock_guard lock(mutex_);
        return events_;
    }
    std::vector<client::StreamStatus> statuses() const {
        std::lock_guard lock(mutex_);
        return statuses_;
    }
    std::vector<std::string> logs() const {
        std::lock_guard lock(mutex_);
        return logs_;
    }
    std::size_t count(client::StreamState state) const {
        std::lock_guard lock(mutex_);
        return static_cast<std::size_t>(std::count_if(
            statuses_.begin(), statuses_.end(), [&](const auto& s) { return s.state == state; }));
    }
    client::StreamState last_state() const {
        std::lock_guard lock(mutex_);
        return statuses_.empty() ? client::StreamState::connecting : statuses_.back().state;
    }
    /// The connection requests received, in order.
    std::vector<client::ConnectionRequest> requests() const {
        std::lock_guard lock(mutex_);
        std::vector<client::ConnectionRequest> out;
        for (const auto& e : events_)
            if (const auto* r = std::get_if<client::ConnectionRequest>(&e)) out.push_back(*r);
        return out;
    }
    bool logged(const std::string& text) const {
        std::lock_guard lock(mutex_);
        return std::any_of(logs_.begin(), logs_.end(),
                           [&](const auto& l) { return l.find(text) != std::string::npos; });
    }

  private:
    mutable std::mutex mutex_;
    std::vector<client::DeviceEvent> events_;
    std::vector<client::StreamStatus> statuses_;
    std::vector<std::string> logs_;
};

}  // namespace helpline::test
