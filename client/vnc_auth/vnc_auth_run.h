#pragma once
// helpline-vnc-auth from start to end: take the one-time password, start the backend on a
// Unix socket in a private folder, listen on 127.0.0.1 only once the backend is ready,
// authenticate one viewer with VNC authentication, join it to the backend, and stop and
// clean everything up when it leaves or a stop signal comes.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace helpline::client::vnc_auth {

struct VncAuthOptions {
    std::uint16_t port = 0;                           ///< 127.0.0.1 port to listen on
    std::filesystem::path password_file;              ///< read, then deleted
    std::chrono::milliseconds ready_timeout{10'000};  ///< until the backend's socket accepts
    std::vector<std::string> command;                 ///< the backend; its socket path is appended
    /// For each viewer from connecting to the end of its authentication: a viewer that
    /// stalls cannot keep the door closed for long.
    std::chrono::milliseconds handshake_timeout{10'000};
    /// After this many wrong passwords nobody gets another try (the session ends).
    int max_wrong_passwords = 3;
    std::chrono::milliseconds stop_grace{1000};  ///< the backend's, SIGTERM to SIGKILL
};

/// Exit codes.
inline constexpr int kExitDone = 0;     ///< the viewer left, or a stop signal came
inline constexpr int kExitFailed = 1;   ///< the backend failed or exited; wrong passwords
inline constexpr int kExitRefused = 2;  ///< bad arguments or password file: nothing started

/// Runs it all; `stop_fd` readable means stop now (the signalfd). Progress and errors go
/// to `log`, one line each.
int run_vnc_auth(const VncAuthOptions& options, int stop_fd, std::ostream& log);

/// The name of the backend's socket inside the private folder.
inline constexpr const char* kSocketName = "vnc.sock";

}  // namespace helpline::client::vnc_auth
