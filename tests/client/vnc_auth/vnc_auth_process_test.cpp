// The real helpline-vnc-auth executable in front of a stand-in backend
// (fake_vnc_server.cpp): its life from start to end — the password file, the private
// folder, 127.0.0.1 only, one viewer, the launcher's readiness probe, refusals, the end
// when the viewer leaves or a stop signal comes, and how it fails.

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "client/vnc_auth/socket_io.h"
#include "tests/client/session/session_support.h"
#include "tests/client/vnc_auth/rfb_tcp_viewer.h"
#include "tests/client/vnc_auth/vnc_auth_test_support.h"
#include "tests/support/fixtures.h"

using namespace helpline;
using namespace helpline::test;
using namespace std::chrono_literals;
using helpline::client::vnc_auth::Clock;
using helpline::client::vnc_auth::read_be32;

namespace {

constexpr const char* kPassword = "Secret12";

/// helpline-vnc-auth --port P --password-file F -- vnc_auth_fake_server --log EVENTS ARGS...
class WrapperRun {
  public:
    explicit WrapperRun(const std::vector<std::string>& fake_args = {},
                        const std::string& password = kPassword)
        : runtime_(temp_ / "run"), events_(temp_ / "events.log"), port_(free_loopback_port()) {
        fs::create_directory(runtime_);
        fs::permissions(runtime_, fs::perms::owner_all, fs::perm_options::replace);
        password_file_ = temp_ / "vnc-password";
        write_password_file(password_file_, password, ::geteuid(), ::getegid());
        std::vector<std::string> argv = {
            "/usr/bin/env",           "XDG_RUNTIME_DIR=" + runtime_.string(),
            HELPLINE_VNC_AUTH_BIN,    "--port",
            std::to_string(port_),    "--password-file",
            password_file_.string(),  "--",
            HELPLINE_FAKE_VNC_SERVER, "--log",
            events_.string()};
        argv.insert(argv.end(), fake_args.begin(), fake_args.end());
        started_ = start_process(argv, temp_ / "wrapper.log");
    }
    ~WrapperRun() { started_.process->stop(1s); }

    std::uint16_t port() const { return port_; }
    int pid() const { return started_.process->pid(); }  ///< also its process group
    /// As the client's launcher stops it: SIGTERM to its group, SIGKILL after `grace`.
    void stop_group(std::chrono::milliseconds grace) { started_.process->stop(grace); }
    const fs::path& runtime() const { return runtime_; }
    const fs::path& password_file() const { return password_file_; }
    std::string said() const { return started_.said(); }
    std::string events() const { return read_text(events_); }
    bool listening() const { return !listening_addresses(port_).empty(); }
    /// Its exit status once it has exited within `timeout`; -1 while it runs.
    int exit_within(std::chrono::milliseconds timeout) {
        if (!wait_for([&] { return started_.process->exited(); }, timeout, 2ms)) return -1;
        return started_.process->exit_status().value_or(-1);
    }
    /// The backend it started (the fake server: its socket lies in the runtime folder).
    std::vector<int> backend_pids() const { return processes_mentioning(runtime_.string() + "/"); }

  private:
    TempDir temp_;
    fs::path runtime_;
    fs::path events_;
    fs::path password_file_;
    std::uint16_t port_;
    Started started_;
};

/// A raw RFB connection: the exchange up to what the test wants to see.
std::string take(int fd, std::size_t count) {
    auto bytes = client::vnc_auth::read_exact(fd, count, Clock::now() + 5s);
    INFO((bytes ? "" : bytes.error().message));
    REQUIRE(bytes.ok());
    return *bytes;
}
void put(int fd, const std::string& bytes) {
    REQUIRE(client::vnc_auth::write_all(fd, bytes, Clock::now() + 5s).ok());
}

}  // namespace

TEST_CASE("helpline-vnc-auth serves one viewer that knows the password, on 127.0.0.1 only",
          "[vnc_auth][process]") {
    WrapperRun run;
    REQUIRE(wait_for([&] { return run.listening(); }, 10s));
    INFO(run.said());
    CHECK(listening_addresses(run.port()) == std::vector<std::string>{"0100007F"});
    CHECK_FALSE(fs::exists(run.password_file()));  // read, then deleted

    // The backend listens in a private folder: 0700, on a Unix socket, never on TCP.
    const auto dirs = private_dirs(run.runtime());
    REQUIRE(dirs.size() == 1);
    CHECK((fs::status(dirs[0]).permissions() & fs::perms::all) == fs::perms::owner_all);
    CHECK(fs::is_socket(dirs[0] / "vnc.sock"));
    REQUIRE(run.backend_pids().size() == 1);
    // It was probed with a whole handshake before the port opened (wayvnc 0.5 crashes on a
    // connection that closes earlier).
    CHECK(run.events() == "connect\nclosed\n");

    // The client's launcher probes the port (connect, close): that is not the one viewer.
    { RfbTcpViewer probe(run.port()); }
    // A wrong password is refused, and nothing reaches the backend.
    {
        RfbTcpViewer wrong(run.port());
        const RfbLogin login = wrong.login("Secret13");
        CHECK_FALSE(login.ok);
        CHECK(login.reason == "Authentication failed: wrong password.");
    }
    CHECK(run.events() == "connect\nclosed\n");

    RfbTcpViewer viewer(run.port());
    REQUIRE(viewer.login(kPassword).ok);
    put(viewer.fd(), "\x01");  // ClientInit, now the backend's
    const std::string init = take(viewer.fd(), 24);
    CHECK(init.substr(0, 4) == std::string("\x00\x04\x00\x02", 4));  // the fake's 4×2
    CHECK(take(viewer.fd(), read_be32(init, 20)) == "fake");
    put(viewer.fd(), "echo me");
    CHECK(take(viewer.fd(), 7) == "echo me");
    CHECK(run.events() == "connect\nclosed\nconnect\ninit\n");

    // A second viewer meanwhile is turned away with a reason.
    {
        RfbTcpViewer second(run.port());
        REQUIRE(second.connected());
        CHECK(take(second.fd(), 12) == "RFB 003.008\n");
        put(second.fd(), "RFB 003.008\n");
        CHECK(take(second.fd(), 1) == std::string(1, '\0'));  // no security types
        const std::string reason = take(second.fd(), read_be32(take(second.fd(), 4)));
        CHECK(reason.find("Another viewer is connected") != std::string::npos);
    }
    put(viewer.fd(), "still here");  // the first one's session goes on
    CHECK(take(viewer.fd(), 10) == "still here");

    // The viewer leaves: helpline-vnc-auth, its backend and its folder are gone within 2 s.
    const auto left = Clock::now();
    viewer.close();
    CHECK(run.exit_within(2s) == 0);
    CHECK(wait_for([&] { return run.backend_pids().empty(); }, 2s, 2ms));
    CHECK(Clock::now() - left < 2s);
    CHECK(private_dirs(run.runtime()).empty());
    CHECK(run.said().find("the viewer left") != std::string::npos);
}

TEST_CASE("a stop signal ends helpline-vnc-auth within the launcher's grace, backend and all",
          "[vnc_auth][process]") {
    SECTION("while waiting for a viewer") {
        WrapperRun run;
        REQUIRE(wait_for([&] { return run.listening(); }, 10s));
        const auto backend = run.backend_pids();
        REQUIRE(backend.size() == 1);
        REQUIRE(::kill(run.pid(), SIGTERM) == 0);  // the wrapper alone, not its group
        CHECK(run.exit_within(500ms) == 0);
        CHECK(process_dead(backend.front()));
        CHECK(private_dirs(run.runtime()).empty());
    }
    SECTION("during a session") {
        WrapperRun run;
        REQUIRE(wait_for([&] { return run.listening(); }, 10s));
        RfbTcpViewer viewer(run.port());
        REQUIRE(viewer.login(kPassword).ok);
        const auto backend = run.backend_pids();
        REQUIRE(backend.size() == 1);
        REQUIRE(::kill(run.pid(), SIGINT) == 0);
        CHECK(run.exit_within(500ms) == 0);
        CHECK(process_dead(backend.front()));
        CHECK(private_dirs(run.runtime()).empty());
        CHECK(wait_eof(viewer.fd(), 2s));  // the viewer sees the end
    }
}

TEST_CASE("the backend stays in helpline-vnc-auth's process group: the launcher's stop reaches "
          "it even when the wrapper was killed outright",
          "[vnc_auth][process]") {
    WrapperRun run;
    REQUIRE(wait_for([&] { return run.listening(); }, 10s));
    const auto backend = run.backend_pids();
    REQUIRE(backend.size() == 1);
    // Should it have left the group after all, it is not left running.
    struct Orphan {
        int pid;
        ~Orphan() {
            if (!process_dead(pid)) ::kill(pid, SIGKILL);
        }
    } orphan{backend.front()};
    CHECK(::getpgid(backend.front()) == run.pid());
    REQUIRE(::kill(run.pid(), SIGKILL) == 0);  // no chance to stop its backend itself
    REQUIRE(run.exit_within(2s) == 128 + SIGKILL);
    CHECK_FALSE(process_dead(backend.front()));
    run.stop_group(1s);
    CHECK(wait_for([&] { return process_dead(backend.front()); }, 2s, 2ms));
}

TEST_CASE("three wrong passwords end helpline-vnc-auth: nobody gets to keep guessing",
          "[vnc_auth][process]") {
    WrapperRun run;
    REQUIRE(wait_for([&] { return run.listening(); }, 10s));
    for (int i = 0; i < 3; ++i) {
        RfbTcpViewer wrong(run.port());
        CHECK_FALSE(wrong.login("guess" + std::to_string(i)).ok);
    }
    CHECK(run.exit_within(2s) == 1);
    CHECK(run.said().find("too many wrong passwords") != std::string::npos);
    CHECK(run.backend_pids().empty());
    CHECK(private_dirs(run.runtime()).empty());
}

TEST_CASE("a backend that cannot start fails helpline-vnc-auth with what the backend said",
          "[vnc_auth][process]") {
    WrapperRun run({"--fail", "no Wayland display to capture"});
    CHECK(run.exit_within(5s) == 1);
    const std::string said = run.said();
    CHECK(said.find("stopped before it was ready (exit status 3)") != std::string::npos);
    CHECK(said.find("no Wayland display to capture") != std::string::npos);
    CHECK_FALSE(run.listening());
    CHECK(private_dirs(run.runtime()).empty());
}

TEST_CASE("a backend with its own authentication is refused at start, saying what to change",
          "[vnc_auth][process]") {
    WrapperRun run({"--types", "19"});  // VeNCrypt only: wayvnc with enable_auth=true
    CHECK(run.exit_within(5s) == 1);
    const std::string said = run.said();
    CHECK(said.find("offers no connection without its own authentication") != std::string::npos);
    CHECK(said.find("enable_auth") != std::string::npos);
    CHECK_FALSE(run.listening());
    CHECK(run.backend_pids().empty());
    CHECK(private_dirs(run.runtime()).empty());
}

TEST_CASE("without a usable password file helpline-vnc-auth starts nothing and exits 2",
          "[vnc_auth][process]") {
    TempDir temp;
    const fs::path runtime = temp / "run";
    fs::create_directory(runtime);
    const fs::path file = temp / "vnc-password";
    write_text(file, "Secret12\n");
    ::chmod(file.c_str(), 0644);
    for (const fs::path& given : {temp / "missing", file}) {
        Started wrapper = start_process(
            {"/usr/bin/env", "XDG_RUNTIME_DIR=" + runtime.string(), HELPLINE_VNC_AUTH_BIN, "--port",
             "5999", "--password-file", given.string(), "--", HELPLINE_FAKE_VNC_SERVER},
            temp / "wrapper.log");
        REQUIRE(wait_for([&] { return wrapper.process->exited(); }, 5s));
        CHECK(wrapper.process->exit_status() == 2);
        const std::string said = wrapper.said();
        CHECK(said.find(given.string()) != std::string::npos);
        CHECK(said.find(given == file ? "mode 0644" : "cannot be opened") != std::string::npos);
        CHECK(private_dirs(runtime).empty());
    }
    CHECK_FALSE(fs::exists(file));  // ours, so deleted even though refused
}

TEST_CASE("a backend that is not installed: helpline-vnc-auth says what to install",
          "[vnc_auth][process]") {
    TempDir temp;
    const fs::path runtime = temp / "run";
    fs::create_directory(runtime);
    write_password_file(temp / "vnc-password", kPassword, ::geteuid(), ::getegid());
    Started wrapper =
        start_process({"/usr/bin/env", "XDG_RUNTIME_DIR=" + runtime.string(), HELPLINE_VNC_AUTH_BIN,
                       "--port", "5999", "--password-file", (temp / "vnc-password").string(), "--",
                       "helpline-no-such-vnc-server", "--unix-socket"},
                      temp / "wrapper.log");
    REQUIRE(wait_for([&] { return wrapper.process->exited(); }, 5s));
    CHECK(wrapper.process->exit_status() == 1);
    CHECK(wrapper.said().find("sudo apt install wayvnc") != std::string::npos);
    CHECK(private_dirs(runtime).empty());
}

TEST_CASE("helpline-vnc-auth's command line: what is required, and --help", "[vnc_auth][process]") {
    TempDir temp;
    Started no_command =
        start_process({HELPLINE_VNC_AUTH_BIN, "--port", "5999", "--password-file", "/nonexistent"},
                      temp / "a.log");
    REQUIRE(wait_for([&] { return no_command.process->exited(); }, 5s));
    CHECK(no_command.process->exit_status() == 2);
    CHECK(no_command.said().find("command is required") != std::string::npos);

    Started help = start_process({HELPLINE_VNC_AUTH_BIN, "--help"}, temp / "b.log");
    REQUIRE(wait_for([&] { return help.process->exited(); }, 5s));
    CHECK(help.process->exit_status() == 0);
    CHECK(help.said().find("--password-file") != std::string::npos);
}
