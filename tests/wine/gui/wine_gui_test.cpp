// The Windows GUI client, helpline.exe (cross-built), under Wine on the virtual X display this
// test runs on (xvfb-run: ctest gives it DISPLAY), against the real Linux server on
// 127.0.0.1: stamped by helpline-brand like the Linux client, it says what it is (--version,
// --check-brand), opens its main window titled with the brand's name in the customer's
// language, a request typed into its form (keys sent by xdotool, as a person types them)
// reaches the server and shows its number, and the team's request to connect brings up the
// consent dialog, whose default answer (Return) declines. Each test is a Windows user of its own (a
// Wine prefix copied from the template made by wine.prefix); screenshots go to
// <build>/screenshots/wine-gui-*.png for people to look at.

#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "client/core/spawn.h"
#include "tests/support/fixtures.h"
#include "tests/support/team_api.h"
#include "tests/support/wine.h"

namespace helpline::test {
namespace {

using namespace std::chrono_literals;

const std::string kServerBin = HELPLINE_SERVER_BIN;
const std::string kBrandBin = HELPLINE_BRAND_BIN;
const std::string kXdotool = HELPLINE_XDOTOOL;
const std::string kImport = HELPLINE_IMPORT;

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
        client::SpawnOptions spawn;
        spawn.executable = "/usr/bin/env";
        spawn.argv = {"env"};
        for (const auto& setting : wine_.env({"DISPLAY=" + display()}))
            spawn.argv.push_back(setting);
        spawn.argv.insert(spawn.argv.end(), {"wine", exe().string()});
        spawn.argv.insert(spawn.argv.end(), args.begin(), args.end());
        spawn.output = dir_ / "client.out";
        auto process = client::ChildProcess::spawn(spawn);
        INFO((process ? "" : process.error().message));
        REQUIRE(process.ok());
        process_ = std::move(*process);
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

    fs::path exe() const { return dir_ / "demo-support.exe"; }
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

}  // namespace helpline::test
