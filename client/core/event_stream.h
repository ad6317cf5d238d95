#pragma once
// The device's event stream (GET /api/v1/events, docs/protocol.md): a worker thread keeps
// one long-lived libcurl request open, parses it (sse_parser.h), turns the closed set of
// known events into typed values and hands them to callbacks. It notices a silent server
// (no byte, not even the ": ping" heartbeat, for heartbeat × tolerance), reconnects with
// capped exponential backoff and jitter, and resumes with Last-Event-ID.
//
// Nothing the server sends is ever executed: unknown event types are dropped, events
// whose data is not what the protocol says are dropped (and logged), and the texts of the
// ones kept are stripped of control characters before anyone shows them.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>

#include "client/core/conversation.h"
#include "client/core/server_endpoint.h"
#include "client/core/sse_parser.h"
#include "shared/result.h"

namespace helpline::client {

/// An operator asks to see and control this computer (show the consent dialog).
struct ConnectionRequest {
    std::string id;
    std::string operator_name;
    std::int64_t ticket_number = 0;
    std::chrono::seconds expires_in{0};  ///< relative: the two clocks need not agree
};

/// A request was withdrawn or a session ended on the other side.
struct Cancelled {
    std::string id;
    std::string reason;      ///< "expired" | "ended" | what a newer server says
    std::string session_id;  ///< when a running session ended
};

struct TicketUpdated {
    std::int64_t number = 0;
    std::string status;
    std::string operator_name;  ///< empty when nobody is assigned
};

/// A team member wrote on one of this device's tickets (never an internal note: the
/// server does not send those to a device).
struct TicketMessage {
    std::int64_t number = 0;
    Message message;
};

using DeviceEvent = std::variant<ConnectionRequest, Cancelled, TicketUpdated, TicketMessage>;

/// Error codes of decode_device_event().
namespace event_error {
inline constexpr const char* kBadData = "events.bad_data";
}  // namespace event_error

/// One SSE event as a typed event; nullopt for a type this client does not know (dropped
/// by design), an Error when the data is not what the protocol says.
Result<std::optional<DeviceEvent>> decode_device_event(const SseEvent& event);

enum class StreamState {
    connecting,    ///< the first attempt
    connected,     ///< 200 text/event-stream: events flow
    reconnecting,  ///< lost or refused; the next attempt comes after `retry_in`
    stopped,       ///< after stop()
};
std::string_view to_string(StreamState s);

struct StreamStatus {
    StreamState state = StreamState::connecting;
    std::string reason;  ///< why the stream is reconnecting, for people
    std::chrono::milliseconds retry_in{0};
    int attempt = 0;  ///< consecutive failed attempts
};

struct EventStreamOptions {
    ServerEndpoint endpoint;
    std::string device_token;
    /// The server's heartbeat interval (its --sse-heartbeat-ms); silence for
    /// heartbeat × heartbeat_tolerance means the connection is dead.
    std::chrono::milliseconds heartbeat{25'000};
    double heartbeat_tolerance = 2.5;
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds backoff_base{500};
    std::chrono::milliseconds backoff_cap{30'000};
    std::chrono::milliseconds backoff_floor{100};  ///< the shortest wait between attempts
    /// A connection that lived this long resets the backoff (one that drops at once
    /// does not, so a server that accepts and hangs up is not hammered).
    std::chrono::milliseconds stable_after{5'000};
    std::string last_event_id;  ///< resume from here (empty: the pending requests)
    SseLimits limits;
};

struct EventStreamCallbacks {
    std::function<void(const DeviceEvent&)> on_event;
    std::function<void(const StreamStatus&)> on_status;
    /// Notes for a log: dropped events, reconnect reasons.
    std::function<void(const std::string&)> on_log;
};

/// Callbacks run on the worker thread, never under a lock of the stream: a GUI posts them
/// to its main loop, the CLI queues them. They must not call stop().
class EventStream {
  public:
    EventStream(EventStreamOptions options, EventStreamCallbacks callbacks);
    ~EventStream();  ///< stop()
    EventStream(const EventStream&) = delete;
    EventStream& operator=(const EventStream&) = delete;

    /// Starts the worker thread (once).
    void start();
    /// Ends the transfer or the wait, joins the thread (promptly: well within a second);
    /// reports `stopped`. Idempotent.
    void stop();

    /// The id the next reconnect resumes from.
    std::string last_event_id() const;

  private:
    struct Attempt;
    void run();
    /// One connection, until it fails, goes silent or stop(); the reason it ended.
    std::string connect_once(bool& was_connected,
                             std::chrono::steady_clock::time_point& connected_at);
    bool wait_before_retry(std::chrono::milliseconds delay);
    void report(StreamStatus status);
    void log(const std::string& message);
    void deliver(const SseEvent& event);

    EventStreamOptions options_;
    EventStreamCallbacks callbacks_;
    SseParser parser_;  // worker thread only

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::string last_event_id_;  // guarded by mutex_
    bool stopping_ = false;      // guarded by mutex_
    void* multi_ = nullptr;      // CURLM*, guarded by mutex_ for curl_multi_wakeup()
    std::atomic<bool> stop_flag_{false};
    std::thread worker_;
};

}  // namespace helpline::client
