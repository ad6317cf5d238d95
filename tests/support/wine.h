#pragma once
// Windows programs run under Wine by the Linux tests: those of the cross-build
// (build/windows, scripts/windows-build; label "wine") and the installers helpline-brand
// makes (label "windows").
//
// A WinePrefix is a Windows user of the test's own (~700 MB, removed at scope end): made by
// wineboot (some seconds), or copied from the one made once by the fixture test wine.prefix
// (about a second). Tests cannot share one prefix and keep their client folders apart
// through %APPDATA% and %LOCALAPPDATA%: Wine sets those itself from the prefix's registry,
// whatever the Linux environment says.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "client/core/spawn.h"

#include "tests/support/fixtures.h"
#include "tests/support/server_process.h"

namespace helpline::test::wine {

namespace fs = std::filesystem;

/// `path` as a Windows program under Wine sees it: Z: is the Linux root.
std::string windows_path(const fs::path& path);

class WinePrefix {
  public:
    enum class From { wineboot, template_prefix };
    /// A prefix of the test's own, removed (its wineserver stopped) at scope end: made by
    /// wineboot, or copied from the template that the fixture test wine.prefix made
    /// (HELPLINE_WINE_PREFIX; the test fails, saying so, when it is missing).
    explicit WinePrefix(From from = From::wineboot);
    ~WinePrefix();
    WinePrefix(const WinePrefix&) = delete;
    WinePrefix& operator=(const WinePrefix&) = delete;

    /// `env(1)` settings every Windows program here runs with, then `extra`: the prefix, no
    /// Wine messages in what programs print, no offer to install Mono or Gecko, no menu
    /// entries in the real desktop's menu, no proxy for loopback, no DISPLAY unless `extra`
    /// sets one.
    std::vector<std::string> env(const std::vector<std::string>& extra = {}) const;

    /// `program args...` (wine, wineboot, a Linux tool such as `reg`...) with env(extra),
    /// waited for. Its output goes through files, not pipes: Wine's own background processes
    /// (wineserver, services.exe) outlive the command, and a pipe they inherited would not
    /// close until they end, seconds later.
    ProgramResult command(const std::string& program, const std::vector<std::string>& args,
                          const std::vector<std::string>& extra_env = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(90)) const;
    /// `wine exe args...`; the carriage returns of Windows line ends are dropped.
    ProgramResult run(const fs::path& exe, const std::vector<std::string>& args,
                      const std::vector<std::string>& extra_env = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(90)) const;

    /// `wine exe args...` in the background with env(extra), its output to `output`: a
    /// program that runs until stopped (a GUI, a test window). Stopped when the result is
    /// destroyed, and with the prefix's wineserver at the prefix's end.
    std::unique_ptr<client::ChildProcess> start(const fs::path& exe, const std::vector<std::string>& args,
                                                const std::vector<std::string>& extra_env,
                                                const fs::path& output) const;

    /// The live processes of this prefix (found by their WINEPREFIX) whose command line
    /// mentions `text`: other tests run the same programs in prefixes of their own.
    std::vector<int> processes_mentioning(const std::string& text) const;

    const fs::path& prefix() const { return prefix_; }
    /// drive_c/users/<the user>, the one folder there besides Public.
    fs::path user_dir() const;
    std::string user_name() const { return user_dir().filename().string(); }
    fs::path programs_dir() const { return user_dir() / "AppData" / "Local" / "Programs"; }
    fs::path start_menu_dir() const {
        return user_dir() / "AppData" / "Roaming" / "Microsoft" / "Windows" / "Start Menu" /
               "Programs";
    }

    /// The user's %LOCALAPPDATA% and %APPDATA%.
    fs::path local_app_data() const { return user_dir() / "AppData" / "Local"; }
    fs::path roaming_app_data() const { return user_dir() / "AppData" / "Roaming"; }

  private:
    TempDir dir_;  ///< the prefix and its HOME
    fs::path prefix_;
};

/// tests/client/win_vnc/test_window.c (`window_exe`: the Linux build's win_vnc_test_window.exe,
/// empty when it was not built) shown on `wine`'s desktop, recording its input in `events`:
/// once it has said "ready". Four colours at a known place: (40, 40), 320×240, red and green
/// above, blue and white below.
std::unique_ptr<client::ChildProcess> show_test_window(const WinePrefix& wine, const fs::path& window_exe,
                                                       const fs::path& events,
                                                       const std::vector<std::string>& extra_env);

/// The cross-built program `name` (e.g. "client/cli/helpline-cli.exe") of the Windows build
/// folder (HELPLINE_WINDOWS_BUILD_DIR); the test fails, saying to run scripts/windows-build,
/// when it is missing.
fs::path windows_program(const std::string& name);

}  // namespace helpline::test::wine
