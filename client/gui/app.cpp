#include "client/gui/app.h"

#include <wx/init.h>
#include <wx/msgdlg.h>

#include <cstdlib>

#include "client/gui/i18n.h"
#include "client/gui/main_frame.h"

namespace helpline::gui {

App::App(client::Brand brand, AppOptions options)
    : brand_(std::move(brand)), options_(std::move(options)) {}

bool App::OnInit() {
    SetAppName("helpline");
    options_.language = init_translations(options_.language);
    SetAppDisplayName(wxString::FromUTF8(brand_.profile.name.get(options_.language)));
    auto* frame = new MainFrame(brand_, options_.language);
    frame->Show();
    SetTopWindow(frame);
    return true;
}

int run_gui(int argc, char** argv, client::Brand brand, AppOptions options) {
    // wxApp::SetInstance takes ownership; wxEntry runs OnInit and the event loop.
    wxApp::SetInstance(new App(std::move(brand), std::move(options)));
    return wxEntry(argc, argv);
}

void show_fatal_error(int argc, char** argv, const std::string& message) {
    const auto set = [](const char* name) {
        const char* value = std::getenv(name);
        return value != nullptr && *value != '\0';
    };
    if (!set("DISPLAY") && !set("WAYLAND_DISPLAY")) return;
    wxApp::SetInstance(new wxApp());  // a GUI app object, so that GTK is initialised
    wxInitializer init(argc, argv);
    if (!init.IsOk()) return;
    wxMessageDialog dialog(nullptr, wxString::FromUTF8(message), "Helpline", wxOK | wxICON_ERROR);
    dialog.ShowModal();
}

}  // namespace helpline::gui
