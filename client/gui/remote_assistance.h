#pragma once
// The remote side of the GUI: connection requests from operators become a notification and
// the consent dialog (one question at a time, the rest queued, each with its own deadline),
// answered through the core's ConsentMachine; Allow runs the session with the core's
// SessionRunner (backend, accept, relay tunnel) on its thread, shows the SessionBar while it
// runs, and ends it from the bar, the operator, the tunnel or the client's exit. The bar goes
// as soon as the runner has stopped the tunnel and the backend; telling the server comes
// after and holds nothing here. Main thread only; the runner's news arrives through
// post_if_alive.

#include <wx/event.h>
#include <wx/timer.h>
#include <wx/weakref.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/core/api_client.h"
#include "client/core/consent.h"
#include "client/core/event_stream.h"
#include "client/core/session_runner.h"
#include "client/gui/consent_dialog.h"
#include "client/gui/main_loop.h"
#include "client/gui/session_bar.h"

namespace helpline::gui {

struct RemoteSetup {
    std::string team;  ///< the brand's name in the customer's language
    wxColour accent;
    bool enabled = true;
    std::vector<ProfileBackend> backends;
    std::filesystem::path runtime_dir;
    /// Searched first for the profile's backends (client::own_backend_dirs).
    std::vector<std::filesystem::path> program_dirs;
    client::TunnelOpener open_tunnel;  ///< empty: the real relay tunnel
    /// A copy of the registered API client (the runner's own), or nullopt.
    std::function<std::optional<client::ApiClient>()> api;
    /// Runs a short request off the main thread (the device link's worker).
    std::function<void(std::function<void(const client::ApiClient&)>)> post;
    /// News for the customer: a line in the main window and a desktop notification.
    std::function<void(const wxString& text, bool notify)> notice;
    std::function<void(const std::string&)> log;
    /// The window the consent dialog belongs to (the main window while it is shown), or
    /// null. A Wayland compositor places a dialog itself, centred on its parent; without one
    /// it may put it in a corner.
    std::function<wxWindow*()> parent;
    /// The consent dialog for request `id` is on screen (benchmarks, tests).
    std::function<void(const std::string& id)> on_consent_shown;
};

class RemoteAssistance : public wxEvtHandler {
  public:
    explicit RemoteAssistance(RemoteSetup setup);
    /// Declines an open question and ends a running session (the backend stops at once).
    ~RemoteAssistance() override;

    void on_event(const client::DeviceEvent& event);

    ConsentDialog* dialog() const { return dialog_.get(); }
    SessionBar* bar() const { return bar_.get(); }
    bool session_active() const { return runner_ != nullptr; }

  private:
    void show_next();
    void close_dialog();
    void answered(const std::string& id, bool allowed);
    void start_session(const client::ConsentRequest& request);
    void session_running(const std::string& session_id);
    void session_stopped();
    void session_finished(const client::SessionResult& result);
    void send_decline(const std::string& id);
    void expire(const std::vector<client::ConsentChange>& changes);
    wxString who(const std::string& id) const;

    RemoteSetup setup_;
    client::SteadyClock clock_;
    client::ConsentMachine machine_;
    wxTimer timer_;
    wxWeakRef<ConsentDialog> dialog_;
    std::string dialog_id_;
    std::unique_ptr<client::SessionRunner> runner_;
    int runner_serial_ = 0;
    int runner_serial_of_current_ = 0;
    /// Sessions over here whose runners still tell the server, by serial.
    std::map<int, std::unique_ptr<client::SessionRunner>> finishing_;
    std::string session_request_;
    std::string session_id_;
    std::string session_operator_;
    wxWeakRef<SessionBar> bar_;
    /// Set when the client closes: declines still being sent on the link's thread stop.
    std::shared_ptr<std::atomic<bool>> closing_ = std::make_shared<std::atomic<bool>>(false);
    AliveToken alive_;
};

}  // namespace helpline::gui
