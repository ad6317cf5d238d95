// A remote session on a Wayland desktop, every part real: a private headless GNOME (mutter,
// PipeWire, xdg-desktop-portal-gnome), the test window showing a known picture on it,
// helpline-server, a stamped `helpline-cli listen` allowed on a pseudo-terminal, the
// desktop's own sharing dialog answered as a customer would (remote interaction switched on,
// Share — or Cancel), helpline-portal-vnc, and an RFB viewer through the relay's WebSocket
// view as the operator's noVNC comes in. The operator sees the virtual monitor's picture,
// moves the pointer and types into the window; ending the session removes the backend, the
// portal session and its PipeWire stream within 2 s.

#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/client/events/team_server.h"
#include "tests/client/events/terminal_session.h"
#include "tests/client/session/session_support.h"
#include "tests/client/submit/cli_fixture.h"
#include "tests/server/relay/view_client.h"
#include "tests/client/wayland/wayland_support.h"
#include "tests/support/headless_gnome.h"
#include "tests/support/rfb_screen_viewer.h"

namespace helpline::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kTeardownBound = 2000ms;
constexpr std::uint32_t kRed = 0xff0000, kGreen = 0x00ff00, kBlue = 0x0000ff, kWhite = 0xffffff;

/// The frame as a PPM picture, to look at.
void write_ppm(const RfbFrame& frame, const fs::path& path) {
    std::string out = "P6\n" + std::to_string(frame.width) + " " + std::to_string(frame.height) +
                      "\n255\n";
    for (std::uint32_t pixel : frame.pixels) {
        out += static_cast<char>((pixel >> 16) & 0xff);
        out += static_cast<char>((pixel >> 8) & 0xff);
        out += static_cast<char>(pixel & 0xff);
    }
    write_text(path, out);
}

/// The processes of helpline-portal-vnc now running.
std::vector<int> backends_running() { return processes_mentioning(kPortalVnc); }

/// A desktop with the test window, a server whose admin asked to connect, and a stamped
/// client whose profile names helpline-portal-vnc for Wayland, listening on a terminal.
class WaylandScene {
  public:
    WaylandScene() : server_(kServerBin, data_.path()) {
        if (HeadlessGnome::test_window().empty())
            FAIL("libgtk-3-dev was missing when the build was configured: apt-get install -y "
                 "--no-install-recommends libgtk-3-dev, then reconfigure");
        gnome_ = std::make_unique<HeadlessGnome>();
        INFO(gnome_->log());
        REQUIRE(gnome_->running());
        window_ = std::make_unique<DesktopProgram>(
            *gnome_, std::vector<std::string>{"GDK_BACKEND=wayland",
                                              HeadlessGnome::test_window().string()});
        REQUIRE(printed(*window_, "ready", 30s));

        server_.start();
        cli_ = std::make_unique<StampedCli>(portal_profile(demo_profile(server_.url())));
        const auto filed = cli_->run({"request", "--group", "helpdesk", "--email",
                                     "ana@acme.example", "--description", "My screen is odd"});
        INFO(filed.out << filed.err);
        REQUIRE(filed.exit_code == 0);
        const auto ticket = queue_of(server_).at(0).at("number").get<std::int64_t>();

        admin_ = admin_token(server_);
        request_ = connect_ticket(server_, admin_, ticket);

        // The customer's terminal lives in the desktop's session (its bus, its Wayland).
        auto environment = cli_->terminal_environment("");
        for (const auto& variable : gnome_->environment()) environment.push_back(variable);
        terminal_ = std::make_unique<TerminalSession>(
            std::vector<std::string>{cli_->binary().string(), "listen", "--once"}, environment);
        REQUIRE(terminal_->expect(kCountdown, 20s));
        allow_in_terminal(*terminal_);
        REQUIRE(terminal_->expect("Your desktop may now ask whether to share the screen", 20s));
    }

    Json request_view() { return test::request_view(server_, admin_, request_); }

    /// Answers the desktop's dialog: "share", "share-view-only" or "cancel".
    void answer_desktop(const std::string& how) {
        const DesktopRun answer = gnome_->desktop(
            {"answer-portal", how, "--shot", screenshot("wayland_session_dialog.png").string(),
             "--save", screenshot("wayland_session_dialog_failed.png").string()});
        INFO(answer.output);
        REQUIRE(answer.status == 0);
    }

    /// The operator's viewer through the relay, logged in with the session's password.
    RfbScreenViewer& open_viewer() {
        Json followed;
        REQUIRE(wait_for(
            [&] {
                followed = request_view();
                return followed.value("state", "") == "accepted";
            },
            30s));
        session_ = followed.at("session_id").get<std::string>();
        view_ = open_operator_view(server_.port(), admin_, session_);
        rfb_ = std::make_unique<RfbScreenViewer>(
            [this](std::size_t count, std::chrono::milliseconds wait) {
                return view_->take(count, wait);
            },
            [this](const std::string& bytes) { return view_->send(bytes); });
        const RfbLogin login = rfb_->login(followed.at("vnc_password").get<std::string>());
        INFO(login.reason);
        REQUIRE(login.ok);
        return *rfb_;
    }

    /// What the desktop's D-Bus and PipeWire still hold of a screen-sharing session.
    std::string sharing_leftovers() {
        std::string left;
        const DesktopRun tree =
            gnome_->run({"gdbus", "introspect", "--session", "--dest",
                         "org.freedesktop.portal.Desktop", "--object-path",
                         "/org/freedesktop/portal/desktop/session", "--recurse"},
                        10s);
        if (tree.output.find("org.freedesktop.portal.Session") != std::string::npos)
            left += "a portal session object; ";
        const DesktopRun nodes = gnome_->run({"pw-cli", "ls", "Node"}, 10s);
        if (nodes.output.find("meta-screen-cast") != std::string::npos)
            left += "a screen-cast node in PipeWire; ";
        return left;
    }

    HeadlessGnome& gnome() { return *gnome_; }
    DesktopProgram& window() { return *window_; }
    TerminalSession& terminal() { return *terminal_; }
    ViewClient& view() { return *view_; }

  private:
    TempDir data_;
    ServerProcess server_;
    std::unique_ptr<HeadlessGnome> gnome_;
    std::unique_ptr<DesktopProgram> window_;
    std::unique_ptr<StampedCli> cli_;
    std::string admin_;
    std::string request_;
    std::string session_;
    std::unique_ptr<TerminalSession> terminal_;
    std::unique_ptr<ViewClient> view_;
    std::unique_ptr<RfbScreenViewer> rfb_;
};

}  // namespace

TEST_CASE(
    "a Wayland session: the desktop's dialog, the operator sees the monitor, moves the pointer "
    "and types, then Enter ends it and within 2 s the backend, the portal session and its stream "
    "are gone",
    "[wayland]") {
    WaylandScene scene;
    scene.answer_desktop("share");
    REQUIRE(scene.terminal().expect("can see and control this computer", 30s));
    REQUIRE(backends_running().size() == 1);
    // Its VNC port is bound to 127.0.0.1 and nothing else (no IPv6, no other interface).
    const std::string cmdline =
        read_text("/proc/" + std::to_string(backends_running().front()) + "/cmdline");
    const auto port_at = cmdline.find(std::string("--port") + '\0');
    REQUIRE(port_at != std::string::npos);
    const auto port = static_cast<std::uint16_t>(std::stoi(cmdline.substr(port_at + 7)));
    CHECK(listening_addresses(port) == std::vector<std::string>{"0100007F"});
    // Another local process knocks first and sits at the password prompt: it takes nobody's
    // place; once the operator's viewer is in, it is shown the door.
    const int intruder = connect_loopback(port);
    REQUIRE(intruder >= 0);

    RfbScreenViewer& rfb = scene.open_viewer();
    CHECK(wait_eof(intruder, 10s));
    ::close(intruder);
    RfbFrame frame = rfb.read_screen();
    write_ppm(frame, screenshot("wayland_session_viewer.ppm"));
    CHECK(frame.width == 1280);
    CHECK(frame.height == 800);
    // Depth 24, true colour 1, as viewers write it: with libvncserver's default (32, 255) no
    // viewer's format equals the server's and every pixel is converted (docs/benchmarks.md).
    CHECK(frame.depth == 24);
    CHECK(frame.true_colour == 1);
    // The test window's four quadrants, as the virtual monitor shows them (away from the
    // pointer, which the portal draws into the picture).
    CHECK(frame.at(320, 200) == kRed);
    CHECK(frame.at(960, 200) == kGreen);
    CHECK(frame.at(320, 600) == kBlue);
    CHECK(frame.at(960, 600) == kWhite);
    CHECK(scene.sharing_leftovers() != "");  // while it runs, the desktop shares

    // The pointer: the window sees the motion, and the cursor shows up in the picture there.
    rfb.pointer(500, 150);
    std::size_t mark = scene.window().output().size();
    rfb.pointer(520, 160);
    CHECK(printed(scene.window(), "motion 520 160", 10s, mark));
    const auto cursor_shown = [&] {
        for (std::uint32_t y = 160; y < 176; ++y)
            for (std::uint32_t x = 520; x < 532; ++x)
                if (frame.at(x, y) != kRed) return true;
        return false;
    };
    CHECK(wait_for([&] { return rfb.read_changes(frame, 500ms) && cursor_shown(); }, 10s));
    write_ppm(frame, screenshot("wayland_session_viewer_pointer.ppm"));
    // ... and is gone from where it was (inside the arrow drawn at 500,150 before).
    CHECK(frame.at(503, 158) == kRed);

    // A click and a key reach the focused window.
    mark = scene.window().output().size();
    rfb.pointer(520, 160, 0x01);
    rfb.pointer(520, 160, 0x00);
    CHECK(printed(scene.window(), "button 1 pressed", 10s, mark));
    CHECK(printed(scene.window(), "button 1 released", 10s, mark));
    mark = scene.window().output().size();
    rfb.key(0x61);  // XK_a
    CHECK(printed(scene.window(), "key a pressed", 10s, mark));
    CHECK(printed(scene.window(), "key a released", 10s, mark));

    // The customer ends it with Enter.
    const auto pressed = Clock::now();
    scene.terminal().type("\r");
    CHECK(scene.terminal().expect("The session has ended.", kTeardownBound));
    CHECK(wait_for([] { return backends_running().empty(); }, kTeardownBound));
    CHECK(wait_for([&] { return scene.sharing_leftovers().empty(); }, kTeardownBound));
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - pressed);
    INFO("teardown took " << took.count() << " ms: " << scene.sharing_leftovers());
    CHECK(took <= kTeardownBound + 500ms);  // the leftovers' own check takes a moment
    CHECK(scene.view().wait_closed(5s).has_value());
    CHECK(scene.terminal().wait_exit(10s) == std::optional<int>(0));
    CHECK(scene.request_view().value("state", "") == "ended");
}

TEST_CASE(
    "a Wayland session declined on the desktop's own dialog: the operator is told so and "
    "nothing is left running",
    "[wayland]") {
    WaylandScene scene;
    scene.answer_desktop("cancel");
    CHECK(scene.terminal().expect("You cancelled the desktop's screen sharing dialog.", 20s));
    CHECK(wait_for([&] { return scene.request_view().value("state", "") == "declined"; }, 10s));
    CHECK(scene.request_view().value("decline_reason", "") == "desktop_dialog");
    CHECK(wait_for([] { return backends_running().empty(); }, 5s));
    CHECK(wait_for([&] { return scene.sharing_leftovers().empty(); }, 5s));
    CHECK(scene.terminal().wait_exit(10s) == std::optional<int>(6));  // --once: declined
}

}  // namespace helpline::test
