#include "client/core/session_runner.h"

#include <fmt/format.h>

#include <algorithm>

namespace helpline::client {
namespace {

bool is_token(const std::string& s) {
    return !s.empty() && s.size() <= 128 &&
           s.find_first_not_of(
               "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_") ==
               std::string::npos;
}

}  // namespace

std::string_view to_string(SessionEndedBy by) {
    switch (by) {
        case SessionEndedBy::customer:
            return "customer";
        case SessionEndedBy::operator_:
            return "operator";
        case SessionEndedBy::connection:
            return "connection";
        case SessionEndedBy::backend:
            return "backend";
        case SessionEndedBy::error:
            return "error";
    }
    return "error";
}

SessionRunner::SessionRunner(ApiClient api, const Clock& clock, SessionSetup setup,
                             SessionCallbacks callbacks)
    : api_(std::move(api)),
      clock_(clock),
      setup_(std::move(setup)),
      callbacks_(std::move(callbacks)) {
    if (!setup_.open_tunnel) setup_.open_tunnel = &RelayTunnel::open;
}

SessionRunner::~SessionRunner() {
    {
        std::lock_guard lock(mutex_);
        leaving_ = true;
    }
    end();
    join();
}

void SessionRunner::start() {
    if (thread_.joinable()) return;
    thread_ = std::thread([this] { (void)run(); });
}

void SessionRunner::join() {
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void SessionRunner::end() {
    {
        std::lock_guard lock(mutex_);
        if (stop_ == Stop::none) stop_ = Stop::customer;
    }
    wake_.notify_all();
}

void SessionRunner::operator_ended() {
    {
        std::lock_guard lock(mutex_);
        if (stop_ == Stop::none) stop_ = Stop::operator_;
    }
    wake_.notify_all();
}

SessionRunner::Stop SessionRunner::stop_requested() const {
    std::lock_guard lock(mutex_);
    return stop_;
}

void SessionRunner::log(const std::string& line) const {
    if (callbacks_.on_log) callbacks_.on_log(line);
}

bool SessionRunner::post(const std::string& path, std::optional<nlohmann::json> body,
                         std::chrono::milliseconds timeout, ApiReply* reply_out,
                         std::string& problem) const {
    return post_for_answer(api_, path, std::move(body), timeout, reply_out, problem);
}

SessionResult SessionRunner::decline(SessionResult result, const std::string& reason) const {
    const std::string path = "/api/v1/connection-requests/" + setup_.request_id + "/decline";
    // Sent again until the request runs out while the server cannot be reached: a lost
    // decline leaves the operator waiting for an answer that never comes.
    Persistence persistence;
    persistence.deadline = std::chrono::steady_clock::now() + (setup_.deadline - clock_.now());
    persistence.attempt_timeout = setup_.end_timeout;
    persistence.stop = [this] {  // the client closing does not wait for the deadline
        std::lock_guard lock(mutex_);
        return leaving_;
    };
    ApiReply reply;
    result.decline_sent = post_until_answered(api_, path, nlohmann::json{{"reason", reason}},
                                              persistence, &reply, result.decline_problem);
    // A server older than reasons refuses the body (400): the decline itself matters more.
    if (!result.decline_sent && reply.status == 400)
        result.decline_sent = post_until_answered(api_, path, std::nullopt, persistence, nullptr,
                                                  result.decline_problem);
    return result;
}

SessionResult SessionRunner::run() {
    const std::string& id = setup_.request_id;
    const auto finish = [this](SessionResult result) {
        if (callbacks_.on_finished) callbacks_.on_finished(result);
        if (callbacks_.on_released) callbacks_.on_released();
        return result;
    };
    SessionResult result;

    // A backend that asks the desktop first listens only once the customer has answered the
    // desktop's dialog: it may take until the deadline, and End session stops the wait.
    LaunchOptions launch = setup_.launch;
    launch.ready_timeout = std::max(
        launch.ready_timeout,
        std::chrono::duration_cast<std::chrono::milliseconds>(setup_.deadline - clock_.now()));
    launch.cancelled = [this] { return stop_requested() != Stop::none; };
    auto backend = launch_backend(setup_.backends, launch);
    if (!backend && backend.error().code == launch_error::kCancelled) {
        result.kind = SessionResult::Kind::stopped;
        result.ended_by = stop_requested() == Stop::operator_ ? SessionEndedBy::operator_
                                                              : SessionEndedBy::customer;
        if (result.ended_by == SessionEndedBy::customer)
            return finish(decline(std::move(result), "customer"));
        return finish(std::move(result));
    }
    if (!backend) {
        const bool on_desktop = backend.error().code == launch_error::kDeclinedOnDesktop;
        result.kind = on_desktop ? SessionResult::Kind::declined_on_desktop
                                 : SessionResult::Kind::no_backend;
        result.error = backend.error();
        // Declining at once tells the operator now rather than at the request's expiry.
        return finish(decline(std::move(result), on_desktop ? "desktop_dialog" : "no_backend"));
    }
    if (callbacks_.on_backend_started) callbacks_.on_backend_started();
    if (const Stop stop = stop_requested(); stop != Stop::none) {
        (*backend)->stop();
        result.kind = SessionResult::Kind::stopped;
        result.ended_by =
            stop == Stop::customer ? SessionEndedBy::customer : SessionEndedBy::operator_;
        if (stop == Stop::customer) return finish(decline(std::move(result), "customer"));
        return finish(std::move(result));
    }
    // Starting the backend takes time: an accept is never sent past the deadline.
    if (clock_.now() >= setup_.deadline) {
        (*backend)->stop();
        result.kind = SessionResult::Kind::expired;
        return finish(std::move(result));
    }

    ApiReply reply;
    std::string problem;
    if (!post("/api/v1/connection-requests/" + id + "/accept",
              nlohmann::json{{"vnc_password", (*backend)->password()}}, std::chrono::seconds(15),
              &reply, problem)) {
        (*backend)->stop();
        result.kind = SessionResult::Kind::accept_failed;
        // The code says which, for a frontend's own sentence; the message keeps the detail.
        const char* code = reply.status == 0     ? session_error::kAcceptUnreachable
                           : reply.status == 409 ? session_error::kAcceptTooLate
                                                 : session_error::kAcceptRefused;
        result.error = make_error(code, problem);
        return finish(std::move(result));
    }
    const std::string session_id = reply.json.is_object() ? reply.json.value("session_id", "") : "";
    const std::string relay_token =
        reply.json.is_object() ? reply.json.value("relay_token", "") : "";
    if (!is_token(session_id) || relay_token.empty()) {
        (*backend)->stop();
        result.kind = SessionResult::Kind::accept_failed;
        result.error =
            make_error(session_error::kBadAnswer,
                       "The support server's answer to the accept has no valid session.");
        return finish(std::move(result));
    }
    result.session_id = session_id;
    if (callbacks_.on_accepted) callbacks_.on_accepted(session_id);

    auto tunnel = setup_.open_tunnel(api_.endpoint(), session_id, relay_token, (*backend)->port(),
                                     [this](const TunnelStats&) {
                                         {
                                             std::lock_guard lock(mutex_);
                                             tunnel_closed_ = true;
                                         }
                                         wake_.notify_all();
                                     });
    if (!tunnel) {
        result.ended_by = SessionEndedBy::error;
        result.error = tunnel.error();
    } else {
        if (callbacks_.on_running) callbacks_.on_running(session_id);
        result.ended_by = wait_for_end(**tunnel, **backend);
        (*tunnel)->stop();
    }
    // The backend goes first: nobody may keep seeing the screen while the server is told.
    (*backend)->stop(setup_.stop_grace);
    if (callbacks_.on_stopped) callbacks_.on_stopped();
    if (result.ended_by == SessionEndedBy::connection) result.ended_by = explain_closed_tunnel();
    result.kind = SessionResult::Kind::ended;
    if (callbacks_.on_finished) callbacks_.on_finished(result);
    // The server ends the session by itself once the tunnel is gone; the POST makes it say
    // who ended it. The operator's end needs no answer.
    if (result.ended_by != SessionEndedBy::operator_) tell_server_ended(session_id);
    if (callbacks_.on_released) callbacks_.on_released();
    return result;
}

void SessionRunner::tell_server_ended(const std::string& session_id) {
    std::chrono::milliseconds timeout = setup_.end_timeout;
    {
        std::lock_guard lock(mutex_);
        if (leaving_) timeout = std::min(timeout, setup_.leave_timeout);
    }
    std::string problem;
    if (!post("/api/v1/sessions/" + session_id + "/end", std::nullopt, timeout, nullptr, problem))
        log(fmt::format("Ending session {} on the server failed: {}", session_id, problem));
}

SessionEndedBy SessionRunner::wait_for_end(RelayTunnel& tunnel, RunningBackend& backend) {
    std::unique_lock lock(mutex_);
    while (true) {
        if (stop_ == Stop::customer) return SessionEndedBy::customer;
        if (stop_ == Stop::operator_) return SessionEndedBy::operator_;
        if (tunnel_closed_) return SessionEndedBy::connection;
        lock.unlock();
        const bool tunnel_up = tunnel.running();
        const bool backend_up = backend.running();
        lock.lock();
        if (!tunnel_up) return SessionEndedBy::connection;
        if (!backend_up) return SessionEndedBy::backend;
        wake_.wait_for(lock, setup_.poll_interval,
                       [this] { return stop_ != Stop::none || tunnel_closed_; });
    }
}

SessionEndedBy SessionRunner::explain_closed_tunnel() {
    // The server tells the device's event stream that the operator ended the session, then
    // closes the relay; the tunnel's end can still arrive first. Waiting a moment lets the
    // customer be told who ended it rather than that a connection closed.
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, setup_.end_explanation_wait, [this] { return stop_ != Stop::none; });
    if (stop_ == Stop::operator_) return SessionEndedBy::operator_;
    return SessionEndedBy::connection;
}

}  // namespace helpline::client
