#pragma once
// The relay's pairing: for each remote session, the customer's tunnel and the operator's
// viewer meet here and are joined by two bounded pipes, one per direction. Neither side
// reads faster than the other side's pipe can take, so memory stays bounded whatever the
// peers do. No Beast: the connections are server/http's, seen as http::ByteChannel.
//
// The registry only joins what the API has authorised (server/api/relay_api.cpp): one
// tunnel and one viewer per session, each side claimable once. It is never an open
// proxy: there is no address to connect to, only the other side of the same session.
//
// It also keeps time: a side waits at most pair_timeout for the other, a paired session
// with no byte either way for idle_timeout is ended, and once one side has ended the other
// has drain_timeout to deliver what is queued. Hooks tell the API when a session's relay
// started and ended (with the byte counts); they run on the registry's own thread, never
// on an I/O thread, so they may use the store.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <variant>

#include "server/http/upgrade.h"

namespace helpline::server::relay {

/// The two sides of a session: the customer's tunnel, the operator's viewer.
enum class Side { customer, viewer };

enum class EndReason {
    customer_closed,  ///< the tunnel ended (the customer's client closed it, or it failed)
    viewer_closed,    ///< the viewer's WebSocket ended
    session_ended,    ///< either side ended the session (POST /api/v1/sessions/{id}/end)
    pair_timeout,     ///< one side waited longer than pair_timeout for the other
    idle_timeout,     ///< paired, and no byte either way for idle_timeout
    shutdown,         ///< the server is stopping
};
/// "customer-closed", "viewer-closed", "session-ended", "pair-timeout", "idle-timeout",
/// "shutdown" (as the audit log writes them).
std::string_view to_string(EndReason reason);

/// Bytes delivered each way.
struct Counts {
    std::uint64_t to_viewer = 0;    ///< from the customer's screen to the operator
    std::uint64_t to_customer = 0;  ///< from the operator to the customer's computer
};

struct Options {
    std::chrono::milliseconds pair_timeout{60'000};
    std::chrono::milliseconds idle_timeout{30 * 60'000};  ///< 0: never
    std::chrono::milliseconds drain_timeout{5'000};
    std::size_t buffer_size = 128 * 1024;  ///< per direction
    /// How long an ended session's final counts stay after its hook has run: an end() that
    /// comes late (POST /sessions/{id}/end racing the tunnel's close) still gets them.
    std::chrono::milliseconds keep_ended{60'000};
};

/// A session's two sides are both connected.
struct Started {
    std::string session_id;
};

/// A session's relay is over: both sides closed (or one did before the other came).
struct Ended {
    std::string session_id;
    EndReason reason = EndReason::customer_closed;
    Counts counts;
    bool paired = false;  ///< both sides were connected at some point
};

/// Why a side cannot be claimed.
enum class Refusal {
    taken,    ///< this side of the session is (or was) connected already: single use
    ended,    ///< the session's relay has ended
    stopping  ///< the server is stopping
};

class Registry {
  public:
    using Clock = std::chrono::steady_clock;

    /// `now` may be injected (tests); the thread started by start() waits on the real clock.
    explicit Registry(Options options, std::function<Clock::time_point()> now = Clock::now);
    ~Registry();  ///< stop()
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    const Options& options() const;

    /// Set before start(); called on the registry's thread (or in deliver_pending()).
    void set_hooks(std::function<void(const Started&)> on_started,
                   std::function<void(const Ended&)> on_ended);
    /// Starts the thread that keeps time and runs the hooks.
    void start();
    /// Ends every session's relay (reason shutdown), waits up to `grace` for their
    /// connections to close, runs the hooks still due and joins the thread. Idempotent.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

    /// Claims one side of a session, once: the channel to hand to the upgraded connection.
    std::variant<std::shared_ptr<http::ByteChannel>, Refusal> claim(const std::string& session_id,
                                                                    Side side);
    /// Ends a session's relay at once (both connections close, queued bytes are dropped);
    /// the bytes delivered until then (the final counts of a relay that had ended already,
    /// for keep_ended after its hook), or nullopt when the session has no relay.
    std::optional<Counts> end(const std::string& session_id,
                              EndReason reason = EndReason::session_ended);
    /// Ends every relay (as end()).
    void end_all(EndReason reason);

    /// Applies the timeouts as of `now`; returns when it next needs to look (nullopt:
    /// nothing pending). The thread calls it; tests call it with their own time.
    std::optional<Clock::time_point> expire(Clock::time_point now);
    /// Runs the hooks for what happened since the last call. The thread calls it.
    void deliver_pending();

    /// Sessions whose relay has not ended yet.
    std::size_t active() const;
    /// The bytes delivered so far for a session, if it has a relay.
    std::optional<Counts> counts(const std::string& session_id) const;

    struct Core;

  private:
    void run();

    std::shared_ptr<Core> core_;
    std::thread thread_;
};

}  // namespace helpline::server::relay
