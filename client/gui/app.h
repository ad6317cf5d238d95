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

/// Shows why the brand cannot be loaded in a dialog, in the customer's language (`language`:
/// --lang, empty for the system's), when a display is available. The caller prints the
/// English advice, with the technical detail, on stderr.
void show_fatal_error(int argc, char** argv, const Error& error, const std::string& language);

}  // namespace helpline::gui
