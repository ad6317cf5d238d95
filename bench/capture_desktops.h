#pragma once
// The two sides of bench/wayland_capture, each a desktop of 1280x800 showing
// bench/animated_window and shared as VNC on 127.0.0.1 with a one-time password, started
// the way the demo profile starts its backends:
//   - x11vnc on a private Xvfb (`x11vnc -display :N -localhost -rfbport P -passwdfile
//     rm:FILE -once -quiet`), the baseline;
//   - helpline-portal-vnc (`--port P --password-file FILE`) on a private headless GNOME
//     (tests/support/headless_gnome.sh: mutter, PipeWire, xdg-desktop-portal-gnome), whose
//     "Remote desktop" dialog is answered "Share" by tests/support/mutter_desktop.py.
// Every process is stopped with its object (the programs started here lead process groups of
// their own, and a group is stopped whole).

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace helpline::bench {

/// Where the programs are.
struct CapturePrograms {
    std::filesystem::path portal_vnc;       ///< helpline-portal-vnc
    std::filesystem::path animated_window;  ///< bench/animated_window
    std::filesystem::path support_dir;  ///< tests/support (headless_gnome.sh, mutter_desktop.py)
    std::vector<std::string> portal_extra;  ///< more arguments for helpline-portal-vnc
    std::string area;                       ///< animated_window --area, empty: the whole screen
};

/// One frame of animated_window's "frames N NS" report.
struct DrawnFrames {
    std::uint64_t frames = 0;
    std::int64_t at_ns = 0;
};

/// A desktop with the changing picture on it and the screen-sharing program under test.
class CaptureDesktop {
  public:
    virtual ~CaptureDesktop() = default;

    /// "x11vnc on Xvfb", "helpline-portal-vnc on mutter".
    virtual std::string label() const = 0;
    std::uint16_t port() const { return port_; }
    const std::string& password() const { return password_; }
    /// The screen-sharing program, then the processes whose CPU time the report shows
    /// beside it (the display server, the picture's program, ...), by role.
    virtual std::vector<std::pair<std::string, pid_t>> processes() const = 0;

    /// Stops or resumes the animation (SIGUSR2 to animated_window), so that the other
    /// side runs alone while it is measured.
    void set_animating(bool on);
    /// Switches the marker's colour (SIGUSR1); returns the switch's number (1, 2, ...).
    int switch_marker();
    /// When each marker switch was handed to the display server (CLOCK_MONOTONIC ns).
    std::map<int, std::int64_t> marker_times() const;
    /// The "frames N NS" reports so far.
    std::vector<DrawnFrames> drawn_frames() const;

  protected:
    std::uint16_t port_ = 0;
    std::string password_;
    pid_t animation_pid_ = -1;
    std::filesystem::path animation_output_;
    bool animating_ = true;
    int marker_switches_ = 0;
};

/// x11vnc on a private Xvfb. Throws std::runtime_error saying what did not start.
std::unique_ptr<CaptureDesktop> start_x11vnc_desktop(const CapturePrograms& programs,
                                                     const std::filesystem::path& folder);
/// helpline-portal-vnc on a private headless GNOME. Throws std::runtime_error.
std::unique_ptr<CaptureDesktop> start_portal_desktop(const CapturePrograms& programs,
                                                     const std::filesystem::path& folder);

}  // namespace helpline::bench
