#pragma once
// Starting and stopping the remote-control backend (x11vnc) for one session: chosen
// from the signed profile's backends by session type and installed executables, bound to
// 127.0.0.1 on a free port, protected by a one-time password in a 0600 file, spawned with
// ChildProcess (argv from the profile, no shell, its own process group, no inherited fds).
// Platform code in backend_launcher_posix.cpp and backend_launcher_win32.cpp; Windows has
// no backend yet (choose_backends says so).

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "shared/profile.h"
#include "shared/result.h"

namespace helpline::client {

/// The desktop session the customer is in.
enum class SessionType { x11, wayland, none, windows };
/// From XDG_SESSION_TYPE, WAYLAND_DISPLAY and DISPLAY; always `windows` on Windows.
SessionType detect_session_type();
std::string_view to_string(SessionType t);

/// A running backend. Destroying it stops it (kills the process group, reaps, deletes
/// the password file).
class RunningBackend {
public:
    virtual ~RunningBackend() = default;
    virtual std::uint16_t port() const = 0;           ///< 127.0.0.1 port it listens on
    virtual const std::string& password() const = 0;  ///< the one-time VNC password
    virtual int pid() const = 0;
    virtual bool running() = 0;                       ///< false once the process exited
    /// Stops it now: SIGTERM to the group, SIGKILL after `grace`, reap, delete the file.
    virtual void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(1000)) = 0;
};

struct LaunchOptions {
    SessionType session = SessionType::x11;
    std::string display;                  ///< for {display}; from $DISPLAY when empty
    std::filesystem::path runtime_dir;    ///< where the password file goes (0700 folder)
    /// Until the port accepts. A backend that asks the desktop first (helpline-portal-vnc)
    /// listens only once the customer answered the desktop's dialog, so the session runner
    /// gives it until the request's deadline.
    std::chrono::milliseconds ready_timeout{10'000};
    /// Searched before $PATH for a backend named without a folder: the client's own
    /// backends (own_backend_dirs()), which a branded package installs privately.
    std::vector<std::filesystem::path> program_dirs;
    /// Polled while waiting: true stops the backend and ends the launch (launch.cancelled),
    /// e.g. the customer pressed End session while the desktop's dialog was open.
    std::function<bool()> cancelled;
};

/// Error codes. A frontend that words them itself (the GUI, translated) can tell the four
/// ways of having no backend apart.
namespace launch_error {
inline constexpr const char* kNoBackend = "launch.no_backend";  ///< the profile names none for this desktop
inline constexpr const char* kWayland = "launch.wayland";       ///< X11 backends only, a Wayland desktop
inline constexpr const char* kNoDisplay = "launch.no_display";  ///< no graphical desktop at all
inline constexpr const char* kNotInstalled = "launch.not_installed";  ///< the program is missing
inline constexpr const char* kSpawn = "launch.spawn";
inline constexpr const char* kNotReady = "launch.not_ready";    ///< exited early or never listened
/// The customer cancelled the desktop's own sharing dialog (backend_exit::kDeclinedOnDesktop).
inline constexpr const char* kDeclinedOnDesktop = "launch.declined_on_desktop";
/// Every installed backend said this desktop lacks what it needs (backend_exit::kUnavailable).
inline constexpr const char* kUnavailable = "launch.unavailable";
inline constexpr const char* kCancelled = "launch.cancelled";  ///< LaunchOptions::cancelled
}  // namespace launch_error

/// Starts the first backend whose `when` matches and whose argv[0] is installed; when it
/// exits saying this desktop lacks what it needs (backend_exit::kUnavailable), the next one.
/// Errors say what the customer can do ("This computer uses Wayland; …").
Result<std::unique_ptr<RunningBackend>> launch_backend(const std::vector<ProfileBackend>& backends,
                                                       const LaunchOptions& options);

/// The argv with placeholders filled in — only with these client-generated values.
std::vector<std::string> fill_placeholders(const std::vector<std::string>& argv, std::uint16_t port,
                                           const std::string& password_file, const std::string& display);

}  // namespace helpline::client
