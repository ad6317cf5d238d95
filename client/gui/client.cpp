#include "client/gui/client.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <wx/log.h>
#include <wx/notifmsg.h>

#include "client/gui/about_dialog.h"
#include "client/gui/i18n.h"
#include "shared/ed25519.h"

namespace helpline::gui {
namespace {

client::ServerEndpoint endpoint_for(const Profile& profile, const std::string& version) {
    client::ServerEndpoint endpoint = client::ServerEndpoint::from_profile(profile);
    endpoint.user_agent = fmt::format("helpline/{} ({})", version, profile.id);
    return endpoint;
}

}  // namespace

Client::Client(client::Brand brand, client::ClientPaths paths, ClientOptions options)
    : brand_(std::move(brand)),
      paths_(std::move(paths)),
      options_(std::move(options)),
      settings_(client::Settings::load(paths_.config)),
      outbox_(paths_.state / "outbox", client::RequestLog(paths_.state / "requests.log")),
      sender_api_(std::make_unique<client::ApiClient>(
          endpoint_for(brand_.profile, options_.client_version))),
      clock_(this) {
    options_.link.client_version = options_.client_version;
    submitter_ = std::make_unique<client::Submitter>(
        outbox_,
        client::make_ticket_poster(*sender_api_, paths_, brand_.profile, options_.client_version),
        options_.submit);

    auto* frame = new MainFrame(brand_, options_.language,
                                {[this] { open_assistance(); }, [this] { open_about(); }});
    frame_ = frame;

    const std::string team = brand_.profile.name.get(options_.language);
    RemoteSetup remote;
    remote.team = team;
    remote.accent = accent_colour(brand_.profile.appearance.accent);
    remote.enabled = brand_.profile.remote.enabled;
    remote.backends = brand_.profile.remote.backends;
    remote.runtime_dir = paths_.runtime;
    remote.open_tunnel = options_.open_tunnel;
    remote.api = [this] { return link_->api(); };
    remote.post = [this](std::function<void(const client::ApiClient&)> job) {
        link_->post(std::move(job));
    };
    remote.notice = [this](const wxString& text, bool notify) { notice(text, notify); };
    remote.log = [this](const std::string& line) { log(line); };
    remote.on_consent_shown = options_.on_consent_shown;
    remote_ = std::make_unique<RemoteAssistance>(std::move(remote));

    requests_.on_change([this] { post_if_alive(alive_, [this] { update_rows(); }); });
    client::DeviceLinkCallbacks callbacks;
    callbacks.on_status = [this](const client::LinkStatus& status) {
        post_if_alive(alive_, [this, status] {
            if (frame_) frame_->set_link_status(status);
            if (status.state == client::LinkState::connected && sender_started_) submitter_->poke();
        });
    };
    callbacks.on_event = [this](const client::DeviceEvent& event) {
        post_if_alive(alive_, [this, event] { remote_->on_event(event); });
    };
    callbacks.on_registered = [this](const client::ApiClient&) {
        post_if_alive(alive_, [this] { registered(); });
    };
    callbacks.on_log = [this](const std::string& line) { log(line); };
    link_ = std::make_unique<client::DeviceLink>(brand_, paths_, requests_, options_.link,
                                                 std::move(callbacks));

    update_rows();
    frame->Show();
    // The network starts once the window is up: its first request loads libcurl
    // (client/core/curl_delayed.cpp), which would otherwise compete with the first paint.
    post_if_alive(alive_, [this] { link_->start(); });
    Bind(wxEVT_TIMER, [this](wxTimerEvent&) { update_rows(); });
    clock_.Start(15'000);  // waiting times in minutes stay within 15 s of true
}

Client::~Client() {
    clock_.Stop();
    remote_.reset();  // the session ends first: the backend stops, the end is POSTed
    submitter_->stop();
    link_->stop();
}

void Client::log(const std::string& line) const {
    const std::string text =
        fmt::format("{} {}\n", client::format_utc(std::chrono::system_clock::now()), line);
    const std::string file = (paths_.state / "client.log").string();
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return;  // the log helps diagnosis; it is never a reason to fail
    (void)!::write(fd, text.data(), text.size());
    ::close(fd);
}

void Client::registered() {
    if (sender_started_) return;
    sender_started_ = true;
    // Started only once the device is registered, so that the sender never registers a
    // second identity in parallel with the link.
    client::Submitter::Events events;
    events.on_attempt = [this](const client::OutboxEntry& entry, const client::Delivery& delivery,
                               std::chrono::milliseconds) {
        post_if_alive(alive_, [this, entry, delivery] { attempted(entry, delivery); });
    };
    events.on_problem = [this](const Error& e) { log(e.message); };
    submitter_->start(std::move(events));
}

void Client::raise() {
    if (frame_) frame_->bring_to_front();
    if (form_) form_->Raise();
    if (remote_->dialog() != nullptr) remote_->dialog()->Raise();
}

AssistanceDialog* Client::open_assistance() {
    if (form_) {
        form_->Raise();
        return form_.get();
    }
    auto* form =
        new AssistanceDialog(frame_.get(), brand_.profile, options_.language, settings_.email,
                             [this](const client::PreparedTicket& ticket,
                                    const client::TicketDraft&) { return submit(ticket, {}); });
    form_ = form;
    form->Show();
    return form;
}

void Client::open_about() {
    AboutInfo info;
    info.brand = brand_.profile.name.get(options_.language);
    info.version = options_.client_version;
    info.profile_id = brand_.profile.id;
    info.profile_revision = brand_.profile.revision;
    info.key_fingerprint = short_fingerprint(brand_.stamp.key);
    info.server_url = brand_.profile.server.url;
    info.log_path = paths_.state.string();
    AboutDialog dialog(frame_.get(), info);
    dialog.ShowModal();
}

Result<std::string> Client::submit(const client::PreparedTicket& ticket,
                                   const client::TicketDraft&) {
    auto saved = submitter_->save(ticket.body);  // durable before anything is sent
    if (!saved) return saved.error();
    const std::string email = ticket.body.value("email", "");
    if (!email.empty() && email != settings_.email) {
        settings_.email = email;
        if (auto written = settings_.save(paths_.config); !written)
            log(fmt::format("The email address could not be remembered: {}",
                            written.error().message));
    }
    update_rows();
    if (!sender_started_) {
        // Not registered yet (offline since the start): it waits in the outbox.
        const std::string key = saved->key;
        CallAfter([this, key] {
            if (form_ && form_->key() == key) form_->queued();
        });
    }
    return saved->key;
}

void Client::attempted(const client::OutboxEntry& entry, const client::Delivery& delivery) {
    const bool for_form = form_ && form_->key() == entry.key;
    switch (delivery.state) {
        case client::Delivery::State::delivered:
            if (for_form)
                form_->delivered(delivery.number);
            else
                notice(tr("Your saved request was sent: its number is {number}.",
                          fmt::arg("number", delivery.number)),
                       true);
            link_->refresh_requests();
            break;
        case client::Delivery::State::refused:
            if (for_form)
                form_->refused(delivery.problems, delivery.detail);
            else
                notice(tr("Your saved request was refused by the support server: {detail}",
                          fmt::arg("detail", delivery.detail)),
                       true);
            break;
        case client::Delivery::State::pending:
            if (for_form) form_->queued();
            break;
    }
    update_rows();
}

void Client::update_rows() {
    if (!frame_) return;
    const auto rows = request_rows(requests_.snapshot(), outbox_.log().read(), outbox_.pending(),
                                   std::chrono::system_clock::now());
    frame_->set_requests(rows);
}

void Client::notice(const wxString& text, bool notify) {
    if (frame_) frame_->set_notice(text);
    if (!notify) return;
    wxLogNull quiet;  // no notification service (a bare X server): the line in the window stays
    wxNotificationMessage message(wxString::FromUTF8(brand_.profile.name.get(options_.language)),
                                  text, frame_.get());
    message.Show(wxNotificationMessage::Timeout_Auto);
}

}  // namespace helpline::gui
