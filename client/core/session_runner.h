#pragma once
// One remote session after the customer allowed it, without any UI: start the backend
// (x11vnc) from the signed profile, POST the accept with its one-time password, open the
// relay tunnel to the server, wait until either side ends it, then tear everything down
// (tunnel, the backend's whole process group, the password file) and tell the server.
// helpline-cli listen and the GUI both run their sessions through this class; they show
// its progress, reported through callbacks on the runner's own thread.
//
//   start() ─► backend ─► (deadline?) ─► accept ─► tunnel ─► running ─► teardown ─► stopped
//                  │ none fits: decline      │ refused        │ failed: end ┘          │
//                                                            finished ◄─ who ended it ◄┘
//                                                            released ◄─ end told to the server
//
// The runner owns its ApiClient (a copy: set_token is not thread-safe, so no thread shares
// one). Ending is prompt (docs/client.md: within 2 s): end()/operator_ended() wake the wait
// at once; the tunnel closes and the backend is stopped (SIGTERM to its group, SIGKILL after
// a grace), on_stopped and on_finished report it, and only then is the server told — in the
// background of the frontends, which need not wait for it (on_released says when it is done).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "client/core/api_client.h"
#include "client/core/backend_launcher.h"
#include "client/core/consent.h"
#include "client/core/relay_tunnel.h"
#include "shared/result.h"

namespace helpline::client {

/// Who or what ended a session that was accepted.
enum class SessionEndedBy {
    customer,    ///< end() — End session, Enter, Ctrl-C, the client exiting
    operator_,   ///< operator_ended() — the server said the operator ended it
    connection,  ///< the tunnel closed
    backend,     ///< the backend exited
    error,       ///< the tunnel could not be opened
};
/// "customer", "operator", "connection", "backend", "error" (listen --json's ended_by).
std::string_view to_string(SessionEndedBy by);

/// How a session run ended.
struct SessionResult {
    enum class Kind {
        ended,          ///< accepted and ended; `ended_by` says how
        no_backend,     ///< no backend could start (Wayland, not installed, ...): declined
        declined_on_desktop,  ///< the customer cancelled the desktop's sharing dialog: declined
        expired,        ///< the deadline passed while the backend started: nothing was sent
        accept_failed,  ///< the server did not take the accept, or its answer had no session
        stopped,  ///< ended before the accept went out (declined unless the operator withdrew)
    };
    Kind kind = Kind::ended;
    /// ended: who ended it; stopped: customer (declined) or operator_ (withdrawn).
    SessionEndedBy ended_by = SessionEndedBy::customer;
    std::string session_id;
    /// no_backend: the launcher's error; accept_failed: why; ended by error: the tunnel's.
    std::optional<Error> error;
    /// no_backend / declined_on_desktop / stopped: whether the decline reached the server,
    /// and if not why.
    bool decline_sent = false;
    std::string decline_problem;
};

/// Error codes of SessionResult::error besides the launcher's (launch_error) and the
/// tunnel's (tunnel_error, net_error).
namespace session_error {
inline constexpr const char* kAcceptUnreachable = "session.accept_unreachable";  ///< no answer
inline constexpr const char* kAcceptTooLate = "session.accept_too_late";  ///< 409: expired, answered
inline constexpr const char* kAcceptRefused = "session.accept_refused";   ///< another refusal
inline constexpr const char* kBadAnswer = "session.bad_answer";  ///< 2xx without a valid session
}  // namespace session_error

/// Opens the relay tunnel: RelayTunnel::open, unless a test routes it elsewhere.
using TunnelOpener = std::function<Result<std::unique_ptr<RelayTunnel>>(
    const ServerEndpoint& endpoint, const std::string& session_id, const std::string& relay_token,
    std::uint16_t backend_port, std::function<void(const TunnelStats&)> on_closed)>;

struct SessionSetup {
    std::string request_id;                        ///< the connection request allowed
    Clock::TimePoint deadline;                     ///< no accept is sent past it
    std::vector<ProfileBackend> backends;          ///< from the signed profile
    LaunchOptions launch;                          ///< session type, display, runtime folder
    TunnelOpener open_tunnel;                      ///< empty: RelayTunnel::open
    std::chrono::milliseconds poll_interval{250};  ///< how often the backend is checked
    /// Ending a running session: SIGTERM to the backend's group, SIGKILL after this. x11vnc
    /// sometimes needs more than a second for SIGTERM; the end must stay within 2 s.
    std::chrono::milliseconds stop_grace{500};
    std::chrono::milliseconds end_timeout{5'000};  ///< for the POSTs at the end
    /// For the end POST when the runner is destroyed first (the client exits): the server
    /// ends the session by itself once the tunnel is gone, so an exit does not wait long.
    std::chrono::milliseconds leave_timeout{1'000};
    /// After the tunnel closed, how long to wait for the event that says the operator ended
    /// the session (it comes on another connection, so it may come just after).
    std::chrono::milliseconds end_explanation_wait{750};
};

/// Progress, called on the runner's thread (never under its lock). A frontend posts them
/// to its main loop; they may call end()/operator_ended() but must not destroy the runner.
struct SessionCallbacks {
    std::function<void()> on_backend_started;
    std::function<void(const std::string& session_id)> on_accepted;
    /// The tunnel is open: the operator can see and control this computer now.
    std::function<void(const std::string& session_id)> on_running;
    /// A running session is over on this computer: the tunnel is closed and the backend's
    /// process group is gone. Frontends take their "someone is in" indicator down here.
    std::function<void()> on_stopped;
    /// Once: the outcome, before the end is told to the server (which may take a while).
    std::function<void(const SessionResult&)> on_finished;
    /// Once, last: the thread has nothing left to do (the end was told to the server, or
    /// could not be); destroying the runner from now on does not wait.
    std::function<void()> on_released;
    /// Notes for the client's log.
    std::function<void(const std::string&)> on_log;
};

class SessionRunner {
  public:
    /// `api` carries the device token; the runner keeps its own copy.
    SessionRunner(ApiClient api, const Clock& clock, SessionSetup setup,
                  SessionCallbacks callbacks);
    /// end() and join: the backend never outlives the runner. An end not yet told to the
    /// server gets `leave_timeout` for it.
    ~SessionRunner();
    SessionRunner(const SessionRunner&) = delete;
    SessionRunner& operator=(const SessionRunner&) = delete;

    /// Starts the run on a thread of its own (once).
    void start();
    /// Runs on the caller's thread until finished (what start() runs).
    SessionResult run();

    /// The customer ends the session (or, before the accept, declines after all).
    void end();
    /// The operator ended the session or withdrew the request: nothing more is sent.
    void operator_ended();
    /// Waits for the thread started by start().
    void join();

    const std::string& request_id() const { return setup_.request_id; }

  private:
    enum class Stop { none, customer, operator_ };
    Stop stop_requested() const;
    /// Waits until something ends the running session; who ended it.
    SessionEndedBy wait_for_end(RelayTunnel& tunnel, RunningBackend& backend);
    /// The tunnel closed: the operator, if operator_ended() comes within the wait; else
    /// the connection.
    SessionEndedBy explain_closed_tunnel();
    bool post(const std::string& path, std::optional<nlohmann::json> body,
              std::chrono::milliseconds timeout, ApiReply* reply_out, std::string& problem) const;
    /// Declines the request, saying why (docs/protocol.md: "customer", "desktop_dialog",
    /// "no_backend"); a server that does not know reasons gets a plain decline.
    SessionResult decline(SessionResult result, const std::string& reason) const;
    /// POSTs the end of `session_id` (after on_finished: nobody waits for it).
    void tell_server_ended(const std::string& session_id);
    void log(const std::string& line) const;

    ApiClient api_;
    const Clock& clock_;
    SessionSetup setup_;
    SessionCallbacks callbacks_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    Stop stop_ = Stop::none;      // guarded by mutex_
    bool leaving_ = false;        // guarded by mutex_: the destructor runs
    bool tunnel_closed_ = false;  // guarded by mutex_
    std::thread thread_;
};

}  // namespace helpline::client
