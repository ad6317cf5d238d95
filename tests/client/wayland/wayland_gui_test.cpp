// The GUI client's consent on a Wayland desktop (the headless GNOME of tests/support): the
// stamped `helpline` runs there natively (GDK_BACKEND=wayland); the operator's Connect brings
// its consent dialog, which says that the desktop asks next; Alt+A (the Allow button's
// mnemonic, which works only once Allow is enabled, like a click) allows; the desktop's own
// dialog follows and is answered; the session runs with helpline-portal-vnc; the operator
// ends it and the backend, the portal session and its stream are gone. Screenshots of each
// step, in English, and of the consent dialog in Portuguese and Italian, are saved to look at.

#include <catch2/catch.hpp>

#include "tests/client/session/session_support.h"
#include "tests/client/submit/cli_fixture.h"
#include "tests/client/events/team_server.h"
#include "tests/client/wayland/wayland_support.h"
#include "tests/support/headless_gnome.h"

namespace helpline::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

const std::string kGuiBin = HELPLINE_GUI_BIN;

/// A server, the stamped CLI (which files the request and shares its folders) and the
/// stamped GUI beside it, on the headless GNOME.
class GuiScene {
  public:
    GuiScene() : server_(kServerBin, data_.path()) {
        gnome_ = std::make_unique<HeadlessGnome>();
        INFO(gnome_->log());
        REQUIRE(gnome_->running());
        server_.start();
        cli_ = std::make_unique<StampedCli>(portal_profile(demo_profile(server_.url())));
        const auto folder = cli_->dir() / "profile";  // written by the stamp above
        const auto stamped = run_program({kBrandBin, "stamp", "--profile", folder.string(),
                                          "--key", fixture("keys/test-signing-key.pem").string(),
                                          "--client", kGuiBin, "--out", gui().string()});
        INFO(stamped.out << stamped.err);
        REQUIRE(stamped.exit_code == 0);
        const auto filed = cli_->run({"request", "--group", "helpdesk", "--email",
                                     "ana@acme.example", "--description", "Help, please"});
        INFO(filed.out << filed.err);
        REQUIRE(filed.exit_code == 0);
        ticket_ = queue_of(server_).at(0).at("number").get<std::int64_t>();
        admin_ = admin_token(server_);
    }

    fs::path gui() const { return cli_->dir() / "demo-support"; }
    fs::path log_file() const { return cli_->state() / "client.log"; }
    std::string log() const { return fs::exists(log_file()) ? read_text(log_file()) : ""; }

    /// The GUI on the desktop in `language`, with the CLI's folders (one device for both).
    std::unique_ptr<DesktopProgram> start_gui(const std::string& language) {
        std::vector<std::string> argv = {"GDK_BACKEND=wayland", "NO_AT_BRIDGE=1"};
        // The client's own folders, but the desktop's XDG_RUNTIME_DIR: WAYLAND_DISPLAY is a
        // socket name there.
        for (const auto& variable : cli_->terminal_environment(""))
            if (variable.rfind("XDG_CONFIG_HOME=", 0) == 0 ||
                variable.rfind("XDG_STATE_HOME=", 0) == 0 || variable.rfind("HOME=", 0) == 0 ||
                variable.rfind("NO_PROXY", 0) == 0 || variable.rfind("no_proxy", 0) == 0)
                argv.push_back(variable);
        argv.push_back("XDG_SESSION_TYPE=wayland");
        argv.push_back(gui().string());
        argv.push_back("--lang");
        argv.push_back(language);
        return std::make_unique<DesktopProgram>(*gnome_, argv);
    }

    std::string connect() { return connect_ticket(server_, admin_, ticket_); }
    Json request(const std::string& id) { return request_view(server_, admin_, id); }
    int end_session(const std::string& session) {
        CurlOptions o;
        o.method = "POST";
        o.headers = {"Authorization: Bearer " + admin_};
        return static_cast<int>(
            curl_request(server_.url("/api/v1/sessions/" + session + "/end"), o).status);
    }

    /// The consent dialog for `request` is up (the client logged it) and shown: the first frame
    /// of the monitor that differs from the frame before the Connect (the desktop has no
    /// animations: a window is whole in its first frame), saved as `name`. It does not settle:
    /// the dialog counts down.
    void shoot_consent(const std::string& request, const std::string& before,
                       const std::string& name) {
        INFO(log());
        REQUIRE(wait_for(
            [&] {
                return log().find("Asked the customer about connection request " + request) !=
                       std::string::npos;
            },
            30s));
        const fs::path png = screenshot(name);
        REQUIRE(wait_for([&] { return shot(png) && read_text(png) != before; }, 20s, 200ms));
    }

    bool shot(const fs::path& png) { return gnome_->desktop({"shot", png.string()}).status == 0; }
    /// A frame that differs from `unlike` (something new is shown) once two in a row are
    /// the same (it has settled).
    std::string settled_frame(const std::string& name, const std::string& unlike = {}) {
        const fs::path png = screenshot(name);
        std::string previous;
        std::string now;
        REQUIRE(wait_for(
            [&] {
                previous = now;
                now = shot(png) ? read_text(png) : "";
                return !now.empty() && now == previous && now != unlike;
            },
            30s, 300ms));
        return now;
    }

    HeadlessGnome& gnome() { return *gnome_; }

  private:
    TempDir data_;
    ServerProcess server_;
    std::unique_ptr<HeadlessGnome> gnome_;
    std::unique_ptr<StampedCli> cli_;
    std::int64_t ticket_ = 0;
    std::string admin_;
};

/// The Share button of the desktop's dialog, in its colour: the dialog is up.
bool desktop_dialog_shown(const HeadlessGnome& gnome) {
    return gnome.desktop({"pixels", "852,272"}).output == "852 272 53 132 228\n";
}

}  // namespace

TEST_CASE(
    "the GUI on a Wayland desktop: the consent dialog says the desktop asks next, Allow, the "
    "desktop's dialog, a running session, and the operator's end removes it all",
    "[wayland][gui]") {
    GuiScene scene;
    const std::string desktop = scene.settled_frame("wayland_gui_desktop.png");
    auto gui = scene.start_gui("en");
    const std::string before = scene.settled_frame("wayland_gui_main_en.png", desktop);

    const std::string request = scene.connect();
    scene.shoot_consent(request, before, "wayland_gui_consent_en.png");

    // Alt+A allows once Allow is enabled (1.5 s after the dialog appeared); until then it does
    // nothing, so it is pressed until the client says the customer allowed.
    REQUIRE(wait_for(
        [&] {
            REQUIRE(scene.gnome().desktop({"keys", "Alt_L+a"}).status == 0);
            return wait_for(
                [&] {
                    return scene.log().find("The customer allowed connection request " +
                                            request) != std::string::npos;
                },
                500ms);
        },
        20s));
    REQUIRE(wait_for([&] { return desktop_dialog_shown(scene.gnome()); }, 20s));
    const DesktopRun answer = scene.gnome().desktop(
        {"answer-portal", "share", "--shot", screenshot("wayland_gui_desktop_dialog.png").string()});
    INFO(answer.output);
    REQUIRE(answer.status == 0);

    Json followed;
    REQUIRE(wait_for(
        [&] {
            followed = scene.request(request);
            return followed.value("state", "") == "accepted";
        },
        30s));
    CHECK(processes_mentioning(kPortalVnc).size() == 1);
    (void)scene.settled_frame("wayland_gui_session_en.png");

    // The operator ends it: the backend and the desktop's sharing go.
    const auto ended_at = Clock::now();
    CHECK(scene.end_session(followed.at("session_id").get<std::string>()) == 204);
    CHECK(wait_for([] { return processes_mentioning(kPortalVnc).empty(); }, 2s));
    INFO("ended after "
         << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - ended_at).count()
         << " ms");
    CHECK(wait_for(
        [&] {
            return scene.gnome().run({"pw-cli", "ls", "Node"}, 10s).output.find(
                       "meta-screen-cast") == std::string::npos;
        },
        5s));
    (void)scene.settled_frame("wayland_gui_ended_en.png");
}

TEST_CASE("the GUI's consent dialog on Wayland in Portuguese and Italian says the desktop asks next",
          "[wayland][gui]") {
    GuiScene scene;
    const std::string desktop = scene.settled_frame("wayland_gui_desktop.png");
    for (const std::string language : {"pt", "it"}) {
        auto gui = scene.start_gui(language);
        const std::string before =
            scene.settled_frame("wayland_gui_main_" + language + ".png", desktop);
        const std::string request = scene.connect();
        scene.shoot_consent(request, before, "wayland_gui_consent_" + language + ".png");
        // Escape declines; no backend starts and the desktop is not asked.
        REQUIRE(scene.gnome().desktop({"keys", "Escape"}).status == 0);
        CHECK(wait_for([&] { return scene.request(request).value("state", "") == "declined"; },
                       10s));
        CHECK(scene.request(request).value("decline_reason", "") == "customer");
        CHECK_FALSE(desktop_dialog_shown(scene.gnome()));
        gui->stop();
    }
}

}  // namespace helpline::test
