// Shows one of the client's windows with sample data, for screenshots under Xvfb:
//   gui_preview consent|session-bar|about [--lang LANG]
// It stays up until killed (the consent dialog's countdown is long enough for a shot).
#include <wx/app.h>

#include <chrono>
#include <string>

#include "client/gui/about_dialog.h"
#include "client/gui/consent_dialog.h"
#include "client/gui/i18n.h"
#include "client/gui/session_bar.h"

namespace {

class PreviewApp : public wxApp {
public:
    bool OnInit() override {
        std::string what = argc > 1 ? std::string(argv[1].utf8_str()) : "consent";
        std::string lang;
        for (int i = 2; i + 1 < argc; ++i)
            if (argv[i] == "--lang") lang = std::string(argv[i + 1].utf8_str());
        helpline::gui::init_translations(lang);
        if (what == "about") {
            helpline::gui::AboutInfo about{"Demo Support", "0.1.0", "demo-support", 1, "ac4b af92 cfe6 ccdc",
                                           "https://support.demo.example:8443",
                                           "/home/ana/.local/state/helpline/demo-support"};
            auto* dialog = new helpline::gui::AboutDialog(nullptr, about);
            dialog->Show();
            return true;
        }
        if (what == "session-bar") {
            auto* bar = new helpline::gui::SessionBar("Ana Costa", wxColour(0x0A, 0x6E, 0xD1), [] {});
            bar->Show();
            return true;
        }
        helpline::gui::ConsentInfo info;
        info.team = "Demo Support";
        info.operator_name = "Ana Costa";
        info.ticket_number = 1042;
        info.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        auto* dialog = new helpline::gui::ConsentDialog(nullptr, info, [this](bool) { ExitMainLoop(); });
        dialog->Show();
        return true;
    }
};

}  // namespace

wxIMPLEMENT_APP(PreviewApp);
