#pragma once
// Time as a collaborator (STYLE.md §5): the server asks a Clock, so tests can move time
// (24-hour expiry) without waiting.

#include <atomic>
#include <chrono>

#include "server/store/model.h"

namespace helpline::server {

class Clock {
public:
    virtual ~Clock() = default;
    virtual Timestamp now() const = 0;  ///< Unix seconds
};

class SystemClock final : public Clock {
public:
    Timestamp now() const override {
        return std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
};

/// A clock that moves only when told to (tests).
class ManualClock final : public Clock {
public:
    explicit ManualClock(Timestamp start = 1'780'000'000) : now_(start) {}
    Timestamp now() const override { return now_.load(); }
    void advance(std::chrono::seconds by) { now_ += by.count(); }
    void set(Timestamp t) { now_ = t; }

private:
    std::atomic<Timestamp> now_;
};

/// "2026-11-25T03:21:04Z".
std::string format_time(Timestamp t);
/// Parses "2026-11-25T03:21:04Z" (fractions of a second, "…04.123Z", are dropped) or
/// "2026-11-25"; nullopt when malformed.
std::optional<Timestamp> parse_time(std::string_view text);

}  // namespace helpline::server
