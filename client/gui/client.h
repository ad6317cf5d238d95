#pragma once
// The GUI client as a whole, on the main thread: it owns the core's workers — the device
// link (registration, event stream, My requests), the outbox's background sender (with an
// ApiClient of its own), the remote assistance (consent and sessions) — and the main window,
// and moves their news onto the main loop (post_if_alive: nothing reaches an object that is
// gone). App (app.h) creates one; tests create one in-process with a profile pointing at a
// real server on 127.0.0.1.

#include <wx/event.h>
#include <wx/timer.h>
#include <wx/weakref.h>

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "client/core/brand.h"
#include "client/core/device_link.h"
#include "client/core/my_requests.h"
#include "client/core/outbox.h"
#include "client/core/paths.h"
#include "client/core/session_runner.h"
#include "client/core/settings.h"
#include "client/core/submission.h"
#include "client/gui/assistance_dialog.h"
#include "client/gui/disk_worker.h"
#include "client/gui/main_frame.h"
#include "client/gui/main_loop.h"
#include "client/gui/remote_assistance.h"
#include "client/gui/request_pages.h"

namespace helpline::gui {

struct ClientOptions {
    std::string language = "en";  ///< the UI language in use (init_translations' answer)
    std::string client_version;
    client::DeviceLinkOptions link;
    client::SubmitterOptions submit;
    client::TunnelOpener open_tunnel;  ///< tests route the tunnel to a stand-in relay
    std::function<void(const std::string& id)> on_consent_shown;
    /// Each desktop notification, as it is handed to the notification service (tests).
    std::function<void(const wxString& title, const wxString& text)> on_notification;
    /// Screenshots' waits (tests shorten nothing here; they may lengthen them).
    CaptureTiming capture_timing;
};

class Client : public wxEvtHandler {
  public:
    /// `brand` carries the profile in force (profile_at_start + apply_profile). Shows the
    /// main window and starts the workers.
    Client(client::Brand brand, client::ClientPaths paths, ClientOptions options);
    /// Ends a session (backend stopped, end POSTed), declines an open question, stops the
    /// workers. Windows may already be gone.
    ~Client() override;

    MainFrame* frame() const { return frame_.get(); }
    AssistanceDialog* form() const { return form_.get(); }
    RemoteAssistance& remote() { return *remote_; }
    const client::Brand& brand() const { return brand_; }

    /// A second start of the client asked for the window.
    void raise();
    /// Opens the Assistance form (or brings the open one forward).
    AssistanceDialog* open_assistance();
    void open_about();
    /// Opens a request's page (My requests: double-click), or brings it forward.
    RequestPage* open_request(std::int64_t number);
    RequestPages& pages() { return *pages_; }

  private:
    /// Saves the form's request on the disk worker; saved_request() gets the outcome.
    void submit(const client::PreparedTicket& ticket,
                const std::vector<client::AttachmentFile>& files);
    void on_event(const client::DeviceEvent& event);
    std::vector<wxTopLevelWindow*> own_windows() const;
    void saved_request(const Result<client::OutboxEntry>& saved);
    void attempted(const client::OutboxEntry& entry, const client::Delivery& delivery);
    void registered();
    void update_rows();
    void notice(const wxString& text, bool notify);
    void log(const std::string& line) const;

    client::Brand brand_;
    client::ClientPaths paths_;
    ClientOptions options_;
    client::Settings settings_;
    client::MyRequests requests_;
    client::Outbox outbox_;
    std::unique_ptr<client::ApiClient> sender_api_;  ///< the sender thread's own
    std::unique_ptr<client::Submitter> submitter_;
    bool sender_started_ = false;
    std::unique_ptr<client::DeviceLink> link_;
    std::unique_ptr<RemoteAssistance> remote_;
    std::unique_ptr<RequestPages> pages_;
    wxWeakRef<MainFrame> frame_;
    wxWeakRef<AssistanceDialog> form_;
    /// Attempts the sender reported for a request before its save came back to the form.
    std::map<std::string, std::pair<client::OutboxEntry, client::Delivery>> early_;
    bool rows_reading_ = false;  ///< the disk worker is reading for My requests
    bool rows_again_ = false;    ///< something changed meanwhile: read once more
    wxTimer clock_;  ///< waiting times go on
    std::unique_ptr<DiskWorker> disk_;
    AliveToken alive_;
};

}  // namespace helpline::gui
