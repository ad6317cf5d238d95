#pragma once
// One remote-control session from the backend's side, without anything of Windows' own: the
// first picture, then the VNC server on 127.0.0.1, then a loop that handles the viewer,
// captures the screen while a viewer watches (at most `max_fps` times a second, only the
// changed tiles sent) and turns its pointer and keys into input. It ends when the viewer that
// logged in leaves, when told to stop, or after three wrong passwords. main.cpp runs it on the
// Windows desktop; the tests run it with a painted picture and an input recorder.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "client/win_vnc/frame_source.h"
#include "client/win_vnc/input_event.h"

namespace helpline::win_vnc {

/// Exit statuses of helpline-win-vnc (docs/client.md). 4 is client/core/backend_exit.h's
/// kUnavailable: the launcher tries the profile's next backend.
namespace exit_status {
inline constexpr int kEnded = 0;        ///< the viewer left, or the program was told to stop
inline constexpr int kError = 1;        ///< the port, three wrong passwords: said on stderr
inline constexpr int kUsage = 2;        ///< bad arguments or password file
inline constexpr int kUnavailable = 4;  ///< this desktop cannot be read at all
}  // namespace exit_status

struct SessionOptions {
    std::uint16_t port = 0;
    std::string password;
    int max_fps = 30;
    bool verbose = false;
};

/// Runs the session until it ends (see above) and returns the exit status. `stop` is polled
/// at least every 50 ms. `log` receives lines for people (the backend's log).
int run_session(const SessionOptions& options, FrameSource& screen, InputSink& input,
                const std::atomic<bool>& stop, const std::function<void(const std::string&)>& log);

}  // namespace helpline::win_vnc
