// The backend launcher with a stand-in backend (session_fake_backend): choice by session
// type and installed program, argv verbatim (no shell), the one-time password file, the
// process group, descriptors and signals of the child, stopping, and no orphans.

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <optional>
#include <regex>
#include <set>

#include "client/core/backend_launcher.h"
#include "client/core/spawn.h"
#include "tests/client/session/session_support.h"
#include "tests/support/fixtures.h"

using namespace helpline;
using namespace helpline::client;
using namespace helpline::test;
using namespace std::chrono_literals;

namespace {

const fs::path kFake = HELPLINE_FAKE_BACKEND;

ProfileBackend fake_backend(std::vector<std::string> args, std::string when = "x11") {
    ProfileBackend b;
    b.id = "fake";
    b.when = std::move(when);
    b.argv = {kFake.string()};
    b.argv.insert(b.argv.end(), args.begin(), args.end());
    return b;
}

LaunchOptions options_in(const TempDir& temp) {
    LaunchOptions options;
    options.session = SessionType::x11;
    options.display = ":99";
    options.runtime_dir = temp / "run";
    options.ready_timeout = 10s;
    return options;
}

/// The argv a fake backend recorded with --record.
std::vector<std::string> recorded_argv(const fs::path& file) {
    REQUIRE(wait_for([&] { return fs::exists(file); }, 10s));
    const std::string text = read_text(file);
    std::vector<std::string> argv;
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\0') {
            argv.push_back(text.substr(start, i - start));
            start = i + 1;
        }
    return argv;
}

std::vector<fs::path> password_files(const fs::path& dir) {
    std::vector<fs::path> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.path().filename().string().rfind("vnc-password-", 0) == 0)
            found.push_back(entry.path());
    return found;
}


/// "pid pgid" as written by --pid.
std::pair<int, int> recorded_pid(const fs::path& file) {
    REQUIRE(wait_for([&] { return fs::exists(file); }, 10s));
    int pid = 0;
    int pgid = 0;
    std::sscanf(read_text(file).c_str(), "%d %d", &pid, &pgid);
    return {pid, pgid};
}

}  // namespace

TEST_CASE("the session type comes from XDG_SESSION_TYPE, then WAYLAND_DISPLAY, then DISPLAY",
          "[launcher]") {
    EnvGuard env;
    env.set("XDG_SESSION_TYPE", "wayland");
    env.set("WAYLAND_DISPLAY", std::nullopt);
    env.set("DISPLAY", ":0");  // XWayland's display does not make it an X11 session
    CHECK(detect_session_type() == SessionType::wayland);
    ::setenv("XDG_SESSION_TYPE", "x11", 1);
    CHECK(detect_session_type() == SessionType::x11);
    ::setenv("XDG_SESSION_TYPE", "tty", 1);
    CHECK(detect_session_type() == SessionType::x11);
    ::setenv("WAYLAND_DISPLAY", "wayland-0", 1);
    CHECK(detect_session_type() == SessionType::wayland);
    ::unsetenv("XDG_SESSION_TYPE");
    ::unsetenv("WAYLAND_DISPLAY");
    ::unsetenv("DISPLAY");
    CHECK(detect_session_type() == SessionType::none);
    CHECK(to_string(SessionType::x11) == "x11");
    CHECK(to_string(SessionType::wayland) == "wayland");
    CHECK(to_string(SessionType::none) == "none");
}

TEST_CASE("placeholders are filled only with the three client-generated values", "[launcher]") {
    const std::vector<std::string> argv = {"x11vnc",
                                           "-rfbport",
                                           "{port}",
                                           "rm:{password_file}",
                                           "{display}",
                                           "{relay_token}",
                                           "{session_id}",
                                           "{vnc_password}",
                                           "{port",
                                           "{{port}}",
                                           "a{display}b{port}c",
                                           "{PORT}",
                                           "{}",
                                           ""};
    const auto filled = fill_placeholders(argv, 5901, "/run/user/1000/helpline/pw", ":0");
    const std::vector<std::string> expected = {"x11vnc",       "-rfbport",
                                               "5901",         "rm:/run/user/1000/helpline/pw",
                                               ":0",           "{relay_token}",
                                               "{session_id}", "{vnc_password}",
                                               "{port",        "{5901}",
                                               "a:0b5901c",    "{PORT}",
                                               "{}",           ""};
    CHECK(filled == expected);

    // Values are inserted once and never scanned again.
    const auto nested =
        fill_placeholders({"{display}", "{password_file}"}, 1, "{port}", "{password_file}");
    CHECK(nested == std::vector<std::string>{"{password_file}", "{port}"});
}

TEST_CASE(
    "argv with hostile characters in client-generated values reaches the backend verbatim and no "
    "shell",
    "[launcher]") {
    TempDir temp;
    const std::string t = temp.path().string();
    // Had any shell seen these, it would have created a pwned* file in the temp folder.
    const fs::path runtime = t + "/x$(touch " + t + "/pwned1);touch " + t + "/pwned2 'q\"`touch " +
                             t + "/pwned3` & | > < \\ *";
    const std::string display =
        ":7 $(touch " + t + "/pwned4); touch " + t + "/pwned5 `touch " + t + "/pwned6`";
    const fs::path record = temp / "argv.bin";
    const std::vector<std::string> profile_args = {"--listen",
                                                   "{port}",
                                                   "--record",
                                                   record.string(),
                                                   "-display",
                                                   "{display}",
                                                   "-passwdfile",
                                                   "rm:{password_file}",
                                                   "$(touch " + t + "/pwned7)",
                                                   "; touch " + t + "/pwned8",
                                                   "{relay_token}",
                                                   "{session_id}",
                                                   "a{port}b",
                                                   "",
                                                   "two words",
                                                   "\n"};

    auto options = options_in(temp);
    options.runtime_dir = runtime;
    options.display = display;
    auto backend = launch_backend({fake_backend(profile_args)}, options);
    INFO((backend.ok() ? "" : backend.error().message));
    REQUIRE(backend.ok());

    const auto argv = recorded_argv(record);
    REQUIRE(argv.size() == profile_args.size() + 1);
    const std::string password_arg = argv[8];
    REQUIRE(password_arg.rfind("rm:" + runtime.string() + "/vnc-password-", 0) == 0);
    std::vector<std::string> expected = {kFake.string()};
    for (const auto& arg :
         fill_placeholders(profile_args, (*backend)->port(), password_arg.substr(3), display))
        expected.push_back(arg);
    CHECK(argv == expected);
    CHECK(argv[6] == display);
    CHECK(argv[11] == "{relay_token}");
    CHECK(argv[13] == "a" + std::to_string((*backend)->port()) + "b");

    (*backend)->stop();
    for (int i = 1; i <= 8; ++i) {
        INFO("pwned" << i);
        CHECK_FALSE(fs::exists(temp / ("pwned" + std::to_string(i))));
    }
}

TEST_CASE("the one-time password is 8 characters from [A-Za-z0-9] in a 0600 file that stop deletes",
          "[launcher]") {
    TempDir temp;
    const fs::path record = temp / "argv.bin";
    auto backend = launch_backend(
        {fake_backend({"--listen", "{port}", "--record", record.string(), "{password_file}"})},
        options_in(temp));
    REQUIRE(backend.ok());
    const std::string password = (*backend)->password();
    CHECK(std::regex_match(password, std::regex("[A-Za-z0-9]{8}")));

    struct stat dir_stat {};
    REQUIRE(::stat((temp / "run").c_str(), &dir_stat) == 0);
    CHECK((dir_stat.st_mode & 0777) == 0700);

    const fs::path file = recorded_argv(record).back();
    CHECK(file.parent_path() == temp / "run");
    struct stat file_stat {};
    REQUIRE(::stat(file.c_str(), &file_stat) == 0);
    CHECK((file_stat.st_mode & 0777) == 0600);
    CHECK(file_stat.st_uid == ::getuid());
    CHECK(read_text(file) == password + "\n");

    (*backend)->stop();
    CHECK_FALSE(fs::exists(file));
    CHECK(password_files(temp / "run").empty());
}

TEST_CASE(
    "the backend leads its own process group and inherits no descriptors, blocked or ignored "
    "signals",
    "[launcher]") {
    TempDir temp;
    // A descriptor without close-on-exec and odd signal settings in the client...
    const int leaky = ::open("/dev/null", O_RDONLY);
    REQUIRE(leaky >= 3);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction old_action {};
    ::sigaction(SIGUSR1, &ignore, &old_action);
    sigset_t block;
    sigset_t old_mask;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    ::pthread_sigmask(SIG_BLOCK, &block, &old_mask);

    auto backend = launch_backend(
        {fake_backend({"--pid", (temp / "pid").string(), "--fds", (temp / "fds").string(),
                       "--signals", (temp / "signals").string(), "--listen", "{port}"})},
        options_in(temp));
    ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    ::sigaction(SIGUSR1, &old_action, nullptr);
    ::close(leaky);
    REQUIRE(backend.ok());

    // ...do not reach the backend.
    const auto [pid, pgid] = recorded_pid(temp / "pid");
    CHECK(pid == (*backend)->pid());
    CHECK(pgid == pid);
    CHECK(pgid != ::getpgrp());
    REQUIRE(wait_for([&] { return fs::exists(temp / "fds") && fs::exists(temp / "signals"); }));
    CHECK(read_text(temp / "fds") == "0\n1\n2\n");
    // Hex masks, bit n-1 for signal n. glibc keeps its two internal signals (32, 33: thread
    // cancellation and setxid) out of reach of sigfillset, so those are masked out here.
    const std::string signals = read_text(temp / "signals");
    unsigned long long blocked = ~0ULL;
    unsigned long long ignored = ~0ULL;
    REQUIRE(std::sscanf(signals.c_str(), "SigBlk:\t%llx\nSigIgn:\t%llx", &blocked, &ignored) == 2);
    constexpr unsigned long long kGlibcInternal = (1ULL << 31) | (1ULL << 32);
    CHECK(blocked == 0);
    CHECK((ignored & ~kGlibcInternal) == 0);  // SIGUSR1 among others back to its default
    // Its output goes to the runtime folder's log, not to the client's terminal.
    CHECK(fs::exists(temp / "run" / "backend.log"));
}

TEST_CASE("a bare program name is looked up in PATH and never in the current folder",
          "[launcher]") {
    TempDir temp;
    EnvGuard env;
    env.set("PATH", "/nonexistent:" + kFake.parent_path().string());
    const fs::path record = temp / "argv.bin";
    auto bare = fake_backend({"--listen", "{port}", "--record", record.string()});
    bare.argv[0] = kFake.filename().string();
    auto backend = launch_backend({bare}, options_in(temp));
    INFO((backend.ok() ? "" : backend.error().message));
    REQUIRE(backend.ok());
    CHECK(recorded_argv(record).front() ==
          kFake.filename().string());  // argv[0] as the profile says
    (*backend)->stop();

    // A relative path is not resolved against wherever the client was started.
    auto relative = bare;
    relative.argv[0] = "./" + kFake.filename().string();
    ::setenv("PATH", "/nonexistent", 1);
    const auto missing = launch_backend({relative}, options_in(temp));
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == launch_error::kNotInstalled);
}

TEST_CASE("a bare program name is found in the client's own backend folder before PATH",
          "[launcher]") {
    TempDir temp;
    const fs::path own = temp / "libexec";
    fs::create_directories(own);
    fs::copy_file(kFake, own / "helpline-portal-vnc");
    const fs::path record = temp / "argv.bin";
    ProfileBackend bare{"portal", "wayland",
                        {"helpline-portal-vnc", "--listen", "{port}", "--record", record.string()}};
    auto options = options_in(temp);
    options.session = SessionType::wayland;
    EnvGuard env;
    env.set("PATH", "/nonexistent");
    const auto missing = launch_backend({bare}, options);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == launch_error::kNotInstalled);
    options.program_dirs = {own};
    auto backend = launch_backend({bare}, options);
    REQUIRE(backend.ok());
    CHECK(recorded_argv(record).front() == "helpline-portal-vnc");
    (*backend)->stop();
}

TEST_CASE("the first backend whose when matches and whose program is installed is started",
          "[launcher]") {
    TempDir temp;
    const fs::path record = temp / "argv.bin";
    ProfileBackend missing;
    missing.id = "missing";
    missing.when = "x11";
    missing.argv = {"/nonexistent/helpline-no-such-vnc", "{port}"};
    const auto wayland_only =
        fake_backend({"--listen", "{port}", "--record", record.string(), "wayland"}, "wayland");
    const auto any =
        fake_backend({"--listen", "{port}", "--record", record.string(), "any"}, "any");
    auto backend = launch_backend({missing, wayland_only, any}, options_in(temp));
    REQUIRE(backend.ok());
    CHECK(recorded_argv(record).back() == "any");
}

TEST_CASE("a Wayland session with only X11 backends explains how to switch to Xorg", "[launcher]") {
    TempDir temp;
    ProfileBackend x11vnc{
        "x11vnc", "x11", {"x11vnc", "-display", "{display}", "-rfbport", "{port}"}};
    auto options = options_in(temp);
    options.session = SessionType::wayland;
    const auto result = launch_backend({x11vnc}, options);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == launch_error::kWayland);
    CHECK_THAT(result.error().message, Catch::Contains("Wayland desktop") &&
                                           Catch::Contains("x11vnc") &&
                                           Catch::Contains("GNOME on Xorg"));
    CHECK_FALSE(fs::exists(temp / "run"));  // nothing was prepared
}

TEST_CASE("a backend whose program is not installed names the package to install", "[launcher]") {
    TempDir temp;
    EnvGuard env;
    env.set("PATH", (temp / "empty").string());
    ProfileBackend x11vnc{
        "x11vnc", "x11", {"x11vnc", "-display", "{display}", "-rfbport", "{port}"}};
    const auto result = launch_backend({x11vnc}, options_in(temp));
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == launch_error::kNotInstalled);
    CHECK_THAT(result.error().message,
               Catch::Contains("'x11vnc'") && Catch::Contains("not installed") &&
                   Catch::Contains("install the x11vnc package", Catch::CaseSensitive::No));
}

TEST_CASE("without a display there is no screen to share", "[launcher]") {
    TempDir temp;
    EnvGuard env;
    env.set("DISPLAY", std::nullopt);
    auto options = options_in(temp);
    options.display.clear();
    const auto x11 = launch_backend({fake_backend({"--listen", "{port}"})}, options);
    REQUIRE_FALSE(x11.ok());
    CHECK(x11.error().code == launch_error::kNoDisplay);
    CHECK_THAT(x11.error().message, Catch::Contains("DISPLAY"));

    options.session = SessionType::none;
    const auto none = launch_backend({fake_backend({"--listen", "{port}"})}, options);
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().code == launch_error::kNoDisplay);
    CHECK_THAT(none.error().message, Catch::Contains("No graphical desktop"));

    // A backend made for sessions without a display (when: none, no {display}) still runs.
    auto headless = launch_backend({fake_backend({"--listen", "{port}"}, "none")}, options);
    CHECK(headless.ok());
}

TEST_CASE("a backend that exits before listening fails fast with what it printed", "[launcher]") {
    TempDir temp;
    auto options = options_in(temp);
    options.ready_timeout = 30s;
    const auto started = std::chrono::steady_clock::now();
    const auto result = launch_backend({fake_backend({"--exit", "7"})}, options);
    CHECK(std::chrono::steady_clock::now() - started < 5s);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == launch_error::kNotReady);
    CHECK_THAT(result.error().message,
               Catch::Contains("exit status 7") && Catch::Contains("exiting with 7 as asked"));
    CHECK(password_files(temp / "run").empty());
}

TEST_CASE("a backend exiting 3 before it listens means the customer cancelled the desktop's dialog",
          "[launcher]") {
    TempDir temp;
    auto options = options_in(temp);
    options.ready_timeout = 30s;
    const auto result = launch_backend({fake_backend({"--exit", "3"})}, options);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == launch_error::kDeclinedOnDesktop);
    CHECK_THAT(result.error().message, Catch::Contains("sharing dialog"));
    CHECK(password_files(temp / "run").empty());
}

TEST_CASE("a backend exiting 4 (this desktop lacks what it needs) gives way to the next one",
          "[launcher]") {
    TempDir temp;
    const fs::path record = temp / "argv.bin";
    auto options = options_in(temp);
    options.session = SessionType::wayland;
    const auto portal = fake_backend({"--exit", "4"}, "wayland");
    const auto wrapped =
        fake_backend({"--listen", "{port}", "--record", record.string(), "second"}, "wayland");
    auto backend = launch_backend({portal, wrapped}, options);
    REQUIRE(backend.ok());
    CHECK(recorded_argv(record).back() == "second");
    (*backend)->stop();

    // When every one of them says so, the customer hears that this desktop cannot share.
    const auto none = launch_backend({portal, portal}, options);
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().code == launch_error::kUnavailable);
    CHECK_THAT(none.error().message, Catch::Contains("works on this desktop") &&
                                         Catch::Contains("exiting with 4 as asked"));
    // A failure of another kind is not a reason to try something else.
    const auto broken = launch_backend({fake_backend({"--exit", "1"}, "wayland"), wrapped}, options);
    REQUIRE_FALSE(broken.ok());
    CHECK(broken.error().code == launch_error::kNotReady);
}

TEST_CASE("a launch cancelled while the backend waits (the desktop's dialog is open) stops it",
          "[launcher]") {
    TempDir temp;
    const fs::path pid_file = temp / "pid";
    auto options = options_in(temp);
    options.ready_timeout = 60s;
    const auto started = std::chrono::steady_clock::now();
    options.cancelled = [&] {
        return fs::exists(pid_file) && std::chrono::steady_clock::now() - started > 300ms;
    };
    const auto result = launch_backend({fake_backend({"--pid", pid_file.string()})}, options);
    CHECK(std::chrono::steady_clock::now() - started < 5s);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == launch_error::kCancelled);
    const int pid = std::stoi(read_text(pid_file));
    CHECK(wait_for([&] { return ::kill(pid, 0) != 0; }, 2s));
    CHECK(password_files(temp / "run").empty());
}

TEST_CASE("a backend that never listens is stopped after the ready timeout", "[launcher]") {
    TempDir temp;
    auto options = options_in(temp);
    options.ready_timeout = 300ms;
    const auto result = launch_backend({fake_backend({"--pid", (temp / "pid").string()})}, options);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == launch_error::kNotReady);
    CHECK_THAT(result.error().message, Catch::Contains("did not start listening"));
    const auto [pid, pgid] = recorded_pid(temp / "pid");
    CHECK(process_dead(pid));
    CHECK(group_gone(pgid));
    CHECK(password_files(temp / "run").empty());
}

TEST_CASE("stop ends the whole process group, with SIGKILL after the grace when SIGTERM is ignored",
          "[launcher]") {
    TempDir temp;
    // Orphaned grandchildren come to this process (not to init), so they can be reaped here.
    REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
    auto backend = launch_backend({fake_backend({"--ignore-term", "--fork-child",
                                                 (temp / "child").string(), "--listen", "{port}"})},
                                  options_in(temp));
    REQUIRE(backend.ok());
    REQUIRE(wait_for([&] { return fs::exists(temp / "child"); }));
    const int grandchild = std::stoi(read_text(temp / "child"));
    const int pgid = (*backend)->pid();
    CHECK(::getpgid(grandchild) == pgid);
    CHECK((*backend)->running());

    const auto started = std::chrono::steady_clock::now();
    (*backend)->stop(200ms);
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK(took >= 200ms);  // SIGTERM was ignored: the grace ran out
    CHECK(took < 5s);
    CHECK_FALSE((*backend)->running());
    CHECK(process_dead(pgid));
    CHECK(wait_for([&] { return process_dead(grandchild); }, 5s));
    CHECK(wait_for([&] { return ::waitpid(grandchild, nullptr, WNOHANG) == grandchild; }, 5s));
    CHECK(group_gone(pgid));
    (*backend)->stop();  // idempotent
}

TEST_CASE("without its own process group a child stays in ours and stop signals only it",
          "[launcher][spawn]") {
    // helpline-vnc-auth starts wayvnc so: the launcher's group kill must reach wayvnc, and
    // the wrapper's stop must not signal the group it shares with its own parent.
    TempDir temp;
    REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);  // the orphaned grandchild comes here
    SpawnOptions options;
    options.executable = kFake;
    // The grandchild is forked before SIGTERM is ignored, so a SIGTERM to the group would
    // end it; the pid file is written last, once SIGTERM is ignored.
    options.argv = {kFake.string(), "--fork-child", (temp / "child").string(), "--ignore-term",
                    "--pid", (temp / "pid").string()};
    options.output = temp / "output.log";
    options.own_process_group = false;
    auto child = ChildProcess::spawn(options);
    REQUIRE(child.ok());
    const auto [pid, pgid] = recorded_pid(temp / "pid");
    const int grandchild = std::stoi(read_text(temp / "child"));
    // The grandchild pauses forever: ended here whatever the checks find (once the child is
    // reaped, the grandchild is ours).
    struct Cleanup {
        ChildProcess& child;
        int grandchild;
        ~Cleanup() {
            child.stop(0ms);
            ::kill(grandchild, SIGKILL);
            ::waitpid(grandchild, nullptr, 0);
        }
    } cleanup{**child, grandchild};

    CHECK(pid == (*child)->pid());
    CHECK(pgid == ::getpgrp());
    CHECK(::getpgid(grandchild) == ::getpgrp());

    const auto started = std::chrono::steady_clock::now();
    (*child)->stop(200ms);
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK(took >= 200ms);  // SIGTERM was ignored: SIGKILL after the grace
    CHECK(took < 5s);
    CHECK((*child)->exit_status() == 128 + SIGKILL);
    CHECK(process_dead(pid));
    // Neither signal went to the group: the grandchild in it lives on (and so do we).
    CHECK_FALSE(process_dead(grandchild));
    (*child)->stop(200ms);  // idempotent
}

TEST_CASE("a backend that honours SIGTERM stops without waiting for the grace", "[launcher]") {
    TempDir temp;
    auto backend = launch_backend({fake_backend({"--listen", "{port}"})}, options_in(temp));
    REQUIRE(backend.ok());
    const int pgid = (*backend)->pid();
    const auto started = std::chrono::steady_clock::now();
    (*backend)->stop(10s);
    CHECK(std::chrono::steady_clock::now() - started < 5s);
    CHECK(group_gone(pgid));
}

TEST_CASE("running turns false when the backend exits on its own, and destroying it cleans up",
          "[launcher]") {
    TempDir temp;
    auto backend = launch_backend({fake_backend({"--listen", "{port}"})}, options_in(temp));
    REQUIRE(backend.ok());
    const int pid = (*backend)->pid();
    CHECK((*backend)->running());
    ::kill(pid, SIGKILL);
    CHECK(wait_for([&] { return !(*backend)->running(); }));

    auto second = launch_backend({fake_backend({"--listen", "{port}"})}, options_in(temp));
    REQUIRE(second.ok());
    const int second_pid = (*second)->pid();
    second.value().reset();
    CHECK(group_gone(second_pid));
    backend.value().reset();  // the first one's file stays until it is stopped
    CHECK(password_files(temp / "run").empty());
}

TEST_CASE("100 start and stop cycles leave no process behind", "[launcher]") {
    TempDir temp;
    std::set<int> groups;
    std::set<std::string> passwords;
    std::set<std::uint16_t> ports;
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 100; ++i) {
        auto backend = launch_backend({fake_backend({"--listen", "{port}"})}, options_in(temp));
        REQUIRE(backend.ok());
        groups.insert((*backend)->pid());
        passwords.insert((*backend)->password());
        ports.insert((*backend)->port());
        (*backend)->stop();
        REQUIRE(std::chrono::steady_clock::now() - started < 60s);
    }
    CHECK(groups.size() == 100);
    CHECK(passwords.size() == 100);  // fresh every time
    CHECK(ports.size() > 1);
    const int self = ::getpid();
    for (const auto& p : list_processes()) {
        INFO("pid " << p.pid << " ppid " << p.ppid << " pgid " << p.pgid << " state " << p.state);
        CHECK(p.ppid != self);
        CHECK(groups.count(p.pgid) == 0);
    }
    CHECK(password_files(temp / "run").empty());
}
