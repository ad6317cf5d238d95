// helpline-cli listen, end to end: a stamped helpline-cli, the real helpline-server, and
// the customer's answers typed on a pseudo-terminal (or no terminal at all).

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/client/events/team_server.h"
#include "tests/client/events/terminal_session.h"
#include "tests/client/session/session_support.h"
#include "tests/client/submit/cli_fixture.h"

extern char** environ;

namespace helpline::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kFakeBackend = HELPLINE_FAKE_BACKEND;

const std::string kQuestion =
    "Allow Admin from Demo Support to see and control this computer? [y/N]";

bool installed(const std::string& program) {
    for (const char* dir : {"/usr/local/bin", "/usr/bin", "/bin"})
        if (::access((std::string(dir) + "/" + program).c_str(), X_OK) == 0) return true;
    return false;
}

/// Fails the test, saying what to install, when `program` is missing.
void require_installed(const std::string& program, const std::string& package) {
    if (!installed(program))
        FAIL(program << " is not installed, so this test cannot run: apt-get install -y " << package
                     << " (scripts/test installs it).");
}

/// A server, a stamped client that filed ticket `ticket`, and an operator who asked to connect.
struct Scene {
    TempDir data;
    ServerProcess server;
    StampedCli cli;
    std::string admin;
    std::int64_t ticket = 0;

    explicit Scene(std::vector<std::string> server_args = {})
        : server(kServerBin, data.path()),
          cli((server.start(std::move(server_args)), demo_profile(server.url()))) {
        auto filed = cli.run({"request", "--group", "helpdesk", "--email", "ana@acme.example",
                              "--description", "Please look at my screen"});
        INFO(filed.out << filed.err);
        REQUIRE(filed.exit_code == 0);
        ticket = queue_of(server).at(0).at("number").get<std::int64_t>();
        admin = admin_token(server);
    }
    std::string connect() { return connect_ticket(server, admin, ticket); }
    std::string state(const std::string& request) { return request_state(server, admin, request); }

    std::vector<std::string> environment(const std::string& display = {}) const {
        return cli.terminal_environment(display);
    }
};

}  // namespace

TEST_CASE("listen without a terminal declines the request and the server records the decline") {
    Scene scene;
    const auto request = scene.connect();
    const auto r = scene.cli.run({"listen", "--once"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 6);
    CHECK_THAT(r.out, Catch::Contains(
                          "Admin from Demo Support asks to see and control this computer (ticket " +
                          std::to_string(scene.ticket) + ")"));
    CHECK_THAT(r.out, Catch::Contains("Standard input is not a terminal, so nobody can answer."));
    CHECK_THAT(r.out, Catch::Contains("Declined the request from Admin."));
    CHECK(scene.state(request) == "declined");
}

TEST_CASE("listen --json without a terminal reports the request and the decline as JSON lines") {
    Scene scene;
    const auto request = scene.connect();
    const auto r = scene.cli.run({"listen", "--once", "--json"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 6);
    std::vector<nlohmann::json> lines;
    std::istringstream out(r.out);
    for (std::string line; std::getline(out, line);) lines.push_back(nlohmann::json::parse(line));
    const auto find = [&](const std::string& event) {
        for (const auto& l : lines)
            if (l.at("event") == event) return l;
        return nlohmann::json();
    };
    CHECK(find("listening").at("interactive") == false);
    CHECK(find("connection-request").at("id") == request);
    CHECK(find("connection-request").at("ticket_number") == scene.ticket);
    CHECK(find("declined").at("reason") == "non-interactive");
    CHECK(find("declined").at("sent") == true);
    CHECK_THAT(r.err, Catch::Contains("Declined the request from Admin."));
    CHECK(scene.state(request) == "declined");
}

TEST_CASE("listen in a terminal declines on a bare Enter: the default is no") {
    Scene scene;
    const auto request = scene.connect();
    TerminalSession terminal({scene.cli.binary().string(), "listen", "--once"},
                             scene.environment());
    REQUIRE(terminal.expect(kQuestion, seconds(20)));
    REQUIRE(terminal.expect(kCountdown, seconds(5)));
    terminal.type("\r");
    const auto code = terminal.wait_exit(seconds(20));
    INFO(terminal.output());
    REQUIRE(code.has_value());
    CHECK(*code == 6);
    CHECK_THAT(terminal.output(), Catch::Contains("Declined the request from Admin."));
    CHECK(scene.state(request) == "declined");
}

TEST_CASE("Ctrl-C at the question declines the request and stops listening") {
    Scene scene;
    const auto request = scene.connect();
    TerminalSession terminal({scene.cli.binary().string(), "listen"}, scene.environment());
    REQUIRE(terminal.expect(kCountdown, seconds(20)));
    terminal.type("\x03");
    const auto code = terminal.wait_exit(seconds(20));
    INFO(terminal.output());
    REQUIRE(code.has_value());
    CHECK(*code == 6);
    CHECK_THAT(terminal.output(), Catch::Contains("Interrupted."));
    CHECK_THAT(terminal.output(), Catch::Contains("Stopped listening."));
    CHECK(scene.state(request) == "declined");
}

TEST_CASE("a question nobody answers expires and nothing is sent to the server") {
    Scene scene({"--request-timeout", "3", "--sweep-interval-ms", "200"});
    const auto request = scene.connect();
    TerminalSession terminal({scene.cli.binary().string(), "listen", "--once"},
                             scene.environment());
    REQUIRE(terminal.expect(kCountdown, seconds(20)));
    const auto code = terminal.wait_exit(seconds(20));
    INFO(terminal.output());
    REQUIRE(code.has_value());
    CHECK(*code == 6);
    // The client gives up a second before the server; whichever notices first, the
    // request ends as expired, never declined: a timeout sends nothing.
    const auto out = terminal.output();
    CHECK((out.find("expired without an answer; nothing was sent") != std::string::npos ||
           out.find("has expired") != std::string::npos));
    CHECK(wait_for([&] { return scene.state(request) == "expired"; }, seconds(10)));
}

TEST_CASE("listen in a terminal: Allow starts the backend, accepts, relays, and Enter ends it") {
    // A real session needs a display and the backend: their absence is a failure that
    // says what to install, never a pass.
    require_installed("Xvfb", "xvfb");
    require_installed("x11vnc", "x11vnc");
    Xvfb x;
    Scene scene;
    const auto request = scene.connect();
    TerminalSession terminal({scene.cli.binary().string(), "listen", "--once"},
                             scene.environment(x.display()));
    REQUIRE(terminal.expect(kQuestion, seconds(20)));
    REQUIRE(terminal.expect(kCountdown, seconds(5)));
    allow_in_terminal(terminal);

    // x11vnc ran, the server accepted and the tunnel opened through the relay: the client
    // says the session runs only once its tunnel is open. A relay that refuses the tunnel
    // ends here with "could not be connected to the support server".
    const std::string running =
        "Admin can see and control this computer. Press Enter (or Ctrl-C) to end the session.";
    const bool relayed = wait_for(
        [&] {
            return terminal.count(running) > 0 ||
                   terminal.count("could not be connected to the support server") > 0 ||
                   terminal.wait_exit(milliseconds(0)).has_value();
        },
        seconds(30));
    INFO(terminal.output());
    REQUIRE(relayed);
    REQUIRE(terminal.count(running) == 1);
    CHECK(terminal.count("could not be connected") == 0);
    CHECK(scene.state(request) == "accepted");

    terminal.type("\r");
    const auto code = terminal.wait_exit(seconds(30));
    INFO(terminal.output());
    REQUIRE(code.has_value());
    CHECK(*code == 0);
    CHECK_THAT(terminal.output(), Catch::Contains("The session has ended."));
    CHECK(scene.state(request) == "ended");
    // The backend is gone with its password file, which lived in the runtime folder.
    CHECK(wait_for([&] { return processes_mentioning(scene.cli.xdg("runtime").string()).empty(); },
                   seconds(5)));
}

TEST_CASE("listen on Wayland: cancelling the desktop's own sharing dialog declines with that reason") {
    Scene scene;
    // The backend as helpline-portal-vnc behaves when the customer presses Cancel on the
    // desktop's dialog: it exits with 3 before it listens (client/core/backend_exit.h).
    auto profile = demo_profile(scene.server.url());
    profile["remote"]["backends"] = nlohmann::json::array(
        {{{"id", "portal"}, {"when", "wayland"}, {"argv", {kFakeBackend, "--exit", "3"}}}});
    scene.cli.restamp(profile);
    const auto request = scene.connect();
    auto environment = scene.environment();
    environment.push_back("XDG_SESSION_TYPE=wayland");
    TerminalSession terminal({scene.cli.binary().string(), "listen", "--once"}, environment);
    REQUIRE(terminal.expect(kQuestion, seconds(20)));
    REQUIRE(terminal.expect(kCountdown, seconds(5)));
    allow_in_terminal(terminal);
    // The customer was told beforehand that the desktop asks next, and afterwards what it meant.
    REQUIRE(terminal.expect("Your desktop may now ask whether to share the screen", seconds(10)));
    REQUIRE(terminal.expect("You cancelled the desktop's screen sharing dialog.", seconds(20)));
    CHECK(terminal.expect("Declined the request, so that Admin knows.", seconds(10)));
    CHECK(wait_for([&] { return scene.state(request) == "declined"; }, seconds(10)));
    CHECK(request_view(scene.server, scene.admin, request).value("decline_reason", "") ==
          "desktop_dialog");
}

}  // namespace helpline::test
