#pragma once
// The wx application object: one client per user and brand (wxSingleInstanceChecker with
// its lock in the runtime folder; a second start asks the first, over InstanceChannel, to
// raise its window and exits 0), the translations, the profile in force, and the Client.

#include <wx/app.h>

#include <memory>

#include "client/core/brand.h"
#include "client/core/instance_channel.h"
#include "client/core/paths.h"

namespace helpline::gui {

class Client;

struct AppOptions {
    std::string language;  ///< forced UI language; empty: the system's
    std::string version;
};

class App : public wxApp {
  public:
    App(client::Brand brand, client::ClientPaths paths, AppOptions options);
    ~App() override;
    bool OnInit() override;
    int OnExit() override;

  private:
    client::Brand brand_;
    client::ClientPaths paths_;
    AppOptions options_;
    std::unique_ptr<Client> client_;
    std::unique_ptr<client::InstanceChannel> channel_;
};

/// Runs the GUI for an already verified brand; returns the exit code. When another
/// instance of the same brand runs for this user, raises its window and returns 0.
int run_gui(int argc, char** argv, client::Brand brand, AppOptions options);

/// Shows a fatal error in a dialog when a display is available (the message is always
/// printed on stderr too, by the caller).
void show_fatal_error(int argc, char** argv, const std::string& message);

}  // namespace helpline::gui
