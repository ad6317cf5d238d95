#include "client/gui/error_text.h"

#include <filesystem>

#include "client/core/backend_launcher.h"
#include "client/core/brand.h"
#include "client/core/relay_tunnel.h"
#include "client/core/server_endpoint.h"
#include "client/core/session_runner.h"
#include "client/gui/i18n.h"
#include "shared/stamp.h"

namespace helpline::gui {
namespace {

/// The program an X11 backend of the profile runs ("x11vnc"), for the sentences about it.
std::string x11_program(const std::vector<ProfileBackend>& backends) {
    for (const auto& b : backends)
        if ((b.when == "x11" || b.when == "any") && !b.argv.empty())
            return std::filesystem::path(b.argv.front()).filename().string();
    return "x11vnc";
}

/// The transport failures every request shares (net_error).
wxString network_text(const std::string& code) {
    if (code == client::net_error::kTls)
        return tr("The identity of the support server could not be verified, so no connection "
                  "was made.");
    if (code == client::net_error::kTimeout)
        return tr("The support server did not answer in time.");
    return tr("The support server cannot be reached right now.");
}

}  // namespace

wxString launch_problem_text(const Error& error, const std::vector<ProfileBackend>& backends) {
    const std::string program = x11_program(backends);
    if (error.code == client::launch_error::kWayland)
        // TRANSLATORS: {program} is a screen-sharing program such as x11vnc; "GNOME on Xorg" is
        // the name shown on the login screen of Ubuntu and Debian.
        return tr("This computer uses a Wayland desktop, and {program} can only share the screen "
                  "of an X11 (Xorg) session. Log out, choose \u201cGNOME on Xorg\u201d with the "
                  "gear button on the login screen, log in again and try once more.",
                  fmt::arg("program", program));
    if (error.code == client::launch_error::kNoDisplay)
        return tr("No graphical desktop was found, so there is no screen to share. Start the "
                  "client from inside your desktop session and try again.");
    if (error.code == client::launch_error::kNotInstalled)
        return tr("Screen sharing needs the program {program}, which is not installed on this "
                  "computer. Install the {program} package (or ask your administrator to) and "
                  "try again.",
                  fmt::arg("program", program));
    if (error.code == client::launch_error::kUnavailable)
        return tr("This desktop does not let programs share its screen for remote control (it "
                  "offers no remote desktop portal). Log in to a GNOME or KDE session, or an Xorg "
                  "session, and try again, or tell your support team.");
    if (error.code == client::launch_error::kNoBackend)
        return tr("The support profile of this client names no screen-sharing program for this "
                  "kind of desktop. Tell your support team.");
    return tr("The screen-sharing program could not be started. The log (see About) says why.");
}

wxString accept_problem_text(const Error& error) {
    if (error.code == client::session_error::kAcceptUnreachable)
        return tr("The support server could not be reached to tell it your answer.");
    if (error.code == client::session_error::kAcceptTooLate)
        return tr("The request was no longer open on the support server: it expired or was "
                  "withdrawn meanwhile.");
    if (error.code == client::session_error::kBadAnswer)
        return tr("The support server's answer could not be used.");
    return tr("The support server refused your answer.");
}

wxString tunnel_problem_text(const Error& error) {
    if (error.code == client::tunnel_error::kRefused)
        return tr("The support server refused the connection for this session.");
    if (error.code == client::tunnel_error::kBackend)
        return tr("The screen-sharing program on this computer did not accept the connection.");
    if (error.code == client::tunnel_error::kProtocol)
        return tr("The support server's answer could not be used.");
    return network_text(error.code);
}

wxString save_problem_text(const Error&) {
    return tr("It could not be written to this computer's disk. Check that the disk is not full, "
              "then try again.");
}

wxString stamp_problem_text(const Error& error) {
    if (error.code == stamp_error::kNotStamped)
        return tr("This copy of Helpline is not branded: it does not know which support team to "
                  "contact. Use the program your support team gives you.");
    if (error.code == stamp_error::kUntrustedKey)
        return tr("This copy of Helpline was signed by someone this build does not trust, so it "
                  "does not start. Download it again from your support team.");
    if (error.code == client::kBrandProfileInvalid)
        return tr("The support team's settings inside this copy of Helpline are not valid, so it "
                  "does not start. Tell your support team.");
    return tr("This copy of Helpline is damaged or was changed after it was signed, so it does "
              "not start. Download it again from your support team.");
}

}  // namespace helpline::gui
