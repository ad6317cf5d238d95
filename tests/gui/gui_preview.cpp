// Shows one of the client's windows with sample data, for screenshots under Xvfb:
//   gui_preview main|main-offline|form|form-files|form-sent|form-queued|request|request-closed|
//               consent|session-bar|about [--lang LANG]
// It stays up until killed (the consent dialog's countdown is long enough for a shot).
#include <wx/app.h>
#include <wx/textctrl.h>
#include <wx/timer.h>
#include <wx/utils.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <fstream>
#include <iterator>
#include <string>

#include "client/core/brand.h"
#include "client/gui/about_dialog.h"
#include "client/gui/assistance_dialog.h"
#include "client/gui/consent_dialog.h"
#include "client/gui/error_text.h"
#include "client/gui/i18n.h"
#include "client/gui/main_frame.h"
#include "client/gui/request_page.h"
#include "client/gui/session_bar.h"
#include "shared/profile.h"
#include "tests/gui/conversation_samples.h"

namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The demo brand from the source tree (no stamp needed to look at windows).
helpline::client::Brand demo_brand() {
    helpline::client::Brand brand;
    const std::string dir = std::string(HELPLINE_SOURCE_DIR) + "/branding/profiles/demo/";
    (void)helpline::parse_profile_text(read_text(dir + "profile.json"), brand.profile);
    const std::string logo = read_text(dir + "logo.svg");
    brand.stamp.assets.push_back({"logo.svg", helpline::Bytes(logo.begin(), logo.end())});
    return brand;
}

std::string ago(std::chrono::seconds s) {
    return helpline::client::format_utc(std::chrono::system_clock::now() - s);
}

class PreviewApp : public wxApp {
  public:
    bool OnInit() override {
        std::string what = argc > 1 ? std::string(argv[1].utf8_str()) : "consent";
        std::string lang;
        for (int i = 2; i + 1 < argc; ++i)
            if (argv[i] == "--lang") lang = std::string(argv[i + 1].utf8_str());
        lang = helpline::gui::init_translations(lang);
        brand_ = demo_brand();
        if (what == "main") {
            auto* frame = new helpline::gui::MainFrame(brand_, lang);
            frame->set_link_status({helpline::client::LinkState::connected, {}});
            std::vector<helpline::client::MyRequest> tickets = {
                {1042, "open", "high", "helpdesk", "Ana Costa", "Printer on fire",
                 ago(std::chrono::minutes(72)), "", 2},
                {1031, "open", "medium", "billing", "", "", ago(std::chrono::minutes(14)), "", 0},
                {1007, "closed", "low", "helpdesk", "Bruno", "VPN drops every hour",
                 ago(std::chrono::hours(50)), ago(std::chrono::hours(47)), 0},
            };
            helpline::client::LoggedRequest logged;
            logged.result = "created";
            logged.number = 1031;
            logged.request = {
                {"description", "The invoice for November was charged twice.\nPlease check."}};
            helpline::client::OutboxEntry queued;
            queued.key = "3b1f0c56-8f5e-4c1e-9d0a-5d7f5e2b9a10";
            queued.created_at = ago(std::chrono::seconds(40));
            queued.body = {{"description", "Cannot open the shared folder"}};
            frame->set_requests(helpline::gui::request_rows(tickets, {logged}, {queued},
                                                            std::chrono::system_clock::now()));
            frame->Show();
            return true;
        }
        if (what == "main-offline") {
            // Offline, after a session that could not be connected: the words a customer reads
            // for an error code of the core.
            auto* frame = new helpline::gui::MainFrame(brand_, lang);
            frame->set_link_status({helpline::client::LinkState::offline, "not shown"});
            frame->set_notice(helpline::gui::tr(
                "The remote session could not be connected to the support server: {reason} The "
                "session has ended.",
                fmt::arg("reason", std::string(helpline::gui::tunnel_problem_text(
                                                   helpline::make_error("net.unreachable", ""))
                                                   .utf8_str()))));
            frame->Show();
            return true;
        }
        if (what == "form-sent") {
            auto* dialog = new helpline::gui::AssistanceDialog(
                nullptr, brand_.profile, lang, "ana@acme.example", [](const auto&, const auto&, const auto&) {});
            dialog->Show();
            dialog->saved("preview");
            dialog->delivered(1042);
            return true;
        }
        if (what == "form-queued") {
            auto* dialog = new helpline::gui::AssistanceDialog(
                nullptr, brand_.profile, lang, "ana@acme.example", [](const auto&, const auto&, const auto&) {});
            dialog->Show();
            dialog->saved("preview");
            dialog->queued();
            return true;
        }
        if (what == "form") {
            auto* dialog = new helpline::gui::AssistanceDialog(nullptr, brand_.profile, lang, "",
                                                               [](const auto&, const auto&, const auto&) {});
            helpline::client::TicketDraft draft;
            draft.email = "ana at acme";
            draft.group = "billing";
            dialog->fill(draft);
            dialog->Show();
            dialog->press_send();  // shows the per-field problems
            return true;
        }
        if (what == "form-files") {
            // A screenshot and a log attached, a file too big refused; shown once the
            // screenshot's thumbnail is made (on the picker's worker).
            auto* dialog = new helpline::gui::AssistanceDialog(
                nullptr, brand_.profile, lang, "ana@acme.example",
                [](const auto&, const auto&, const auto&) {});
            helpline::client::TicketDraft draft;
            draft.description = "The printer in room 4 prints blank pages since this morning.";
            dialog->fill(draft);
            const auto dir = samples_dir();
            const auto shot = helpline::gui::test::sample_screenshot(dir, "screenshot-2026-12-06-091204.png");
            const auto log = helpline::gui::test::sample_file(dir, "printer-log.txt", 14'200);
            const auto big = dir / "scan-of-the-manual.pdf";
            { std::ofstream(big).flush(); }
            std::filesystem::resize_file(big, 25u * 1024 * 1024);
            dialog->attachments()->add_files({shot, log, big});
            show_when([dialog] { return dialog->attachments()->has_thumbnail(0); }, dialog);
            return true;
        }
        if (what == "request" || what == "request-closed") {
            auto conversation = helpline::gui::test::sample_conversation(std::chrono::system_clock::now());
            if (what == "request-closed") conversation.status = "closed";
            helpline::gui::PickerSetup picker;
            picker.screenshot_dir = samples_dir();
            helpline::gui::RequestPageActions actions;
            actions.new_request = [] {};
            auto* page = new helpline::gui::RequestPage(1042, brand_.profile.name.get(lang),
                                                        std::move(actions), std::move(picker));
            page->set_status("open", "Ana Costa");
            page->show_conversation(conversation);
            page->set_status(conversation.status, what == "request" ? "Ana Costa" : "");
            const auto shot = helpline::gui::test::sample_screenshot(samples_dir());
            wxImage picture(wxString::FromUTF8(shot.string()));
            picture.Rescale(96, 60, wxIMAGE_QUALITY_HIGH);
            page->view()->set_thumbnail(7, wxBitmap(picture));
            if (what == "request") page->reply_box()->ChangeValue("Thank you, I will try it now.");
            page->Show();
            return true;
        }
        if (what == "about") {
            helpline::gui::AboutInfo about{"Demo Support",
                                           "0.1.0",
                                           "demo-support",
                                           1,
                                           "ac4b af92 cfe6 ccdc",
                                           "https://support.demo.example:8443",
                                           "/home/ana/.local/state/helpline/demo-support/client.log"};
            auto* dialog = new helpline::gui::AboutDialog(nullptr, about);
            dialog->Show();
            return true;
        }
        if (what == "session-bar") {
            auto* bar =
                new helpline::gui::SessionBar("Ana Costa", wxColour(0x0A, 0x6E, 0xD1), [] {});
            bar->Show();
            return true;
        }
        helpline::gui::ConsentInfo info;
        info.team = brand_.profile.name.get(lang);
        info.operator_name = "Ana Costa";
        info.ticket_number = 1042;
        info.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        auto* dialog =
            new helpline::gui::ConsentDialog(nullptr, info, [this](bool) { ExitMainLoop(); });
        dialog->Show();
        return true;
    }

  private:
    static std::filesystem::path samples_dir() {
        const auto dir = std::filesystem::temp_directory_path() /
                         ("helpline-preview-" + std::to_string(wxGetProcessId()));
        std::filesystem::create_directories(dir);
        return dir;
    }

    /// Shows `window` once `ready` holds (polled; at most 5 s).
    void show_when(std::function<bool()> ready, wxWindow* window) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        timer_.Bind(wxEVT_TIMER, [this, ready, window, deadline](wxTimerEvent&) {
            if (!ready() && std::chrono::steady_clock::now() < deadline) return;
            timer_.Stop();
            window->Show();
        });
        timer_.Start(20);
    }

    helpline::client::Brand brand_;
    wxTimer timer_;
};

}  // namespace

wxIMPLEMENT_APP(PreviewApp);
