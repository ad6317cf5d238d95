#pragma once
// What the Wayland tests share: where their screenshots go, waiting for a line of a program
// on the desktop, and (for the session tests) a profile whose Wayland backend is the
// helpline-portal-vnc of this build.

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/headless_gnome.h"

namespace helpline::test {

/// `<build>/screenshots/name`, the folder made.
inline std::filesystem::path screenshot(const std::string& name) {
    const std::filesystem::path dir = HELPLINE_SCREENSHOTS_DIR;
    std::filesystem::create_directories(dir);
    return dir / name;
}

/// Whether `program` printed `line` (after `from` bytes) within `timeout`; shows its output
/// when not.
inline bool printed(const DesktopProgram& program, const std::string& line,
                    std::chrono::milliseconds timeout, std::size_t from = 0) {
    if (program.wait_line(line, timeout, from)) return true;
    UNSCOPED_INFO("no line '" << line << "' in the output:\n" << program.output());
    return false;
}

#ifdef HELPLINE_PORTAL_VNC_BIN
inline const std::string kPortalVnc = HELPLINE_PORTAL_VNC_BIN;

/// The demo profile at `url` whose only backend is this build's helpline-portal-vnc.
inline nlohmann::json portal_profile(nlohmann::json profile) {
    profile["remote"]["backends"] = nlohmann::json::array(
        {{{"id", "portal"},
          {"when", "wayland"},
          {"argv", {kPortalVnc, "--port", "{port}", "--password-file", "{password_file}"}}}});
    return profile;
}
#endif

}  // namespace helpline::test
