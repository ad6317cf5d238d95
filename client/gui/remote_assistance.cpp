#include "client/gui/remote_assistance.h"

#include <fmt/format.h>

#include "client/core/launcher_selection.h"
#include "client/gui/error_text.h"
#include "client/gui/i18n.h"

namespace helpline::gui {

using client::ConsentState;
using client::SessionEndedBy;
using client::SessionResult;

RemoteAssistance::RemoteAssistance(RemoteSetup setup)
    : setup_(std::move(setup)), machine_(clock_), timer_(this) {
    Bind(wxEVT_TIMER, [this](wxTimerEvent&) {
        expire(machine_.tick());
        if (machine_.current() == nullptr && runner_ == nullptr) timer_.Stop();
    });
}

RemoteAssistance::~RemoteAssistance() {
    timer_.Stop();
    if (dialog_) {
        // The client is closing: nobody is left to answer.
        const std::string id = dialog_id_;
        close_dialog();
        if (machine_.decline(id)) send_decline(id);
    }
    // Ends the session: tunnel and backend stopped, the end told to the server with a short
    // limit (SessionSetup::leave_timeout). Runners already telling it are waited for.
    *closing_ = true;  // a decline still being sent gives up
    runner_.reset();
    finishing_.clear();
    if (bar_) bar_->dismiss();
}

wxString RemoteAssistance::who(const std::string& id) const {
    const client::ConsentRequest* r = machine_.find(id);
    if (r == nullptr || r->request.operator_name.empty()) return tr("An operator");
    return wxString::FromUTF8(r->request.operator_name);
}

void RemoteAssistance::on_event(const client::DeviceEvent& event) {
    if (const auto* r = std::get_if<client::ConnectionRequest>(&event)) {
        if (!setup_.enabled) return;
        const auto offered = machine_.offer(*r);
        if (offered == client::OfferResult::duplicate) return;  // a replay after a reconnect
        if (offered == client::OfferResult::full) {
            setup_.log(fmt::format("Ignored connection request {}: too many waiting.", r->id));
            return;
        }
        if (!timer_.IsRunning()) timer_.Start(250);
        show_next();
    } else if (const auto* c = std::get_if<client::Cancelled>(&event)) {
        if (machine_.cancel(c->id)) {
            if (dialog_ && dialog_id_ == c->id) close_dialog();
            setup_.notice(c->reason == "expired"
                              ? tr("The connection request from {operator} has expired.",
                                   fmt::arg("operator", std::string(who(c->id).utf8_str())))
                              : tr("{operator} withdrew the connection request.",
                                   fmt::arg("operator", std::string(who(c->id).utf8_str()))),
                          false);
            show_next();
        } else if (runner_ != nullptr && (c->id == session_request_ ||
                                          (!session_id_.empty() && c->session_id == session_id_))) {
            runner_->operator_ended();
        }
    }
    // ticket-updated is the Client's (My requests).
}

void RemoteAssistance::expire(const std::vector<client::ConsentChange>& changes) {
    for (const auto& change : changes) {
        if (dialog_ && dialog_id_ == change.id) close_dialog();
        // Nothing is sent: the server expires the request by itself and the operator sees
        // "expired", which is not the same as a no.
        setup_.notice(tr("The connection request from {operator} expired without an answer.",
                         fmt::arg("operator", std::string(who(change.id).utf8_str()))),
                      false);
    }
    if (!changes.empty()) show_next();
}

void RemoteAssistance::close_dialog() {
    // Destroy() of a top-level window completes at idle time: forget it now, so that the
    // next question can be shown at once.
    if (dialog_) dialog_->cancel();
    dialog_ = nullptr;
    dialog_id_.clear();
}

void RemoteAssistance::show_next() {
    if (dialog_ || runner_ != nullptr) return;  // one question at a time, none during a session
    expire(machine_.tick());
    if (dialog_) return;  // expire() may have shown the next one already
    // show() before the dialog exists: the machine's Allow delay then never ends before the
    // dialog's, so an Allow the dialog takes is one the machine takes too.
    const client::ConsentRequest* r = machine_.show();
    if (r == nullptr) return;
    ConsentInfo info;
    info.team = setup_.team;
    info.operator_name = r->request.operator_name.empty()
                             ? std::string(tr("An operator").utf8_str())
                             : r->request.operator_name;
    info.ticket_number = r->request.ticket_number;
    info.deadline = r->deadline;
    info.desktop_asks_next =
        client::desktop_asks_first(setup_.backends, client::detect_session_type(),
                                   setup_.program_dirs);
    const std::string id = r->request.id;
    dialog_id_ = id;
    auto* dialog =
        new ConsentDialog(setup_.parent ? setup_.parent() : nullptr, info,
                          [this, id](bool allowed) { answered(id, allowed); });
    dialog_ = dialog;
    dialog->Show();
    dialog->Raise();
    dialog->RequestUserAttention();
    dialog->Update();
    if (setup_.on_consent_shown) setup_.on_consent_shown(id);
    // The client's log keeps what the customer was asked and answered: a support case about
    // a session ("I never allowed that") can be read there.
    setup_.log(fmt::format("Asked the customer about connection request {} (ticket {}).", id,
                           info.ticket_number));
    setup_.notice(tr("{operator} from {team} asks to connect to this computer (request {number}).",
                     fmt::arg("operator", info.operator_name), fmt::arg("team", info.team),
                     fmt::arg("number", info.ticket_number)),
                  true);
}

void RemoteAssistance::send_decline(const std::string& id) {
    auto log = setup_.log;
    // Sent again until the request runs out while the server cannot be reached (a lost
    // decline leaves the operator waiting), but no longer once the client closes.
    client::Persistence persistence;
    const client::ConsentRequest* r = machine_.find(id);
    persistence.deadline = r != nullptr ? r->deadline : clock_.now();
    persistence.attempt_timeout = std::chrono::seconds(5);
    persistence.stop = [closing = closing_] { return closing->load(); };
    setup_.post([id, log, persistence](const client::ApiClient& api) {
        std::string problem;
        client::ApiReply reply;
        if (client::post_until_answered(api, "/api/v1/connection-requests/" + id + "/decline",
                                        std::nullopt, persistence, &reply, problem))
            return;
        if (reply.status == 0)
            log(fmt::format("Declining {} could not reach the server: {}", id, problem));
        else
            log(fmt::format("Declining {} was refused: {}", id, problem));
    });
}

void RemoteAssistance::answered(const std::string& id, bool allowed) {
    dialog_ = nullptr;
    dialog_id_.clear();
    setup_.log(fmt::format("The customer {} connection request {}.",
                           allowed ? "allowed" : "declined", id));
    if (!allowed) {
        if (auto declined = machine_.decline(id); declined) {
            send_decline(id);
            setup_.notice(tr("You declined the connection request from {operator}.",
                             fmt::arg("operator", std::string(who(id).utf8_str()))),
                          false);
        } else {
            setup_.notice(tr("The connection request from {operator} expired without an answer.",
                             fmt::arg("operator", std::string(who(id).utf8_str()))),
                          false);
        }
        return show_next();
    }
    if (auto accepted = machine_.accept(id); !accepted) {
        setup_.notice(tr("The connection request from {operator} expired before you allowed it.",
                         fmt::arg("operator", std::string(who(id).utf8_str()))),
                      false);
        return show_next();
    }
    start_session(*machine_.find(id));
}

void RemoteAssistance::start_session(const client::ConsentRequest& request) {
    auto api = setup_.api ? setup_.api() : std::nullopt;
    session_request_ = request.request.id;
    session_operator_ = request.request.operator_name.empty()
                            ? std::string(tr("An operator").utf8_str())
                            : request.request.operator_name;
    session_id_.clear();
    if (!api) {  // cannot happen: requests arrive only once registered
        setup_.notice(tr("The remote session cannot start: this computer is not registered."),
                      false);
        return show_next();
    }
    setup_.notice(tr("Starting the remote session\u2026"), false);
    client::SessionSetup session;
    session.request_id = request.request.id;
    session.deadline = request.deadline;
    session.backends = setup_.backends;
    session.launch.session = client::detect_session_type();
    session.launch.runtime_dir = setup_.runtime_dir;
    session.launch.program_dirs = setup_.program_dirs;
    session.open_tunnel = setup_.open_tunnel;
    client::SessionCallbacks callbacks;
    callbacks.on_accepted = [this](const std::string& sid) {
        post_if_alive(alive_, [this, sid] { session_id_ = sid; });
    };
    callbacks.on_running = [this](const std::string& sid) {
        post_if_alive(alive_, [this, sid] { session_running(sid); });
    };
    callbacks.on_stopped = [this] { post_if_alive(alive_, [this] { session_stopped(); }); };
    callbacks.on_finished = [this](const SessionResult& result) {
        post_if_alive(alive_, [this, result] { session_finished(result); });
    };
    const int serial = ++runner_serial_;
    callbacks.on_released = [this, serial] {
        // Its thread is about to return: destroying the runner now joins at once.
        post_if_alive(alive_, [this, serial] { finishing_.erase(serial); });
    };
    callbacks.on_log = setup_.log;
    runner_ = std::make_unique<client::SessionRunner>(std::move(*api), clock_, std::move(session),
                                                      std::move(callbacks));
    runner_serial_of_current_ = serial;
    runner_->start();
}

void RemoteAssistance::session_running(const std::string& session_id) {
    session_id_ = session_id;
    if (runner_ == nullptr) return;
    auto* bar = new SessionBar(session_operator_, setup_.accent, [this] {
        if (runner_ != nullptr) runner_->end();
    });
    bar_ = bar;
    bar->Show();
    bar->Raise();
    setup_.notice(tr("{operator} can see and control this computer.",
                     fmt::arg("operator", session_operator_)),
                  false);
}

void RemoteAssistance::session_stopped() {
    // Nobody can see this computer any more: the bar goes now, not once the server was told.
    if (bar_) bar_->dismiss();
    bar_ = nullptr;
}

void RemoteAssistance::session_finished(const SessionResult& result) {
    session_stopped();
    // The runner may still be telling the server: it is kept until it says it is done
    // (on_released), so that nothing here waits for the network.
    if (runner_) finishing_[runner_serial_of_current_] = std::move(runner_);
    const std::string id = session_request_;
    session_request_.clear();
    session_id_.clear();
    // The customer reads a sentence of the GUI's own; the core's English detail is logged.
    if (result.error)
        setup_.log(fmt::format("Remote session for request {}: {}", id, result.error->message));
    const Error problem = result.error.value_or(Error{});
    switch (result.kind) {
        case SessionResult::Kind::no_backend:
            setup_.notice(tr("The remote session cannot start: {reason}",
                             fmt::arg("reason", std::string(launch_problem_text(
                                                                problem, setup_.backends)
                                                                .utf8_str()))),
                          true);
            break;
        case SessionResult::Kind::declined_on_desktop:
            setup_.notice(tr("You cancelled your desktop's screen sharing dialog, so the support "
                             "team was told that you declined."),
                          true);
            break;
        case SessionResult::Kind::expired:
            (void)machine_.confirm_accept(id);  // records the expiry
            setup_.notice(
                tr("The connection request expired while the remote session was starting."), true);
            break;
        case SessionResult::Kind::accept_failed:
            setup_.notice(tr("The support server did not take your answer: {reason}",
                             fmt::arg("reason",
                                      std::string(accept_problem_text(problem).utf8_str()))),
                          true);
            break;
        case SessionResult::Kind::stopped:
            setup_.notice(tr("The remote session was stopped before it started."), true);
            break;
        case SessionResult::Kind::ended:
            if (result.ended_by == SessionEndedBy::error)
                setup_.notice(
                    tr("The remote session could not be connected to the support server: {reason} "
                       "The session has ended.",
                       fmt::arg("reason", std::string(tunnel_problem_text(problem).utf8_str()))),
                    true);
            else if (result.ended_by == SessionEndedBy::operator_)
                setup_.notice(
                    tr("{operator} ended the session.", fmt::arg("operator", session_operator_)),
                    true);
            else
                setup_.notice(tr("The session has ended."), true);
            break;
    }
    show_next();
}

}  // namespace helpline::gui
