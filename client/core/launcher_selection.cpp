#include "client/core/launcher_selection.h"

#include <fmt/format.h>

#include "client/core/self_exe.h"
#include "client/core/spawn.h"

namespace helpline::client {

namespace {

constexpr const char* kWhere = "remote.backends";

std::string program_name(const ProfileBackend& backend) {
    return std::filesystem::path(backend.argv.front()).filename().string();
}

bool uses_display(const ProfileBackend& backend) {
    for (const auto& arg : backend.argv)
        if (arg.find("{display}") != std::string::npos) return true;
    return false;
}

Error wayland_error(const std::vector<ProfileBackend>& backends) {
    // Name the X11 program the profile would have used, so the sentence is about this brand.
    std::string program = "x11vnc";
    for (const auto& b : backends)
        if (b.when == "x11" && !b.argv.empty()) {
            program = program_name(b);
            break;
        }
    return make_error(
        launch_error::kWayland,
        fmt::format("This computer uses a Wayland desktop; screen sharing through {} needs an X11 "
                    "session. Log out, choose 'GNOME on Xorg' (or another Xorg session) with the "
                    "gear button on the login screen, log in again and retry.",
                    program),
        kWhere);
}

Error no_display_error() {
    return make_error(launch_error::kNoDisplay,
                      "No graphical desktop was found (DISPLAY is not set), so there is no screen "
                      "to share. Start "
                      "the client from inside your desktop session and try again.",
                      kWhere);
}

Error not_installed_error(const std::vector<const ProfileBackend*>& candidates) {
    std::string programs;
    for (const auto* b : candidates) {
        const std::string name = program_name(*b);
        if (programs.find("'" + name + "'") != std::string::npos) continue;
        programs += (programs.empty() ? "'" : " or '") + name + "'";
    }
    const std::string first = program_name(*candidates.front());
    return make_error(
        launch_error::kNotInstalled,
        fmt::format("Screen sharing needs the program {}, which is not installed on this computer. "
                    "Install the {} package (for example: sudo apt install {}) and try again.",
                    programs, first, first),
        kWhere);
}

/// A profile made before Windows clients: its backends ("any" included) are Linux programs.
Error windows_error() {
    return make_error(launch_error::kNoBackend,
                      "Remote control is not available with this support profile on Windows: it "
                      "names no screen-sharing program for Windows. Tell your support team; they "
                      "can still help you through your requests and their replies.",
                      kWhere);
}

}  // namespace

bool backend_matches(const ProfileBackend& backend, SessionType session) {
    // "any" is any Linux session: the programs of such entries (x11vnc, wayvnc...) do not run
    // on Windows, which has its own.
    if (backend.when == "any") return session != SessionType::windows;
    return backend.when == to_string(session);
}

Result<std::vector<ChosenBackend>> choose_backends(
    const std::vector<ProfileBackend>& backends, SessionType session, const std::string& display,
    const std::vector<std::filesystem::path>& program_dirs) {
    std::vector<const ProfileBackend*> candidates;
    for (const auto& b : backends)
        if (!b.argv.empty() && backend_matches(b, session)) candidates.push_back(&b);

    if (candidates.empty()) {
        switch (session) {
            case SessionType::wayland:
                return wayland_error(backends);
            case SessionType::none:
                return no_display_error();
            case SessionType::windows:
                return windows_error();
            case SessionType::x11:
                break;
        }
        return make_error(
            launch_error::kNoBackend,
            fmt::format(
                "The support profile names no screen-sharing program for this kind of desktop "
                "({}). Tell your support team.",
                to_string(session)),
            kWhere);
    }
    std::vector<ChosenBackend> installed;
    bool lacks_display = false;
    for (const auto* b : candidates) {
        auto executable = find_executable(b->argv.front(), program_dirs);
        if (!executable) continue;
        if (display.empty() && (session == SessionType::x11 || uses_display(*b))) {
            lacks_display = true;
            continue;
        }
        installed.push_back(ChosenBackend{b, *executable});
    }
    if (!installed.empty()) return installed;
    if (lacks_display) return no_display_error();
    return not_installed_error(candidates);
}

bool desktop_asks_first(const std::vector<ProfileBackend>& backends, SessionType session,
                        const std::vector<std::filesystem::path>& program_dirs) {
    return session == SessionType::wayland &&
           choose_backends(backends, session, "", program_dirs).ok();
}

std::vector<std::filesystem::path> own_backend_dirs() {
    auto self = self_executable_path();
    if (!self) return {};
    return {self->parent_path().parent_path() / "libexec"};
}

}  // namespace helpline::client
