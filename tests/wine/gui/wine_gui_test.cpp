// The Windows GUI client, helpline.exe (cross-built), under Wine on the virtual X display this
// test runs on (xvfb-run: ctest gives it DISPLAY), against the real Linux server on
// 127.0.0.1: stamped by helpline-brand like the Linux client, it says what it is (--version,
// --check-brand), opens its main window titled with the brand's name in the customer's
// language, a request typed into its form (keys sent by xdotool, as a person types them)
// reaches the server and shows its number, and the team's request to connect brings up the
// consent dialog, whose default answer (Return) declines; allowed (Alt+A, once the Allow
// delay is over), it starts helpline-win-vnc.exe and shows the session bar, the operator's
// viewer through the relay sees the Wine desktop, and the bar's End session removes it all
// within 2 s. Each test is a Windows user of its own (a
// Wine prefix copied from the template made by wine.prefix); screenshots go to
// <build>/screenshots/wine-gui-*.png for people to look at.

#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "tests/client/events/team_server.h"
#include "tests/server/relay/operator_rfb.h"
#include "tests/support/fixtures.h"
#include "tests/support/rfb_screen_viewer.h"
#include "tests/support/team_api.h"
#include "tests/support/wine.h"

namespace helpline::test {
namespace {

using namespace std::chrono_literals;

const std::string kServerBin = HELPLINE_SERVER_BIN;
const std::string kBrandBin = HELPLINE_BRAND_BIN;
const std::string kXdotool = HELPLINE_XDOTOOL;
const std::string kImport = HELPLINE_IMPORT;
const fs::path kTestWindow = HELPLINE_WIN_VNC_TEST_WINDOW;
constexpr std::uint32_t kRed = 0xff0000, kGreen = 0x00ff00, kBlue = 0x0000ff, kWhite = 0xffffff;
constexpr std::uint32_t kLeft = 40, kTop = 40;  ///< the test window's place
constexpr std::chrono::milliseconds kTeardownBound = 2000ms;

/// The X display this test runs on (xvfb-run's); the test fails without one.
std::string display() {
    const char* d = std::getenv("DISPLAY");
    INFO("no DISPLAY: run this test under xvfb-run (ctest does)");
    REQUIRE(d != nullptr);
    REQUIRE(*d != '\0');
    return d;
}

/// `xdotool args...` on the test's display.
ProgramResult xdotool(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {kXdotool};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_program(argv, {}, 20s);
}

/// The X window (its id) titled exactly `title`, once one is mapped; 0 after `timeout`.
std::string window_titled(const std::string& title, std::chrono::milliseconds timeout) {
    std::string id;
    wait_for(
        [&] {
            auto r = xdotool({"search", "--onlyvisible", "--name", "^" + title + "$"});
            if (r.exit_code != 0 || r.out.empty()) return false;
            id = r.out.substr(0, r.out.find('\n'));
            return true;
        },
        timeout, 200ms);
    return id;
}

/// The names of the windows shown, for a failure message.
std::string shown_windows() {
    auto r = xdotool({"search", "--onlyvisible", "--name", "."});
    std::string names;
    std::size_t at = 0;
    while (at < r.out.size()) {
        const auto end = r.out.find('\n', at);
        const std::string id = r.out.substr(at, end - at);
        at = end == std::string::npos ? r.out.size() : end + 1;
        if (!id.empty()) names += "'" + xdotool({"getwindowname", id}).out + "' ";
    }
    return names;
}

/// The whole screen as a PNG in <build>/screenshots.
void screenshot(const std::string& name) {
    const fs::path dir = HELPLINE_SCREENSHOTS_DIR;
    fs::create_directories(dir);
    (void)run_program({kImport, "-window", "root", (dir / (name + ".png")).string()}, {}, 20s);
}

/// helpline.exe stamped with the demo profile pointing at `url`, and the Windows user whose
/// client it is.
class WindowsGui {
  public:
    explicit WindowsGui(const std::string& url) : wine_(wine::WinePrefix::From::template_prefix) {
        auto profile =
            nlohmann::json::parse(read_text(source_path("branding/profiles/demo/profile.json")));
        profile["server"]["url"] = url;
        fs::create_directories(dir_ / "profile");
        fs::create_directories(dir_ / "bin");
        write_text(dir_ / "profile" / "profile.json", profile.dump(2));
        fs::copy_file(source_path("branding/profiles/demo/logo.svg"),
                      dir_ / "profile" / "logo.svg");
        auto r = run_program({kBrandBin, "stamp", "--profile", (dir_ / "profile").string(), "--key",
                              fixture("keys/test-signing-key.pem").string(), "--client",
                              wine::windows_program("client/gui/helpline.exe").string(), "--out",
                              exe().string()});
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
    }
    ~WindowsGui() { stop(); }
    WindowsGui(const WindowsGui&) = delete;
    WindowsGui& operator=(const WindowsGui&) = delete;

    /// Runs the client to its end (--version, --check-brand), on the display.
    ProgramResult run(const std::vector<std::string>& args) const {
        return wine_.run(exe(), args, {"DISPLAY=" + display()});
    }

    /// Starts the client in the background, on the display.
    void start(const std::vector<std::string>& args) {
        process_ = wine_.start(exe(), args, {"DISPLAY=" + display()}, dir_ / "client.out");
    }

    /// Puts the Windows build's helpline-win-vnc.exe where the client looks for its
    /// backends first: `<exe>\..\libexec`, as the installer lays it out.
    void install_backend() const {
        fs::create_directories(dir_ / "libexec");
        fs::copy_file(wine::windows_program("client/win_vnc/helpline-win-vnc.exe"),
                      dir_ / "libexec" / "helpline-win-vnc.exe",
                      fs::copy_options::overwrite_existing);
    }

    void stop() {
        if (process_) process_->stop(2s);
        process_.reset();
    }

    /// What the running client printed, and whether it is still running.
    std::string said() const {
        std::string text = read_text(dir_ / "client.out");
        if (process_ && process_->exited()) text += "\n(the client exited)";
        return text;
    }

    fs::path exe() const { return dir_ / "bin" / "demo-support.exe"; }
    const wine::WinePrefix& wine() const { return wine_; }
    const TempDir& dir() const { return dir_; }
    /// %LOCALAPPDATA%\demo-support: identity, outbox, requests.log, client.log.
    fs::path state() const { return wine_.local_app_data() / "demo-support"; }

  private:
    TempDir dir_;
    wine::WinePrefix wine_;
    std::unique_ptr<client::ChildProcess> process_;
};

}  // namespace

TEST_CASE("helpline.exe says its version and checks its stamp") {
    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start();
    const WindowsGui gui(server.url());

    auto version = gui.run({"--version"});
    INFO(version.out << version.err);
    CHECK(version.exit_code == 0);
    CHECK(version.out == std::string(HELPLINE_VERSION) + "\n");

    auto check = gui.run({"--check-brand"});
    INFO(check.out << check.err);
    CHECK(check.exit_code == 0);
    CHECK_THAT(check.out,
               Catch::StartsWith("helpline: branded for Demo Support (profile demo-support"));
}

TEST_CASE("an unstamped helpline.exe says how to brand it, and exits 3") {
    const wine::WinePrefix wine(wine::WinePrefix::From::template_prefix);
    // --check-brand: the advice only, no dialog waiting for a click.
    auto r = wine.run(wine::windows_program("client/gui/helpline.exe"), {"--check-brand"},
                      {"DISPLAY=" + display()});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("not branded"));
}

TEST_CASE(
    "helpline.exe in Portuguese opens its window titled with the brand's name, a request "
    "typed into its form reaches the server and shows its number, and the team's request "
    "to connect asks the customer, who declines") {
    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start();
    WindowsGui gui(server.url());
    gui.start({"--lang", "pt"});

    const std::string main = window_titled("Suporte Demo", 90s);
    INFO("windows shown: " << shown_windows() << "\nclient: " << gui.said());
    REQUIRE(!main.empty());
    screenshot("wine-gui-main-pt");

    // The Assistance button has the focus in a new main window: Space presses it.
    REQUIRE(xdotool({"windowfocus", "--sync", main}).exit_code == 0);
    REQUIRE(xdotool({"key", "--clearmodifiers", "space"}).exit_code == 0);
    const std::string form = window_titled("Pedir assist\u00eancia", 30s);
    INFO("windows shown: " << shown_windows());
    REQUIRE(!form.empty());
    // The email has the focus (none remembered); Tab goes on to the subject and the
    // description. Return in a one-line field presses the form's default button, Send. Wine
    // takes the keys in order, though later than xdotool sends them; ASCII only: xdotool
    // types other characters by remapping a key, which Wine does not see.
    REQUIRE(xdotool({"windowfocus", "--sync", form}).exit_code == 0);
    for (const std::vector<std::string>& keys :
         {std::vector<std::string>{"type", "--delay", "30", "ana@acme.example"},
          {"key", "Tab"},
          {"type", "--delay", "30", "Impressora"},
          {"key", "Tab"},
          {"type", "--delay", "30", "A impressora parou de imprimir"},
          {"key", "shift+Tab"}})
        REQUIRE(xdotool(keys).exit_code == 0);
    REQUIRE(xdotool({"key", "Return"}).exit_code == 0);

    const Team team(server);
    nlohmann::json queue;
    REQUIRE(wait_for(
        [&] {
            queue = team.queue();
            return queue.size() == 1;
        },
        30s, 200ms));
    CHECK(queue[0].at("requester").at("email") == "ana@acme.example");
    CHECK(queue[0].at("subject") == "Impressora");
    CHECK(queue[0].at("description") == "A impressora parou de imprimir");
    // The number the client shows is the one it logged (requests.log), the server's.
    const std::string number = std::to_string(queue[0].at("number").get<int>());
    CHECK(wait_for(
        [&] { return read_text(gui.state() / "requests.log").find(number) != std::string::npos; },
        10s, 100ms));
    screenshot("wine-gui-sent-pt");

    // The team asks to connect: the consent dialog comes up, in Portuguese, with Decline as
    // its default button; Return declines, and the server hears it.
    auto asked = team.call("POST", "/api/v1/tickets/" + number + "/connect");
    INFO(asked.body);
    REQUIRE(asked.status == 201);
    const std::string request = nlohmann::json::parse(asked.body).at("request_id");
    const std::string consent = window_titled("Pedido de assist\u00eancia remota", 30s);
    INFO("windows shown: " << shown_windows() << "\nclient: " << gui.said());
    REQUIRE(!consent.empty());
    screenshot("wine-gui-consent-pt");
    REQUIRE(xdotool({"windowfocus", "--sync", consent}).exit_code == 0);
    REQUIRE(xdotool({"key", "Return"}).exit_code == 0);
    std::string state;
    CHECK(wait_for(
        [&] {
            auto r = team.call("GET", "/api/v1/connection-requests/" + request);
            if (r.status != 200) return false;
            state = nlohmann::json::parse(r.body).at("state");
            return state == "declined";
        },
        30s, 200ms));
    CHECK(state == "declined");
    CHECK(wait_for([&] { return window_titled("Pedido de assist\u00eancia remota", 0ms).empty(); },
                   10s, 100ms));
}

TEST_CASE(
    "helpline.exe: Allow starts helpline-win-vnc.exe and shows the session bar, the operator "
    "sees the Wine desktop through the relay, and End session on the bar ends it all within 2 s") {
    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start();
    WindowsGui gui(server.url());
    gui.install_backend();
    const auto window = wine::show_test_window(gui.wine(), kTestWindow, gui.dir() / "window-events.txt",
                                               {"DISPLAY=" + display()});
    gui.start({"--lang", "en"});
    const std::string main = window_titled("Demo Support", 90s);
    INFO("windows shown: " << shown_windows() << "\nclient: " << gui.said());
    REQUIRE(!main.empty());

    // A ticket of this client's device (registered at start: its identity.json), and the team
    // asks to connect to it.
    const Team team(server);
    nlohmann::json identity;
    REQUIRE(wait_for(
        [&] {
            const std::string text = read_text(gui.state() / "identity.json");
            identity = nlohmann::json::parse(text, nullptr, false);
            return !identity.is_discarded() && identity.value("server", "") == server.url() &&
                   identity.contains("device_token");
        },
        30s, 200ms));
    const std::int64_t ticket = create_ticket(server, identity.at("device_token").get<std::string>());
    auto asked = team.call("POST", "/api/v1/tickets/" + std::to_string(ticket) + "/connect");
    INFO(asked.body);
    REQUIRE(asked.status == 201);
    const std::string request = nlohmann::json::parse(asked.body).at("request_id");
    const std::string consent = window_titled("Remote assistance request", 30s);
    INFO("windows shown: " << shown_windows() << "\nclient: " << gui.said());
    REQUIRE(!consent.empty());

    // Alt+A allows once the Allow delay is over: pressed until the dialog takes it.
    REQUIRE(xdotool({"windowfocus", "--sync", consent}).exit_code == 0);
    const bool allowed = wait_for(
        [&] {
            (void)xdotool({"key", "--clearmodifiers", "alt+a"});
            return window_titled("Remote assistance request", 0ms).empty();
        },
        20s, 500ms);
    REQUIRE(allowed);
    const std::string bar = window_titled("Remote session", 30s);
    INFO("windows shown: " << shown_windows() << "\nclient: " << gui.said());
    REQUIRE(!bar.empty());
    // helpline-win-vnc.exe from the client's libexec folder (named as the profile names it).
    REQUIRE(wait_for([&] { return gui.wine().processes_mentioning("helpline-win-vnc").size() == 1; }, 10s));

    // The operator, as noVNC: the relay's WebSocket view with the server's one-time password.
    nlohmann::json followed;
    REQUIRE(wait_for(
        [&] {
            auto r = team.call("GET", "/api/v1/connection-requests/" + request);
            followed = r.status == 200 ? nlohmann::json::parse(r.body) : nlohmann::json();
            return followed.value("state", "") == "accepted";
        },
        30s, 200ms));
    const std::string session = followed.at("session_id").get<std::string>();
    auto [view, rfb] = operator_rfb(server.port(), team.token(), session,
                                    followed.at("vnc_password").get<std::string>());
    const RfbFrame frame = rfb->read_screen();
    CHECK(frame.width == 1280);
    CHECK(frame.height == 800);
    // The test window's quadrants, below the balloon of the client's notification (Wine
    // shows it over the top left corner of the screen).
    CHECK(frame.at(kLeft + 80, kTop + 90) == kRed);
    CHECK(frame.at(kLeft + 240, kTop + 90) == kGreen);
    CHECK(frame.at(kLeft + 80, kTop + 180) == kBlue);
    CHECK(frame.at(kLeft + 240, kTop + 180) == kWhite);
    screenshot("wine-gui-session-en");

    // End session on the bar (Return on its focused button). The bar goes at once when the
    // click is taken (SessionBar::finish): from then, the backend (its Job Object) and the
    // viewer's connection go within 2 s, and the server records the customer's end. (Wine
    // takes a synthetic key a moment after xdotool sends it: that moment is not the client's.)
    REQUIRE(xdotool({"windowfocus", "--sync", bar}).exit_code == 0);
    const auto pressed = std::chrono::steady_clock::now();
    REQUIRE(xdotool({"key", "--clearmodifiers", "Return"}).exit_code == 0);
    REQUIRE(wait_for([&] { return window_titled("Remote session", 0ms).empty(); }, 10s, 10ms));
    const auto ended = std::chrono::steady_clock::now();
    const auto since = [](std::chrono::steady_clock::time_point t) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t);
    };
    INFO("the key was taken " << (since(pressed) - since(ended)).count() << " ms after it was sent");
    CHECK(wait_for([&] { return gui.wine().processes_mentioning("helpline-win-vnc").empty(); },
                   kTeardownBound, 20ms));
    INFO("the backend was gone " << since(ended).count() << " ms after the bar");
    CHECK(view->wait_closed(std::max(0ms, kTeardownBound - since(ended))).has_value());
    const auto took = since(ended);
    INFO("teardown took " << took.count() << " ms");
    CHECK(took <= kTeardownBound);
    CHECK(wait_for(
        [&] {
            auto r = team.call("GET", "/api/v1/connection-requests/" + request);
            return r.status == 200 && nlohmann::json::parse(r.body).value("state", "") == "ended";
        },
        10s, 200ms));
}

}  // namespace helpline::test
