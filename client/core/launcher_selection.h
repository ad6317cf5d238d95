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

/// Whether a backend's `when` ("x11" | "wayland" | "none" | "any") covers `session`.
bool backend_matches(const ProfileBackend& backend, SessionType session);

/// The first backend whose `when` matches `session` and whose argv[0] is installed (see
/// find_executable). `display` is the X display to share; an X11 session needs one, and so
/// does any backend whose argv uses {display}. Errors carry launch_error::kNoBackend.
Result<ChosenBackend> choose_backend(const std::vector<ProfileBackend>& backends,
                                     SessionType session, const std::string& display);

}  // namespace helpline::client
