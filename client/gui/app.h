#pragma once
// The wx application object: owns the brand and opens the main window.

#include <wx/app.h>

#include "client/core/brand.h"

namespace helpline::gui {

struct AppOptions {
    std::string language;  ///< forced UI language; empty: the system's
};

class App : public wxApp {
public:
    App(client::Brand brand, AppOptions options);
    bool OnInit() override;

private:
    client::Brand brand_;
    AppOptions options_;
};

/// Runs the GUI event loop for an already verified brand; returns the exit code.
int run_gui(int argc, char** argv, client::Brand brand, AppOptions options);

/// Shows a fatal error in a dialog when a display is available (the message is always
/// printed on stderr too, by the caller).
void show_fatal_error(int argc, char** argv, const std::string& message);

}  // namespace helpline::gui
