// helpline-cli listen: waits on the event stream for operators' connection requests, asks
// the customer on the terminal (consent.h decides what an answer may do), and runs the
// session an Allow starts: backend, accept, relay tunnel, until either side ends it.
// docs/client.md ("listen") describes the behaviour and the output.

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <cstdlib>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>

#include "client/cli/commands.h"
#include "client/cli/console.h"
#include "client/cli/env_setup.h"
#include "client/cli/listen_plumbing.h"
#include "client/core/backend_launcher.h"
#include "client/core/consent.h"
#include "client/core/event_stream.h"
#include "client/core/launcher_selection.h"
#include "client/core/session_runner.h"

namespace helpline::client::cli {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// --- What the event stream's worker thread hands to the main loop. ---------------------------

/// Progress of the session runner (its own thread).
struct SessionNews {
    enum class Step { accepted, running, finished };
    Step step = Step::accepted;
    std::string session_id;
    std::optional<SessionResult> result;  ///< finished
};
using Input = std::variant<DeviceEvent, StreamStatus, SessionNews>;
using Inbox = WakeQueue<Input>;

std::string ui_language() {
    for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
        const char* v = std::getenv(name);
        if (v != nullptr && *v != '\0') return normalize_language(v);
    }
    return "en";
}

std::string who(const ConnectionRequest& r) {
    return r.operator_name.empty() ? "An operator" : r.operator_name;
}

enum class Outcome { none, session_ended, declined, failed };

class Listener {
  public:
    Listener(ClientEnv& env, const ListenOptions& options, CliIo io)
        : env_(env),
          options_(options),
          io_(io),
          ui_(options.json ? io.err : io.out),
          interactive_(io.interactive && stdin_is_terminal()),
          machine_(clock_),
          log_(env.paths.state / "client.log", nullptr),
          team_(env.brand.profile.name.get(ui_language())) {}

    int run();

  private:
    // Output: people read ui_ (stdout, or stderr with --json); programs read JSON lines.
    template <typename... Args>
    void say(fmt::format_string<Args...> format, Args&&... args) {
        if (prompt_open_) ui_ << '\n';  // the countdown line stays above the message
        prompt_open_ = false;
        ui_ << fmt::format(format, std::forward<Args>(args)...) << '\n' << std::flush;
    }
    void emit(nlohmann::json doc) {
        if (options_.json) io_.out << doc.dump() << '\n' << std::flush;
    }

    void handle_inputs();
    void handle_event(const DeviceEvent& event);
    void handle_status(const StreamStatus& status);
    void report_expired(const std::vector<ConsentChange>& changes);
    /// The outcome of a request that was asked; --once returns after the first one.
    void finish_request(const std::string& id, Outcome outcome);
    std::string name_of(const std::string& id) const;

    /// Asks about the current request; returns when it is answered, expired or withdrawn.
    void ask(const std::string& id);
    void answer_no(const ConsentRequest& r, const std::string& why, const std::string& json_reason);
    /// Runs an allowed session (SessionRunner) until it ends, then reports it.
    void run_session(const ConsentRequest& r);
    void handle_session_news(const SessionNews& news);
    void report_session(const ConsentRequest& r, const SessionResult& result);
    /// Waits for input on the inbox, signals and (optionally) stdin; true when stdin is readable.
    bool wait(bool with_stdin, milliseconds timeout);

    ClientEnv& env_;
    const ListenOptions& options_;
    CliIo io_;
    std::ostream& ui_;
    bool interactive_;
    SteadyClock clock_;
    ConsentMachine machine_;
    ClientLog log_;
    std::string team_;
    MainLoop loop_;
    Inbox inbox_{loop_};
    bool ever_connected_ = false;
    // The running session, if any: what ends it from outside.
    std::string session_request_;
    std::string session_name_;
    std::string session_id_;
    bool session_ended_by_operator_ = false;
    bool session_running_ = false;
    std::optional<SessionResult> session_result_;
    bool stdin_closed_ = false;
    bool prompt_open_ = false;           ///< the cursor is at the end of the countdown line
    bool interrupted_question_ = false;  ///< Ctrl-C declined an open question
    std::string first_asked_;
    Outcome first_outcome_ = Outcome::none;
    /// The last session's runner, still telling the server the session ended; last, so that
    /// it goes before the inbox and the log its callbacks use.
    std::unique_ptr<SessionRunner> finishing_;
};

int Listener::run() {
    const Profile& profile = env_.brand.profile;
    if (!profile.remote.enabled) {
        io_.err << fmt::format(
            "Remote sessions are turned off in the {} profile: there is nothing to listen for.\n",
            team_);
        return kExitFailed;
    }
    auto identity = ensure_registered(*env_.api, env_.paths, profile, env_.client_version);
    if (!identity) {
        io_.err << fmt::format(
            "error: {}\nlisten needs this computer registered with the support server; try again "
            "when it can be reached.\n",
            identity.error().message);
        return kExitFailed;
    }
    EventStreamOptions stream_options;
    stream_options.endpoint = env_.api->endpoint();
    stream_options.device_token = identity->device_token;
    EventStream stream(stream_options, {[this](const DeviceEvent& e) { inbox_.push(e); },
                                        [this](const StreamStatus& s) { inbox_.push(s); },
                                        [this](const std::string& line) { log_.note(line); }});
    stream.start();
    emit({{"event", "listening"},
          {"server", stream_options.endpoint.base_url},
          {"interactive", interactive_}});
    say("Listening for connection requests from {} ({}). Press Ctrl-C to stop.", team_,
        stream_options.endpoint.base_url);
    if (!interactive_)
        say("Standard input is not a terminal: every connection request will be declined, since "
            "nobody can answer.");

    while (!loop_.stop_requested() && !(options_.once && first_outcome_ != Outcome::none)) {
        handle_inputs();
        report_expired(machine_.tick());
        if (const ConsentRequest* r = machine_.current()) {
            ask(r->request.id);
            continue;
        }
        wait(false,
             std::chrono::minutes(1));  // nothing pending: only the inbox or a signal matters
    }
    stream.stop();
    finishing_.reset();  // an end still being told to the server: bounded by its timeout
    if (loop_.stop_requested()) say("Stopped listening.");
    emit({{"event", "stopped"}});
    if (!options_.once) return interrupted_question_ ? kExitDeclined : kExitOk;
    switch (first_outcome_) {
        case Outcome::declined:
            return kExitDeclined;
        case Outcome::failed:
            return kExitFailed;
        default:
            return kExitOk;
    }
}

bool Listener::wait(bool with_stdin, milliseconds timeout) {
    return loop_.wait(with_stdin && !stdin_closed_, timeout);
}

void Listener::handle_inputs() {
    for (auto& input : inbox_.take()) {
        if (const auto* e = std::get_if<DeviceEvent>(&input))
            handle_event(*e);
        else if (const auto* s = std::get_if<StreamStatus>(&input))
            handle_status(*s);
        else
            handle_session_news(std::get<SessionNews>(input));
    }
}

void Listener::handle_status(const StreamStatus& status) {
    if (status.state == StreamState::connected) {
        if (ever_connected_) say("Reconnected to the support server.");
        ever_connected_ = true;
        emit({{"event", "connected"}});
    } else if (status.state == StreamState::reconnecting) {
        const auto retry_s = std::max<long long>(
            1, std::chrono::duration_cast<seconds>(status.retry_in + milliseconds(500)).count());
        if (ever_connected_)
            say("The connection to the support server was lost: {} Trying again in {} s.",
                status.reason, retry_s);
        else
            say("No connection to the support server yet: {} Trying again in {} s.", status.reason,
                retry_s);
        emit({{"event", "reconnecting"},
              {"reason", status.reason},
              {"retry_in_ms", status.retry_in.count()}});
    }
}

void Listener::handle_event(const DeviceEvent& event) {
    if (const auto* r = std::get_if<ConnectionRequest>(&event)) {
        const auto offered = machine_.offer(*r);
        if (offered == OfferResult::duplicate) return;  // a replay after a reconnect
        emit({{"event", "connection-request"},
              {"id", r->id},
              {"operator_name", r->operator_name},
              {"ticket_number", r->ticket_number},
              {"expires_in_s", r->expires_in.count()},
              {"queued", offered == OfferResult::queued}});
        if (offered == OfferResult::full)
            log_.note(fmt::format("Ignored connection request {}: too many waiting.", r->id));
        if (offered == OfferResult::queued ||
            (offered == OfferResult::current && !session_request_.empty()))
            say("{} also asks to connect (ticket {}); that question comes next.", who(*r),
                r->ticket_number);
    } else if (const auto* c = std::get_if<Cancelled>(&event)) {
        if (machine_.cancel(c->id)) {
            say("The connection request from {} {}.", name_of(c->id),
                c->reason == "expired" ? "has expired" : "was withdrawn");
            emit({{"event", "cancelled"}, {"id", c->id}, {"reason", c->reason}});
            finish_request(c->id, Outcome::declined);
        } else if (!session_request_.empty() &&
                   (c->id == session_request_ ||
                    (!session_id_.empty() && c->session_id == session_id_))) {
            session_ended_by_operator_ = true;
        }
    } else if (const auto* t = std::get_if<TicketUpdated>(&event)) {
        emit({{"event", "ticket-updated"},
              {"number", t->number},
              {"status", t->status},
              {"operator_name", t->operator_name}});
        if (t->operator_name.empty())
            say("Ticket {} is now {}.", t->number, t->status);
        else
            say("Ticket {} is now {} ({}).", t->number, t->status, t->operator_name);
    } else if (const auto* m = std::get_if<TicketMessage>(&event)) {
        emit({{"event", "ticket-message"},
              {"number", m->number},
              {"message_id", m->message.id},
              {"author_name", m->message.author_name},
              {"body", m->message.body},
              {"attachments", m->message.attachments.size()}});
        say("{} wrote on ticket {}. Read it with: helpline-cli requests {}",
            m->message.author_name.empty() ? std::string("The support team")
                                           : m->message.author_name,
            m->number, m->number);
    }
}

void Listener::report_expired(const std::vector<ConsentChange>& changes) {
    for (const auto& change : changes) {
        say("The connection request from {} expired without an answer; nothing was sent.",
            name_of(change.id));
        emit({{"event", "expired"}, {"id", change.id}});
        finish_request(change.id, Outcome::declined);
    }
}

void Listener::finish_request(const std::string& id, Outcome outcome) {
    if (id == first_asked_ && first_outcome_ == Outcome::none) first_outcome_ = outcome;
}

std::string Listener::name_of(const std::string& id) const {
    const ConsentRequest* r = machine_.find(id);
    return r == nullptr ? "an operator" : who(r->request);
}

void Listener::answer_no(const ConsentRequest& r, const std::string& why,
                         const std::string& json_reason) {
    const std::string id = r.request.id;
    if (auto declined = machine_.decline(id); !declined) {
        // Past the deadline: the server expires it by itself; nothing is sent.
        say("The connection request from {} expired; nothing was sent.", who(r.request));
        emit({{"event", "expired"}, {"id", id}});
        return finish_request(id, Outcome::declined);
    }
    // Sent again until the request runs out while the server cannot be reached: a lost
    // decline leaves the operator waiting for an answer that never comes. Interrupted
    // (Ctrl-C, SIGTERM), a few seconds more at most.
    Persistence persistence;
    persistence.deadline = r.deadline;
    if (loop_.stop_requested())
        persistence.deadline = std::min(r.deadline, clock_.now() + seconds(5));
    else
        persistence.stop = [this] { return loop_.stop_requested(); };
    std::string problem;
    const bool sent = post_until_answered(*env_.api, "/api/v1/connection-requests/" + id + "/decline",
                                          std::nullopt, persistence, nullptr, problem);
    if (!why.empty()) say("{}", why);
    if (sent)
        say("Declined the request from {}.", who(r.request));
    else
        say("Declined the request from {}, but the support server could not be told: {}",
            who(r.request), problem);
    emit({{"event", "declined"}, {"id", id}, {"reason", json_reason}, {"sent", sent}});
    finish_request(id, Outcome::declined);
}

void Listener::ask(const std::string& id) {
    const ConsentRequest r = *machine_.show();
    if (first_asked_.empty()) first_asked_ = id;
    const std::string question = fmt::format(
        "Allow {} from {} to see and control this computer? [y/N]", who(r.request), team_);
    if (!interactive_) {
        say("{} from {} asks to see and control this computer (ticket {}).", who(r.request), team_,
            r.request.ticket_number);
        return answer_no(r, "Standard input is not a terminal, so nobody can answer.",
                         "non-interactive");
    }
    say("{} from {} asks to connect to this computer (ticket {}).", who(r.request), team_,
        r.request.ticket_number);
    say("{}", question);
    QuestionMode question_mode;
    std::string typed;
    long long drawn_left = -1;
    std::string drawn_typed;
    const auto draw = [&] {
        const auto left =
            std::chrono::duration_cast<seconds>(machine_.time_left() + milliseconds(999)).count();
        if (prompt_open_ && left == drawn_left && typed == drawn_typed) return;
        ui_ << fmt::format("\r\033[K  ({} s left) > {}", left, typed) << std::flush;
        prompt_open_ = true;
        drawn_left = left;
        drawn_typed = typed;
    };
    const auto close_line = [&] {
        if (prompt_open_) ui_ << '\n' << std::flush;
        prompt_open_ = false;
    };
    draw();
    while (true) {
        const bool key = wait(true, milliseconds(250));
        handle_inputs();
        if (loop_.stop_requested()) {
            close_line();
            interrupted_question_ = true;
            return answer_no(r, "Interrupted.", "interrupted");
        }
        report_expired(machine_.tick());
        if (machine_.state(id) != ConsentState::pending)
            return;  // expired, or withdrawn by the server
        if (!key) {
            draw();
            continue;
        }
        char buffer[64];
        const std::ptrdiff_t n = loop_.read_input(buffer, sizeof buffer);
        if (n <= 0) {
            stdin_closed_ = true;
            interactive_ = false;  // nobody is left to answer the next questions either
            close_line();
            return answer_no(r, "The terminal closed.", "stdin-closed");
        }
        for (std::ptrdiff_t i = 0; i < n; ++i) {
            const char c = buffer[i];
            if (c == '\r' || c == '\n') {
                close_line();
                if (typed != "y" && typed != "Y" && typed != "yes" && typed != "Yes" &&
                    typed != "YES")
                    return answer_no(r, "", "answered");
                const auto accepted = machine_.accept(id);
                if (accepted) return run_session(r);
                if (accepted.error().code != consent_error::kTooEarly) {
                    say("{} Nothing was sent.", accepted.error().message);
                    emit({{"event", "expired"}, {"id", id}});
                    return finish_request(id, Outcome::declined);
                }
                say("Too quick: please read the question first, then answer again.");
                typed.clear();
                loop_.discard_input();
                break;
            }
            if (c == 0x7F || c == 0x08) {
                if (!typed.empty()) typed.pop_back();
            } else if (c == 0x15) {
                typed.clear();
            } else if (c == 0x04 && typed.empty()) {
                close_line();
                return answer_no(r, "", "answered");
            } else if (c >= 0x20 && c < 0x7F && typed.size() < 16) {
                typed += c;
            }
        }
        draw();
    }
}

void Listener::handle_session_news(const SessionNews& news) {
    switch (news.step) {
        case SessionNews::Step::accepted:
            session_id_ = news.session_id;
            emit(
                {{"event", "accepted"}, {"id", session_request_}, {"session_id", news.session_id}});
            break;
        case SessionNews::Step::running:
            session_running_ = true;
            say("{} can see and control this computer. Press Enter (or Ctrl-C) to end the session.",
                session_name_);
            emit({{"event", "session-started"},
                  {"id", session_request_},
                  {"session_id", news.session_id}});
            break;
        case SessionNews::Step::finished:
            session_result_ = news.result;
            break;
    }
}

void Listener::run_session(const ConsentRequest& r) {
    const std::string id = r.request.id;
    say("Starting the remote-control program...");
    SessionSetup setup;
    setup.request_id = id;
    setup.deadline = r.deadline;
    setup.backends = env_.brand.profile.remote.backends;
    setup.launch.session = detect_session_type();
    setup.launch.program_dirs = own_backend_dirs();
    if (desktop_asks_first(setup.backends, setup.launch.session, setup.launch.program_dirs))
        say("Your desktop may now ask whether to share the screen: if it does, choose the screen, "
            "switch on \"Allow remote interaction\" and click \"Share\".");
    setup.launch.runtime_dir = env_.paths.runtime;
    SessionCallbacks callbacks;
    callbacks.on_accepted = [this](const std::string& sid) {
        inbox_.push(SessionNews{SessionNews::Step::accepted, sid, {}});
    };
    callbacks.on_running = [this](const std::string& sid) {
        inbox_.push(SessionNews{SessionNews::Step::running, sid, {}});
    };
    callbacks.on_finished = [this](const SessionResult& result) {
        inbox_.push(SessionNews{SessionNews::Step::finished, result.session_id, result});
    };
    callbacks.on_log = [this](const std::string& line) { log_.note(line); };

    session_request_ = id;
    session_name_ = who(r.request);
    session_id_.clear();
    session_running_ = false;
    session_result_.reset();
    // The previous session's runner has long told the server by now: this joins at once.
    finishing_.reset();
    auto runner = std::make_unique<SessionRunner>(*env_.api, clock_, std::move(setup),
                                                  std::move(callbacks));
    runner->start();
    while (!session_result_) {
        const bool key = wait(session_running_, seconds(1));
        handle_inputs();
        report_expired(machine_.tick());  // queued requests keep their own deadlines
        if (session_result_) break;
        if (loop_.stop_requested()) runner->end();
        if (session_ended_by_operator_) runner->operator_ended();
        if (key) {
            char buffer[256];
            const std::ptrdiff_t n = loop_.read_input(buffer, sizeof buffer);
            if (n <= 0) {  // Ctrl-D, or the terminal went away
                stdin_closed_ = true;
                interactive_ = false;
                runner->end();
            } else if (std::string_view(buffer, static_cast<std::size_t>(n)).find('\n') !=
                       std::string_view::npos) {
                runner->end();
            }
        }
    }
    // Over on this computer (tunnel closed, backend gone): the customer is told now, while
    // the runner tells the server in the background (run() waits for it before returning).
    finishing_ = std::move(runner);
    const SessionResult result = *session_result_;
    session_request_.clear();
    session_id_.clear();
    session_running_ = false;
    session_ended_by_operator_ = false;
    session_result_.reset();
    report_session(r, result);
}

void Listener::report_session(const ConsentRequest& r, const SessionResult& result) {
    const std::string id = r.request.id;
    const std::string name = who(r.request);
    const std::string problem = result.error ? result.error->message : std::string();
    const auto fail = [&](const std::string& message) {
        say("{}", message);
        emit({{"event", "session-failed"}, {"id", id}, {"message", message}});
        finish_request(id, Outcome::failed);
    };
    const auto report_decline = [&] {
        if (result.decline_sent)
            say("Declined the request, so that {} knows.", name);
        else
            say("The support server could not be told either: {}", result.decline_problem);
    };
    switch (result.kind) {
        case SessionResult::Kind::no_backend:
            fail(fmt::format("The remote session cannot start: {}", problem));
            return report_decline();
        case SessionResult::Kind::declined_on_desktop:
            say("You cancelled the desktop's screen sharing dialog.");
            report_decline();
            emit({{"event", "declined"},
                  {"id", id},
                  {"reason", "desktop-dialog"},
                  {"sent", result.decline_sent}});
            return finish_request(id, Outcome::declined);
        case SessionResult::Kind::expired:
            (void)machine_.confirm_accept(id);  // records the expiry
            say("The request expired while the remote-control program was starting; nothing was "
                "sent.");
            emit({{"event", "expired"}, {"id", id}});
            return finish_request(id, Outcome::declined);
        case SessionResult::Kind::accept_failed:
            if (result.error && result.error->code == session_error::kBadAnswer)
                return fail(
                    "The support server's answer to the accept has no valid session; the session "
                    "cannot start.");
            return fail(fmt::format("The support server did not take the answer: {}", problem));
        case SessionResult::Kind::stopped:
            say("The remote session was stopped before it started.");
            if (result.ended_by == SessionEndedBy::operator_) {
                emit({{"event", "cancelled"}, {"id", id}, {"reason", "cancelled"}});
            } else {
                report_decline();
                emit({{"event", "declined"},
                      {"id", id},
                      {"reason", "interrupted"},
                      {"sent", result.decline_sent}});
            }
            return finish_request(id, Outcome::declined);
        case SessionResult::Kind::ended:
            break;
    }
    const SessionEndedBy by = result.ended_by;
    if (by == SessionEndedBy::error)
        fail(
            fmt::format("The remote session could not be connected to the support server: {} "
                        "Ending the session.",
                        problem));
    if (by == SessionEndedBy::operator_)
        say("{} ended the session.", name);
    else if (by == SessionEndedBy::connection)
        say("The connection to the support server closed: the session has ended.");
    else if (by == SessionEndedBy::backend)
        say("The remote-control program stopped: the session has ended.");
    else
        say("The session has ended.");
    emit({{"event", "session-ended"},
          {"id", id},
          {"session_id", result.session_id},
          {"ended_by", std::string(to_string(by))}});
    finish_request(id, by == SessionEndedBy::error ? Outcome::failed : Outcome::session_ended);
}

}  // namespace

int listen_command(ClientEnv& env, const ListenOptions& options, CliIo io) {
    Listener listener(env, options, io);
    return listener.run();
}

}  // namespace helpline::client::cli
