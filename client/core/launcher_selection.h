#pragma once
// Which of the signed profile's backends runs for this session, and the messages that tell
// the customer what to do when none can (Wayland desktop, program not installed, no display).

#include <filesystem>
#include <string>
#include <vector>

#include "client/core/backend_launcher.h"
#include "shared/profile.h"
#include "shared/result.h"

namespace helpline::client {

struct ChosenBackend {
    const ProfileBackend* backend = nullptr;  ///< points into the list given to choose_backend
    std::filesystem::path executable;         ///< argv[0] resolved (absolute)
};

/// Whether a backend's `when` ("x11" | "wayland" | "windows" | "none" | "any": any Linux
/// session) covers `session`.
bool backend_matches(const ProfileBackend& backend, SessionType session);

/// The backends whose `when` matches `session` and whose argv[0] is installed (see
/// find_executable), in the profile's order: the launcher starts the first and falls back to
/// the next only when one says this desktop lacks what it needs (backend_exit::kUnavailable).
/// `display` is the X display to share; an X11 session needs one, and so does any backend
/// whose argv uses {display}. When none fits, the error says why (launch_error codes).
Result<std::vector<ChosenBackend>> choose_backends(
    const std::vector<ProfileBackend>& backends, SessionType session, const std::string& display,
    const std::vector<std::filesystem::path>& program_dirs = {});

/// Whether the desktop itself will ask the customer before sharing (a Wayland session with
/// a backend for it installed: the portal's dialog follows the client's). The consent texts
/// say so, so that the second question is expected rather than alarming.
bool desktop_asks_first(const std::vector<ProfileBackend>& backends, SessionType session,
                        const std::vector<std::filesystem::path>& program_dirs = {});

/// Where a client keeps its own backends (helpline-portal-vnc, helpline-vnc-auth):
/// `<folder of the running executable>/../libexec`. A brand's programs live in
/// <prefix>/lib/<id>/bin (the .deb: /usr, the .tar.gz: ~/.local), so each brand has its own
/// copies and two brands never ship one file.
std::vector<std::filesystem::path> own_backend_dirs();

}  // namespace helpline::client
