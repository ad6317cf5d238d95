#pragma once
// A headless sway (wlroots) for the tests: no GPU, no input devices, one 1280×800 output
// filled with one colour by swaybg. sway refuses to run as root, so when the tests run as
// root (CI) the desktop belongs to the system's unprivileged user `nobody` (setpriv from
// util-linux, always installed): sway, and everything the test runs on this desktop
// through as_user(), runs as nobody with a clean environment and a runtime folder of its own.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "client/core/spawn.h"

namespace helpline::test {

class HeadlessSway {
  public:
    /// Starts sway in `folder` (made readable for the desktop's user) and waits until its
    /// output HEADLESS-1 exists. running() says whether it came up; log() what sway said.
    HeadlessSway(const std::filesystem::path& folder, const std::string& background);
    ~HeadlessSway();
    HeadlessSway(const HeadlessSway&) = delete;
    HeadlessSway& operator=(const HeadlessSway&) = delete;

    bool running() const { return ready_; }
    std::string log() const;
    /// From the start until the output was there.
    std::chrono::milliseconds start_time() const { return start_time_; }
    const std::filesystem::path& runtime_dir() const { return runtime_dir_; }
    /// The Wayland socket's name in runtime_dir().
    const std::string& wayland_display() const { return wayland_display_; }
    /// The desktop user's uid (nobody's when the tests run as root, else ours).
    unsigned uid() const { return uid_; }
    unsigned gid() const { return gid_; }

    /// `argv` as the desktop's user, in its session: PATH, HOME and XDG_RUNTIME_DIR set to
    /// the runtime folder, WAYLAND_DISPLAY, SWAYSOCK; nothing else of the test's environment.
    std::vector<std::string> as_user(const std::vector<std::string>& argv) const;
    /// Makes `path` the desktop user's (when the tests run as root).
    void give(const std::filesystem::path& path) const;
    /// Runs `argv` as_user() to its end (at most `timeout`); what it printed.
    std::string run(const std::vector<std::string>& argv,
                    std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

  private:
    std::filesystem::path folder_;
    std::filesystem::path runtime_dir_;
    std::string wayland_display_;
    std::string sway_socket_;
    unsigned uid_ = 0;
    unsigned gid_ = 0;
    bool as_root_ = false;
    bool ready_ = false;
    std::chrono::milliseconds start_time_{0};
    std::unique_ptr<client::ChildProcess> process_;
};

}  // namespace helpline::test
