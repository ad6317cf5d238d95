#pragma once
// The customer's consent to a remote session, as a pure state machine (no I/O, clock
// injected) shared by the GUI's dialog and `helpline-cli listen`:
//
//   pending ──accept (after the Allow delay, before the deadline)──> accepted
//      │ ──decline────────────────────────────────────────────────> declined
//      │ ──deadline passes────────────────────────────────────────> expired
//      └ ──the server withdraws it (connection-cancelled)──────────> cancelled
//
// Rules (docs/client.md, "listen"):
// - One dialog at a time: the head of a FIFO queue is "current"; later requests wait
//   behind it, each with its own deadline, and are skipped when it passes meanwhile.
// - Allow is refused until `min_allow_delay` after the dialog was shown (no click-through,
//   no type-ahead). Decline is always possible.
// - A timeout declines: the request becomes `expired` and the client sends NOTHING — the
//   server expires it by itself a moment later and tells the operator "expired" (a
//   customer who did not answer did not say no, and the operator should see the difference).
// - An accept is never sent after the deadline: confirm_accept() is asked once more right
//   before the answer goes out (starting the backend takes time).
// - The local deadline is the server's `expires_in_s` counted from reception, minus a
//   safety margin, so the client gives up slightly before the server does.

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "client/core/event_stream.h"
#include "shared/result.h"

namespace helpline::client {

/// Time for the consent machine (and whatever else needs "now"): steady, injected.
class Clock {
  public:
    using TimePoint = std::chrono::steady_clock::time_point;
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
};

class SteadyClock final : public Clock {
  public:
    TimePoint now() const override { return std::chrono::steady_clock::now(); }
};

/// A clock that moves only when told (tests).
class ManualClock final : public Clock {
  public:
    TimePoint now() const override { return now_; }
    void advance(std::chrono::milliseconds by) { now_ += by; }

  private:
    TimePoint now_ = TimePoint(std::chrono::hours(1));
};

enum class ConsentState { pending, accepted, declined, expired, cancelled };
std::string_view to_string(ConsentState s);

struct ConsentRequest {
    ConnectionRequest request;
    Clock::TimePoint received_at;
    Clock::TimePoint deadline;
    std::optional<Clock::TimePoint> shown_at;  ///< when the dialog appeared
    ConsentState state = ConsentState::pending;
};

/// A request that changed state by itself (expired) — for the frontends to close dialogs.
struct ConsentChange {
    std::string id;
    ConsentState state;
};

namespace consent_error {
inline constexpr const char* kUnknown = "consent.unknown";
inline constexpr const char* kNotShown = "consent.not_shown";  ///< queued: not on screen yet
inline constexpr const char* kTooEarly = "consent.too_early";  ///< within the Allow delay
inline constexpr const char* kExpired = "consent.expired";
inline constexpr const char* kAnswered = "consent.answered";  ///< declined, cancelled or accepted
}  // namespace consent_error

/// How long after a question appears Allow stays refused — the one value the GUI's dialog
/// (its button) and the machine (its rule) both use in production.
inline constexpr std::chrono::milliseconds kAllowDelay{1500};

struct ConsentOptions {
    std::chrono::milliseconds min_allow_delay = kAllowDelay;
    std::chrono::milliseconds safety_margin{1000};
    std::size_t max_queue = 16;    ///< pending requests kept; more are ignored
    std::size_t remembered = 256;  ///< answered ids kept to recognise replays
};

enum class OfferResult {
    current,    ///< nothing else pending: it is the one to show
    queued,     ///< waits behind the current one
    duplicate,  ///< an id seen before (a replay after a reconnect): ignored
    full,       ///< too many pending: ignored (it expires on the server)
};

class ConsentMachine {
  public:
    explicit ConsentMachine(const Clock& clock, ConsentOptions options = {})
        : clock_(clock), options_(options) {}

    OfferResult offer(const ConnectionRequest& request);

    /// Expires every pending request whose deadline passed (current and queued); returns
    /// them. Call it before looking at current() and on every countdown tick.
    std::vector<ConsentChange> tick();

    /// The request the dialog is about (the head of the queue), or nullptr.
    const ConsentRequest* current() const;
    /// The dialog for current() is on screen now: starts its Allow delay (the first time).
    const ConsentRequest* show();

    /// Refused (kTooEarly) within the Allow delay, (kNotShown) before show(), (kExpired)
    /// past the deadline — then the request is expired.
    Status accept(const std::string& id);
    /// Any pending request, shown or queued; (kExpired) past its deadline.
    Status decline(const std::string& id);
    /// The server withdrew the request; true when it was pending here.
    bool cancel(const std::string& id);
    /// Right before sending the accept: Ok while the accepted request is within its
    /// deadline; otherwise kExpired and the request is expired.
    Status confirm_accept(const std::string& id);

    /// Countdown of the current request (zero when none).
    std::chrono::milliseconds time_left() const;
    /// Until Allow is possible for the current request (the full delay before show()).
    std::chrono::milliseconds allow_in() const;
    /// Requests waiting behind the current one.
    std::size_t queued() const { return pending_.empty() ? 0 : pending_.size() - 1; }
    std::optional<ConsentState> state(const std::string& id) const;
    /// A pending or remembered request (for messages about it), or nullptr.
    const ConsentRequest* find(const std::string& id) const;

  private:
    void finish(ConsentRequest request, ConsentState state);
    std::deque<ConsentRequest>::iterator find_pending(const std::string& id);

    const Clock& clock_;
    ConsentOptions options_;
    std::deque<ConsentRequest> pending_;  ///< front: current
    std::unordered_map<std::string, ConsentRequest> finished_;
    std::deque<std::string> finished_order_;  ///< oldest first, to forget beyond `remembered`
};

}  // namespace helpline::client
