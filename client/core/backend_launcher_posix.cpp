#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "client/core/backend_launcher.h"
#include "client/core/backend_launcher_platform.h"

namespace helpline::client {

SessionType detect_session_type() {
    const auto env = [](const char* name) {
        const char* value = std::getenv(name);
        return std::string(value != nullptr ? value : "");
    };
    const std::string type = env("XDG_SESSION_TYPE");
    if (type == "wayland") return SessionType::wayland;
    if (type == "x11") return SessionType::x11;
    // "tty" or unset (startx, ssh -X, no logind): judge by the displays we can reach. A
    // Wayland desktop also sets DISPLAY for XWayland, where x11vnc would see no screen.
    if (!env("WAYLAND_DISPLAY").empty()) return SessionType::wayland;
    if (!env("DISPLAY").empty()) return SessionType::x11;
    return SessionType::none;
}

namespace launcher_platform {

// mkostemp: 0600, O_EXCL.
Result<std::filesystem::path> write_password_file(const std::filesystem::path& dir,
                                                  std::string_view prefix,
                                                  std::string_view content) {
    std::string name = (dir / (std::string(prefix) + "XXXXXX")).string();
    const int fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd < 0)
        return make_error(launch_error::kSpawn,
                          fmt::format("Could not create the one-time password file in '{}': {}.",
                                      dir.string(), std::strerror(errno)),
                          dir.string());
    const bool written =
        ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
    ::close(fd);
    if (!written) {
        ::unlink(name.c_str());
        return make_error(launch_error::kSpawn,
                          fmt::format("Could not write the one-time password file '{}'.", name),
                          name);
    }
    return std::filesystem::path(name);
}

}  // namespace launcher_platform
}  // namespace helpline::client
