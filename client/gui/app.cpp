#include "client/gui/app.h"

#include <wx/init.h>
#include <wx/msgdlg.h>
#include <wx/snglinst.h>

#include <cstdlib>
#include <iostream>

#include "client/core/profile_refresh.h"
#include "client/gui/client.h"
#include "client/gui/error_text.h"
#include "client/gui/i18n.h"
#include "client/gui/main_loop.h"
#include "client/gui/platform.h"

namespace helpline::gui {
namespace {

/// HELPLINE_TRACE_SHOWN=1: prints "shown <what> <CLOCK_MONOTONIC ns>" when the main window
/// and each consent dialog are on screen (bench/client_start, bench/consent_latency).
bool trace_shown() {
    const char* v = std::getenv("HELPLINE_TRACE_SHOWN");
    return v != nullptr && std::string(v) == "1";
}

void print_shown(const std::string& what) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::steady_clock::now().time_since_epoch())
                        .count();
    std::cout << "shown " << what << ' ' << ns << std::endl;
}

}  // namespace

App::App(client::Brand brand, client::ClientPaths paths, AppOptions options)
    : brand_(std::move(brand)), paths_(std::move(paths)), options_(std::move(options)) {}

App::~App() = default;

bool App::OnInit() {
    SetAppName("helpline");
    const std::string language = init_translations(options_.language);
    SetAppDisplayName(wxString::FromUTF8(brand_.profile.name.get(language)));

    // The profile in force: a cached signed update still valid for this stamp, else the stamp.
    std::vector<std::string> notes;
    const client::ProfileInForce in_force = client::profile_at_start(brand_, paths_, notes);
    client::apply_profile(brand_, in_force);

    ClientOptions options;
    options.language = language;
    options.client_version = options_.version;
    const bool trace = trace_shown();
    if (trace)
        options.on_consent_shown = [](const std::string& id) { print_shown("consent " + id); };
    client_ = std::make_unique<Client>(brand_, paths_, std::move(options));
    SetTopWindow(client_->frame());
    platform::set_program_icon(client_->frame());
    // Closing the main window quits, even while a consent dialog or the session bar is open:
    // the session then ends like on any exit.
    client_->frame()->Bind(wxEVT_CLOSE_WINDOW, [this](wxCloseEvent& event) {
        event.Skip();
        ExitMainLoop();
    });
    if (trace) {
        client_->frame()->Update();
        print_shown("main");
    }

    auto channel = client::InstanceChannel::listen(paths_.instance_channel(), [this, trace] {
        // The channel's thread: the raise happens on the main loop.
        CallAfter([this, trace] {
            if (!client_) return;
            client_->raise();
            if (trace) print_shown("raise");
        });
    });
    if (channel)
        channel_ = std::move(*channel);
    else
        std::cerr << "helpline: " << channel.error().message << '\n';

    // SIGTERM and Ctrl-C close the client like its window does: a session ends properly.
    platform::close_on_signals();
    return true;
}

int App::OnExit() {
    channel_.reset();
    client_.reset();  // ends a session, stops the workers
    return wxApp::OnExit();
}

int run_gui(int argc, char** argv, client::Brand brand, AppOptions options) {
    auto paths = client::ClientPaths::for_profile(brand.profile.id);
    if (!paths) {
        std::cerr << "helpline: " << paths.error().message << '\n';
        return 1;
    }
    // One client per user and brand. The lock lives in the runtime folder (owned by the
    // user, 0700; a mutex of the user's session on Windows); a second start hands over to
    // the first.
    wxSingleInstanceChecker checker;
    if (checker.Create(wxString::FromUTF8(platform::instance_lock_name(brand.profile.id)),
                       wxString::FromUTF8(paths->runtime.string())) &&
        checker.IsAnotherRunning()) {
        auto raised = client::InstanceChannel::send_raise(paths->instance_channel());
        if (!raised) {
            std::cerr << "helpline: already running, but it did not answer: "
                      << raised.error().message << '\n';
            return 1;
        }
        std::cout << "helpline: already running; its window was brought to the front.\n";
        return 0;
    }
    // wxApp::SetInstance takes ownership; wxEntry runs OnInit and the event loop.
    wxApp::SetInstance(new App(std::move(brand), std::move(*paths), std::move(options)));
    return wxEntry(argc, argv);
}

void show_fatal_error(int argc, char** argv, const Error& error, const std::string& language) {
    if (!platform::has_display()) return;
    wxApp::SetInstance(new wxApp());  // a GUI app object, so that the toolkit is initialised
    wxInitializer init(argc, argv);
    if (!init.IsOk()) return;
    wxTheApp->SetAppName("helpline");
    (void)init_translations(language);  // before any text of the dialog is made
    wxMessageDialog dialog(nullptr, stamp_problem_text(error), tr("Helpline cannot start"),
                           wxOK | wxICON_ERROR);
    dialog.ShowModal();
}

}  // namespace helpline::gui
