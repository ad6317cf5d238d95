#include "client/gui/client.h"

#include <fmt/format.h>
#include <wx/log.h>
#include <wx/notifmsg.h>

#include "client/core/launcher_selection.h"
#include "client/gui/about_dialog.h"
#include "client/gui/error_text.h"
#include "client/gui/i18n.h"
#include "shared/ed25519.h"
#include "shared/file_io.h"

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
      clock_(this),
      disk_(std::make_unique<DiskWorker>()) {
    options_.link.client_version = options_.client_version;
    // Requests, their files and replies: everything the outbox holds goes by the same sender.
    submitter_ = std::make_unique<client::Submitter>(
        outbox_,
        client::make_outbox_transport(*sender_api_, paths_, brand_.profile, options_.client_version),
        options_.submit);

    auto* frame = new MainFrame(brand_, options_.language,
                                {[this] { open_assistance(); }, [this] { open_about(); },
                                 [this](long long number) { open_request(number); }});
    frame_ = frame;

    const std::string team = brand_.profile.name.get(options_.language);
    RemoteSetup remote;
    remote.team = team;
    remote.accent = accent_colour(brand_.profile.appearance.accent);
    remote.enabled = brand_.profile.remote.enabled;
    remote.backends = brand_.profile.remote.backends;
    remote.runtime_dir = paths_.runtime;
    remote.program_dirs = client::own_backend_dirs();
    remote.open_tunnel = options_.open_tunnel;
    remote.api = [this] { return link_->api(); };
    remote.post = [this](std::function<void(const client::ApiClient&)> job) {
        link_->post(std::move(job));
    };
    remote.notice = [this](const wxString& text, bool notify) { notice(text, notify); };
    remote.log = [this](const std::string& line) { log(line); };
    remote.on_consent_shown = options_.on_consent_shown;
    remote.parent = [this]() -> wxWindow* {
        return frame_ && frame_->IsShown() ? static_cast<wxWindow*>(frame_.get()) : nullptr;
    };
    remote_ = std::make_unique<RemoteAssistance>(std::move(remote));

    RequestPagesSetup pages;
    pages.team = team;
    pages.profile_id = brand_.profile.id;
    pages.limits = client::AttachmentLimits::from(brand_.profile);
    pages.outbox = &outbox_;
    pages.post = [this](std::function<void(const client::ApiClient&)> job) {
        link_->post(std::move(job));
    };
    pages.api = [this] { return link_->api(); };
    pages.disk = [this](std::function<void()> job) { disk_->post(std::move(job)); };
    pages.poke = [this] {
        if (sender_started_) submitter_->poke();
    };
    pages.read = [this](std::int64_t number) { requests_.note_read(number); };
    pages.status_of = [this](std::int64_t number) -> std::pair<std::string, std::string> {
        for (const auto& r : requests_.snapshot())
            if (r.number == number) return {r.status, r.operator_name};
        return {};
    };
    pages.notice = [this](const wxString& text, bool notify) { notice(text, notify); };
    pages.log = [this](const std::string& line) { log(line); };
    pages.windows = [this] {
        std::vector<wxTopLevelWindow*> out;
        if (frame_) out.push_back(frame_.get());
        if (form_) out.push_back(form_.get());
        return out;
    };
    pages.new_request = [this] { open_assistance(); };
    pages.capture_timing = options_.capture_timing;
    pages_ = std::make_unique<RequestPages>(std::move(pages));

    requests_.on_change([this] { post_if_alive(alive_, [this] { update_rows(); }); });
    client::DeviceLinkCallbacks callbacks;
    callbacks.on_status = [this](const client::LinkStatus& status) {
        post_if_alive(alive_, [this, status] {
            if (frame_) frame_->set_link_status(status);
            if (status.state == client::LinkState::connected && sender_started_) submitter_->poke();
            if (status.state == client::LinkState::connected) pages_->connected();
        });
    };
    callbacks.on_event = [this](const client::DeviceEvent& event) {
        post_if_alive(alive_, [this, event] { on_event(event); });
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
    pages_.reset();   // the request pages close
    remote_.reset();  // the session ends first: the backend stops, the end is POSTed
    disk_.reset();    // a request being saved is saved
    submitter_->stop();
    link_->stop();
}

void Client::log(const std::string& line) const {
    const std::string text =
        fmt::format("{} {}\n", client::format_utc(std::chrono::system_clock::now()), line);
    auto file = File::open_append(paths_.state / "client.log", 0600);
    if (!file) return;  // the log helps diagnosis; it is never a reason to fail
    (void)file->write_all(as_bytes(text));
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

void Client::on_event(const client::DeviceEvent& event) {
    remote_->on_event(event);
    pages_->on_event(event);
}

std::vector<wxTopLevelWindow*> Client::own_windows() const {
    std::vector<wxTopLevelWindow*> out;
    if (frame_) out.push_back(frame_.get());
    if (form_) out.push_back(form_.get());
    if (pages_)
        for (auto* page : pages_->windows()) out.push_back(page);
    return out;
}

RequestPage* Client::open_request(std::int64_t number) {
    return pages_->open(number);
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
    PickerSetup picker;
    picker.screenshot_dir = cache_folder(brand_.profile.id, "screenshots");
    picker.windows_to_hide = [this] { return own_windows(); };
    picker.log = [this](const std::string& line) { log(line); };
    picker.capture_timing = options_.capture_timing;
    auto* form = new AssistanceDialog(
        frame_.get(), brand_.profile, options_.language, settings_.email,
        [this](const client::PreparedTicket& ticket, const client::TicketDraft&,
               const std::vector<client::AttachmentFile>& files) { submit(ticket, files); },
        std::move(picker));
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
    const auto log_file = paths_.state / "client.log";
    // The link opens the file itself, so it exists even before the first line is logged.
    (void)File::open_append(log_file, 0600);
    info.log_path = log_file.string();
    AboutDialog dialog(frame_.get(), info);
    dialog.ShowModal();
}

void Client::submit(const client::PreparedTicket& ticket,
                    const std::vector<client::AttachmentFile>& files) {
    const std::string email = ticket.body.value("email", "");
    const bool remember = !email.empty() && email != settings_.email;
    if (remember) settings_.email = email;
    // The files are written (and flushed to disk) on the disk worker, not here.
    disk_->post([this, body = ticket.body, files, remember, settings = settings_] {
        // Durable before it is sent; the files are copied into the outbox first.
        Result<client::OutboxEntry> saved = files.empty() ? outbox_.add(body) : outbox_.add(body, files);
        if (remember)
            if (auto written = settings.save(paths_.config); !written)
                log(fmt::format("The email address could not be remembered: {}",
                                written.error().message));
        post_if_alive(alive_, [this, saved] { saved_request(saved); });
    });
}

void Client::saved_request(const Result<client::OutboxEntry>& saved) {
    const bool for_form = form_ && form_->saving();
    if (!saved) {
        log(saved.error().message);
        if (for_form) form_->not_saved(saved.error());
        early_.clear();
        return;
    }
    const std::string key = saved->key;
    if (for_form) form_->saved(key);
    submitter_->poke();  // only now, so that its answer finds the form knowing the key
    update_rows();
    if (auto early = early_.find(key); early != early_.end()) {
        const auto [entry, delivery] = early->second;
        early_.clear();
        attempted(entry, delivery);
        return;
    }
    early_.clear();
    // Not registered yet (offline since the start): it waits in the outbox.
    if (!sender_started_ && form_ && form_->key() == key) form_->queued();
}

void Client::attempted(const client::OutboxEntry& entry, const client::Delivery& delivery) {
    if (entry.is_reply()) {
        pages_->attempted(entry, delivery);
        if (delivery.state == client::Delivery::State::delivered) link_->refresh_requests();
        update_rows();
        return;
    }
    if (form_ && form_->saving()) {
        // The sender found the file before the save came back (its periodic look): this may
        // be the form's request; saved_request() decides.
        early_[entry.key] = {entry, delivery};
        return;
    }
    const bool for_form = form_ && form_->key() == entry.key;
    switch (delivery.state) {
        case client::Delivery::State::delivered:
            for (const auto& f : delivery.files)
                if (f.id <= 0)
                    log(fmt::format("The support server did not take the file '{}' of request {}: {}",
                                    f.name, delivery.number, f.problem));
            if (for_form)
                form_->delivered(delivery.number, delivery.files);
            else
                notice(tr("Your saved request was sent: its number is {number}.",
                          fmt::arg("number", delivery.number)),
                       true);
            link_->refresh_requests();
            break;
        case client::Delivery::State::refused:
            // The server's reasons are English: the log keeps them, the customer reads ours.
            log(fmt::format("The support server refused request {}: {}", entry.key,
                            delivery.detail));
            for (const auto& p : delivery.problems)
                log(fmt::format("  {}: {}", p.field, p.message));
            if (for_form)
                form_->refused(delivery.problems, delivery.detail);
            else
                notice(tr("Your saved request was refused by the support server. Open the "
                          "Assistance form to send it again; the log (see About) says why."),
                       true);
            break;
        case client::Delivery::State::pending:
            // The ticket may exist already while its files wait for the connection.
            if (for_form && delivery.number > 0)
                form_->files_queued(delivery.number);
            else if (for_form)
                form_->queued();
            if (delivery.number > 0) link_->refresh_requests();
            break;
    }
    update_rows();
}

void Client::update_rows() {
    if (!frame_) return;
    if (rows_reading_) {
        rows_again_ = true;
        return;
    }
    rows_reading_ = true;
    // requests.log and the outbox are files: read on the disk worker; the server's list is
    // in memory and taken when the rows are made.
    disk_->post([this] {
        auto logged = outbox_.log().read();
        auto queued = outbox_.pending();
        post_if_alive(alive_, [this, logged = std::move(logged), queued = std::move(queued)] {
            rows_reading_ = false;
            if (frame_)
                frame_->set_requests(request_rows(requests_.snapshot(), logged, queued,
                                                  std::chrono::system_clock::now()));
            if (std::exchange(rows_again_, false)) update_rows();
        });
    });
}

void Client::notice(const wxString& text, bool notify) {
    if (frame_) frame_->set_notice(text);
    if (!notify) return;
    const wxString title = wxString::FromUTF8(brand_.profile.name.get(options_.language));
    if (options_.on_notification) options_.on_notification(title, text);
    wxLogNull quiet;  // no notification service (a bare X server): the line in the window stays
    wxNotificationMessage message(title, text, frame_.get());
    message.Show(wxNotificationMessage::Timeout_Auto);
}

}  // namespace helpline::gui
