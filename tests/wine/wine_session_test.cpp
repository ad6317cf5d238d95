// A remote session with the Windows client, end to end under Wine on a private Xvfb: the
// stamped helpline-cli.exe files a ticket against the real Linux server, `listen` runs on a
// pseudo-terminal as a customer's console would, the operator asks to connect, the customer
// answers y; the client starts helpline-win-vnc.exe from its own libexec folder (127.0.0.1,
// one-time password), accepts and tunnels it through the server's relay, and the operator's
// RFB viewer — through the relay's WebSocket, as noVNC comes in — logs in with the password
// the server handed over, sees the Wine desktop and clicks into it. Enter ends it: within 2 s the backend is
// gone and the viewer's connection closed; the server records the end with the bytes
// relayed. A Win32 test window (tests/client/win_vnc/test_window.c) shows four colours at a
// known place, which the operator must see there.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

#include "tests/client/events/team_server.h"
#include "tests/client/events/terminal_session.h"
#include "tests/client/session/session_support.h"
#include "tests/server/relay/operator_rfb.h"
#include "tests/support/fixtures.h"
#include "tests/support/rfb_screen_viewer.h"
#include "tests/support/team_api.h"
#include "tests/support/wine.h"
#include "tests/wine/windows_cli.h"

namespace helpline::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

const std::string kServerBin = HELPLINE_SERVER_BIN;
/// tests/client/win_vnc/test_window.c: four colours at a known place (empty: not built).
const fs::path kTestWindow = HELPLINE_WIN_VNC_TEST_WINDOW;
constexpr std::uint32_t kRed = 0xff0000, kGreen = 0x00ff00, kBlue = 0x0000ff, kWhite = 0xffffff;
constexpr std::uint32_t kLeft = 40, kTop = 40;
constexpr std::chrono::milliseconds kTeardownBound = 2000ms;

/// The --port a backend was started with, from its command line.
std::uint16_t port_of(int pid) {
    const std::string cmdline = read_text("/proc/" + std::to_string(pid) + "/cmdline");
    const auto at = cmdline.find(std::string("--port") + '\0');
    REQUIRE(at != std::string::npos);
    return static_cast<std::uint16_t>(std::stoi(cmdline.substr(at + 7)));
}

/// What a person at the terminal reads of Wine's console: Wine 8 draws a Windows console on
/// a Unix terminal character by character — each one between "hide cursor" and "show cursor",
/// a blank as "erase line, cursor right" — and writes the escape sequences a program prints
/// (listen's "\r\033[K" countdown redraw) as text rather than obeying them. Only those are
/// undone here: what is left is the text printed, in order, one redraw per line.
std::string console_text(std::string raw) {
    const auto replace_all = [&](const std::string& from, const std::string& to) {
        for (auto at = raw.find(from); at != std::string::npos; at = raw.find(from, at + to.size()))
            raw.replace(at, from.size(), to);
    };
    replace_all("\x1b[?25l", "");
    replace_all("\x1b[?25h", "");
    replace_all("\x1b[K\x1b[1C", " ");
    std::string text;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\x1b' && i + 1 < raw.size() && raw[i + 1] == '[') {
            std::size_t end = i + 2;
            while (end < raw.size() && (std::isdigit(static_cast<unsigned char>(raw[end])) ||
                                        raw[end] == ';' || raw[end] == '?'))
                ++end;
            i = end;  // the final letter too
            continue;
        }
        if (raw[i] != '\r') text += raw[i];
    }
    return text;
}

/// `helpline-cli.exe listen --once` on a pseudo-terminal under Wine, read as console_text().
class WineConsole {
  public:
    WineConsole(const WindowsCli& cli, const std::vector<std::string>& extra_env)
        : terminal_(argv(cli, extra_env), {"PATH=/usr/bin:/bin", "TERM=xterm"}) {}

    std::string text() { return console_text(terminal_.output()); }
    std::size_t count(const std::string& what) {
        const std::string all = text();
        std::size_t n = 0;
        for (auto at = all.find(what); at != std::string::npos; at = all.find(what, at + what.size())) ++n;
        return n;
    }
    bool expect(const std::string& what, std::chrono::milliseconds timeout, std::size_t times = 1) {
        return wait_for([&] { return count(what) >= times; }, timeout, 50ms);
    }
    void type(std::string_view keys) { terminal_.type(keys); }
    std::optional<int> wait_exit(std::chrono::milliseconds timeout) { return terminal_.wait_exit(timeout); }

    /// Answers y until the client takes it (answers within the Allow delay are refused as
    /// "Too quick"; each retry waits for the countdown's next redraw).
    void allow() {
        for (int attempt = 0; attempt < 10; ++attempt) {
            const auto refused = count("Too quick");
            const auto drawn = count(kCountdown);
            type("y\r");
            REQUIRE(wait_for([&] { return count("Too quick") > refused || count("Starting the remote-control") > 0; },
                             10s, 50ms));
            if (count("Starting the remote-control") > 0) return;
            REQUIRE(expect(kCountdown, 5s, drawn + 2));
        }
        FAIL("the client never took the answer:\n" << text());
    }

  private:
    static std::vector<std::string> argv(const WindowsCli& cli, const std::vector<std::string>& extra_env) {
        std::vector<std::string> a = {"/usr/bin/env"};
        for (const auto& setting : cli.wine().env(extra_env)) a.push_back(setting);
        a.insert(a.end(), {"wine", cli.exe().string(), "listen", "--once"});
        return a;
    }

    TerminalSession terminal_;
};

/// The frame as a PPM picture in the build's screenshots folder, to look at.
void write_screenshot(const RfbFrame& frame, const std::string& name) {
    const fs::path dir = HELPLINE_SCREENSHOTS_DIR;
    fs::create_directories(dir);
    std::string out = "P6\n" + std::to_string(frame.width) + " " + std::to_string(frame.height) + "\n255\n";
    for (const std::uint32_t pixel : frame.pixels) {
        out += static_cast<char>((pixel >> 16) & 0xff);
        out += static_cast<char>((pixel >> 8) & 0xff);
        out += static_cast<char>(pixel & 0xff);
    }
    write_text(dir / name, out);
}

/// The audit entry that ended `session`.
Json audited_end(const Team& team, const std::string& session) {
    const auto reply = team.call("GET", "/api/v1/audit");
    REQUIRE(reply.status == 200);
    const auto doc = Json::parse(reply.body);
    for (const auto& e : doc.at("entries"))
        if (e.value("session_id", "") == session && e.at("action") == "ended") return e;
    return {};
}

}  // namespace

TEST_CASE("helpline-cli.exe listen: y starts helpline-win-vnc.exe, the operator sees the Wine "
          "desktop through the relay, and Enter ends it within 2 s") {
    Xvfb x;
    REQUIRE(x.running());
    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start();
    WindowsCli cli(server.url());
    cli.install_backend();
    const std::vector<std::string> display = {"DISPLAY=" + x.display()};

    auto filed = cli.run({"request", "--group", "helpdesk", "--email", "ana@acme.example",
                          "--description", "Please look at my screen"},
                         display);
    INFO(filed.out << filed.err);
    REQUIRE(filed.exit_code == 0);
    const fs::path window_events = cli.dir() / "window-events.txt";
    const auto window = wine::show_test_window(cli.wine(), kTestWindow, window_events, display);
    const Team team(server);
    const auto ticket = team.queue().at(0).at("number").get<std::int64_t>();
    const std::string admin = admin_token(server);
    const std::string request = connect_ticket(server, admin, ticket);

    // The customer's console: wine on a pseudo-terminal (Wine's console reads keys from it).
    WineConsole terminal(cli, display);
    if (!terminal.expect("to see and control this computer? [y/N]", 60s) ||
        !terminal.expect(kCountdown, 10s))
        FAIL("listen never asked; it printed:\n" << terminal.text());
    terminal.allow();

    // helpline-win-vnc.exe from the client's libexec folder, the server accepted, the tunnel
    // open through the relay: only then does the client say the session runs.
    const bool relayed = wait_for(
        [&] {
            return terminal.count("can see and control this computer. Press Enter") > 0 ||
                   terminal.count("could not") > 0 || terminal.wait_exit(0ms).has_value();
        },
        60s);
    INFO(terminal.text());
    REQUIRE(relayed);
    REQUIRE(terminal.count("can see and control this computer. Press Enter") == 1);
    // Named as the profile names it: the client passes that as the backend's argv[0].
    const auto backends = cli.wine().processes_mentioning("helpline-win-vnc");
    REQUIRE(backends.size() == 1);
    // Its VNC port is bound to 127.0.0.1 and nothing else.
    CHECK(listening_addresses(port_of(backends.front())) == std::vector<std::string>{"0100007F"});

    // The operator, as noVNC: the relay's WebSocket view, the one-time password from the server.
    const Json followed = request_view(server, admin, request);
    REQUIRE(followed.at("state") == "accepted");
    const std::string session = followed.at("session_id").get<std::string>();
    auto [view, rfb] = operator_rfb(server.port(), admin, session,
                                    followed.at("vnc_password").get<std::string>());
    const RfbFrame frame = rfb->read_screen();
    // The private Xvfb's screen (640×480), which Wine's desktop spans.
    CHECK(frame.width == 640);
    CHECK(frame.height == 480);
    CHECK(frame.pixels.size() == std::size_t{frame.width} * frame.height);
    // The test window's four quadrants where it stands on the customer's screen.
    CHECK(frame.at(kLeft + 80, kTop + 60) == kRed);
    CHECK(frame.at(kLeft + 240, kTop + 60) == kGreen);
    CHECK(frame.at(kLeft + 80, kTop + 180) == kBlue);
    CHECK(frame.at(kLeft + 240, kTop + 180) == kWhite);
    write_screenshot(frame, "wine_session_viewer.ppm");
    // The operator's click reaches the window under it.
    rfb->pointer(kLeft + 100, kTop + 50, 1);
    rfb->pointer(kLeft + 100, kTop + 50, 0);
    CHECK(wait_for([&] {
        return read_text(window_events).find("button left up " + std::to_string(kLeft + 100) + " " +
                                             std::to_string(kTop + 50)) != std::string::npos;
    }, 10s));

    // Enter ends it: the backend (its whole Job Object) and the viewer's connection go at once.
    const auto ended_at = Clock::now();
    terminal.type("\r");
    CHECK(wait_for([&] { return cli.wine().processes_mentioning("helpline-win-vnc").empty(); }, kTeardownBound, 20ms));
    const auto left = std::max(std::chrono::milliseconds(0),
                               kTeardownBound - std::chrono::duration_cast<std::chrono::milliseconds>(
                                                    Clock::now() - ended_at));
    CHECK(view->wait_closed(left).has_value());
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - ended_at);
    INFO("teardown took " << took.count() << " ms");
    CHECK(took <= kTeardownBound);
    const auto code = terminal.wait_exit(30s);
    INFO(terminal.text());
    REQUIRE(code.has_value());
    CHECK(*code == 0);
    CHECK(terminal.count("The session has ended.") == 1);
    CHECK(wait_for([&] { return request_state(server, admin, request) == "ended"; }, 10s));
    Json ended;
    CHECK(wait_for([&] { return !(ended = audited_end(team, session)).is_null(); }, 10s));
    REQUIRE(ended.is_object());
    CHECK(ended.at("detail").at("bytes_to_operator").get<std::uint64_t>() >=
          std::uint64_t{frame.width} * frame.height * 4);
}

}  // namespace helpline::test
