#pragma once
// A private headless GNOME Wayland desktop for the tests: tests/support/headless_gnome.sh
// (a session bus, pipewire, wireplumber, mutter --headless with one virtual monitor, a held
// keyboard and pointer, xdg-desktop-portal with its GNOME backend) in a process group of its
// own, and the means to run programs on it: the test window (wayland_test_window.c), the
// remote hand mutter_desktop.py (input, frames, the portal's dialog) and portal_probe.py.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/core/spawn.h"
#include "tests/support/fixtures.h"

namespace helpline::test {

/// How a program run to its end on the desktop ended.
struct DesktopRun {
    int status = -1;     ///< exit code, or 128 + signal; -1 when it had to be stopped (timeout)
    std::string output;  ///< stdout and stderr together
};

class HeadlessGnome {
  public:
    /// Starts the desktop with a monitor of `size` ("WIDTHxHEIGHT") and waits up to `timeout`
    /// for it to be ready (its environment file written). running() says whether it came
    /// up; log() holds what the script said (why not, when not).
    explicit HeadlessGnome(const std::string& size = "1280x800",
                           std::chrono::milliseconds timeout = std::chrono::seconds(60));
    /// Stops the desktop: SIGTERM to the script, which stops its components and removes
    /// its folder (up to 10 s), then SIGTERM and SIGKILL to whatever is left of the group.
    ~HeadlessGnome();
    HeadlessGnome(const HeadlessGnome&) = delete;
    HeadlessGnome& operator=(const HeadlessGnome&) = delete;

    bool running() const { return ready_; }
    std::string log() const;
    /// From the start until the environment file was there.
    std::chrono::milliseconds start_time() const { return start_time_; }
    /// The group of every process of the desktop (the script leads it).
    int process_group() const;
    /// What a program needs to run on the desktop, as "NAME=value" (DBUS_SESSION_BUS_ADDRESS,
    /// WAYLAND_DISPLAY, XDG_RUNTIME_DIR, PIPEWIRE_RUNTIME_DIR, XDG_SESSION_TYPE, ...).
    const std::vector<std::string>& environment() const { return environment_; }
    /// The value of one variable of environment(); empty when absent.
    std::string variable(const std::string& name) const;
    /// A folder of the test's for outputs; removed with this object.
    const std::filesystem::path& folder() const { return folder_.path(); }

    /// `argv` run by /usr/bin/env on the desktop: our environment without DISPLAY, plus
    /// environment(). Leading "NAME=value" items of `argv` set more variables.
    std::vector<std::string> in_session(const std::vector<std::string>& argv) const;
    /// Runs `argv` in_session() to its end, at most `timeout` (then its group is killed).
    DesktopRun run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) const;
    /// tests/support/mutter_desktop.py with `arguments`: keys, move, click, scroll, shot,
    /// pixels, answer-portal (see the script).
    DesktopRun desktop(const std::vector<std::string>& arguments,
                       std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;

    /// tests/support, where the scripts are.
    static std::filesystem::path support_dir();
    /// The built wayland_test_window; empty when GTK 3's headers were missing at configure.
    static std::filesystem::path test_window();

  private:
    friend class DesktopProgram;
    std::filesystem::path next_output(const std::string& stem) const;

    TempDir folder_;
    std::unique_ptr<client::ChildProcess> process_;
    std::vector<std::string> environment_;
    bool ready_ = false;
    std::chrono::milliseconds start_time_{0};
    mutable int outputs_ = 0;
};

/// A program started on the desktop that runs until it ends or is stopped; its stdout and
/// stderr go to a file that the test polls. Destroying it stops its process group.
class DesktopProgram {
  public:
    DesktopProgram(const HeadlessGnome& desktop, const std::vector<std::string>& argv);
    ~DesktopProgram();
    DesktopProgram(const DesktopProgram&) = delete;
    DesktopProgram& operator=(const DesktopProgram&) = delete;

    bool started() const { return process_ != nullptr; }
    /// Everything it printed so far.
    std::string output() const;
    /// Whether it printed the whole line `line` within `timeout`, after the first `from`
    /// bytes of its output (take output().size() before an action to see only its effect).
    bool wait_line(const std::string& line, std::chrono::milliseconds timeout,
                   std::size_t from = 0) const;
    /// The exit code (or 128 + signal) once it has ended.
    std::optional<int> exit_status();
    /// SIGTERM to its group, then SIGKILL after `grace`. Idempotent.
    void stop(std::chrono::milliseconds grace = std::chrono::seconds(2));

  private:
    std::filesystem::path output_;
    std::unique_ptr<client::ChildProcess> process_;
};

}  // namespace helpline::test
