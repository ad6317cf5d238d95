#include "tests/support/wine.h"

#include <catch2/catch.hpp>

namespace helpline::test::wine {

std::string windows_path(const fs::path& path) {
    std::string text = "Z:" + fs::absolute(path).string();
    for (char& c : text)
        if (c == '/') c = '\\';
    return text;
}

WinePrefix::WinePrefix(From from) : prefix_(dir_ / "prefix") {
    fs::create_directories(dir_ / "home");
    if (from == From::template_prefix) {
        const fs::path source = HELPLINE_WINE_PREFIX;
        INFO("The template Wine prefix " << source.string()
                                         << " is not made: run the test wine.prefix first (ctest does).");
        REQUIRE(fs::exists(source / ".helpline-ready"));
        auto copied = run_program({"/bin/cp", "-a", "--reflink=auto", source.string(), prefix_.string()});
        INFO(copied.err);
        REQUIRE(copied.exit_code == 0);
        return;
    }
    auto r = command("wineboot", {"--init"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
}

WinePrefix::~WinePrefix() {
    run_program({"/usr/bin/env", "WINEPREFIX=" + prefix_.string(), "wineserver", "--kill"});
}

std::vector<std::string> WinePrefix::env(const std::vector<std::string>& extra) const {
    std::vector<std::string> e = {"-u",
                                  "DISPLAY",
                                  "WINEPREFIX=" + prefix_.string(),
                                  "WINEDEBUG=-all",
                                  "WINEDLLOVERRIDES=mscoree,mshtml=;winemenubuilder.exe=d",
                                  "NO_PROXY=127.0.0.1,localhost",
                                  "no_proxy=127.0.0.1,localhost",
                                  // UTF-8: Wine decodes the arguments and file names it is given
                                  // in the Linux locale's encoding.
                                  "LC_ALL=C.UTF-8",
                                  "HOME=" + (dir_ / "home").string()};
    e.insert(e.end(), extra.begin(), extra.end());
    return e;
}

ProgramResult WinePrefix::command(const std::string& program, const std::vector<std::string>& args,
                                  const std::vector<std::string>& extra_env,
                                  std::chrono::milliseconds timeout) const {
    // Each command its own output files: tests sharing a prefix run at the same time.
    const TempDir out_dir;
    const fs::path out = out_dir / "out.txt", err = out_dir / "err.txt";
    std::vector<std::string> argv = {"/usr/bin/env"};
    const auto settings = env(extra_env);
    argv.insert(argv.end(), settings.begin(), settings.end());
    argv.insert(argv.end(), {"sh", "-c", "out=$1 err=$2; shift 2; exec \"$@\" >\"$out\" 2>\"$err\"",
                             "sh", out.string(), err.string(), program});
    argv.insert(argv.end(), args.begin(), args.end());
    ProgramResult r = run_program(argv, {}, timeout);
    r.out = read_text(out);
    r.err += read_text(err);
    return r;
}

ProgramResult WinePrefix::run(const fs::path& exe, const std::vector<std::string>& args,
                              const std::vector<std::string>& extra_env,
                              std::chrono::milliseconds timeout) const {
    std::vector<std::string> argv = {exe.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    ProgramResult r = command("wine", argv, extra_env, timeout);
    std::erase(r.out, '\r');
    std::erase(r.err, '\r');
    return r;
}

std::unique_ptr<client::ChildProcess> WinePrefix::start(const fs::path& exe,
                                                        const std::vector<std::string>& args,
                                                        const std::vector<std::string>& extra_env,
                                                        const fs::path& output) const {
    client::SpawnOptions spawn;
    spawn.executable = "/usr/bin/env";
    spawn.argv = {"env"};
    for (const auto& setting : env(extra_env)) spawn.argv.push_back(setting);
    spawn.argv.insert(spawn.argv.end(), {"wine", exe.string()});
    spawn.argv.insert(spawn.argv.end(), args.begin(), args.end());
    spawn.output = output;
    auto process = client::ChildProcess::spawn(spawn);
    INFO((process ? "" : process.error().message));
    REQUIRE(process.ok());
    return std::move(*process);
}

std::vector<int> WinePrefix::processes_mentioning(const std::string& text) const {
    const std::string nul(1, '\0');
    const std::string ours = nul + "WINEPREFIX=" + prefix_.string() + nul;
    std::vector<int> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
        const std::string pid = entry.path().filename().string();
        if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
        const std::string status = read_text(entry.path() / "stat");
        const auto close = status.rfind(')');
        if (close == std::string::npos || close + 2 >= status.size() || status[close + 2] == 'Z') continue;
        if (read_text(entry.path() / "cmdline").find(text) == std::string::npos) continue;
        if ((nul + read_text(entry.path() / "environ")).find(ours) == std::string::npos) continue;
        found.push_back(std::stoi(pid));
    }
    return found;
}

fs::path WinePrefix::user_dir() const {
    for (const auto& entry : fs::directory_iterator(prefix_ / "drive_c" / "users"))
        if (entry.path().filename() != "Public") return entry.path();
    return {};
}

std::unique_ptr<client::ChildProcess> show_test_window(const WinePrefix& wine, const fs::path& window_exe,
                                                       const fs::path& events,
                                                       const std::vector<std::string>& extra_env) {
    if (window_exe.empty() || !fs::exists(window_exe))
        FAIL("The Win32 test window is not built (" << window_exe.string() << "): it needs mingw-w64's C "
             "compiler (apt-get install -y gcc-mingw-w64-x86-64-posix, as scripts/test does), then "
             "configure again");
    const fs::path output = events.string() + ".out";
    auto window = wine.start(window_exe, {windows_path(events)}, extra_env, output);
    const bool ready = wait_for(
        [&] { return read_text(events).find("ready\n") != std::string::npos || window->exited(); },
        std::chrono::seconds(60), std::chrono::milliseconds(50));
    INFO(read_text(output));
    REQUIRE(ready);
    REQUIRE_FALSE(window->exited());
    return window;
}

fs::path windows_program(const std::string& name) {
    const fs::path path = fs::path(HELPLINE_WINDOWS_BUILD_DIR) / name;
    INFO("The Windows build has no " << path.string()
                                     << ": run scripts/windows-build (scripts/test does).");
    REQUIRE(fs::is_regular_file(path));
    return path;
}

}  // namespace helpline::test::wine
