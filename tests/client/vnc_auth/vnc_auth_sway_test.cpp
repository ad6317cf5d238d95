// The wlroots path for real: a headless sway (as `nobody` when the tests run as root) and
// wayvnc 0.5 behind helpline-vnc-auth, as the profile's backend argv starts them; an RFB
// viewer on 127.0.0.1 gets the 1280×800 screen with sway's background colour.

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <iostream>

#include "client/core/backend_launcher.h"
#include "client/core/spawn.h"
#include "tests/client/session/session_support.h"
#include "tests/client/vnc_auth/headless_sway.h"
#include "tests/client/vnc_auth/rfb_tcp_viewer.h"
#include "tests/client/vnc_auth/vnc_auth_test_support.h"
#include "tests/support/fixtures.h"

using namespace helpline;
using namespace helpline::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::uint32_t kBackground = 0x336699;

void require_tools() {
    // Missing tools fail the test: a skip would look like a pass.
    for (const char* tool : {"sway", "swaybg", "swaymsg", "wayvnc"})
        if (!client::find_executable(tool))
            FAIL(tool << " is not installed: apt-get install -y --no-install-recommends sway "
                         "swaybg wayvnc (scripts/test installs them)");
}

/// The frame as a binary PPM (P6), for a person to look at.
void write_ppm(const RfbFrame& frame, const fs::path& path) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << "P6\n" << frame.width << ' ' << frame.height << "\n255\n";
    for (const std::uint32_t pixel : frame.pixels)
        out << static_cast<char>((pixel >> 16) & 0xff) << static_cast<char>((pixel >> 8) & 0xff)
            << static_cast<char>(pixel & 0xff);
}

long long ms_since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

}  // namespace

TEST_CASE(
    "wayvnc on headless sway behind helpline-vnc-auth shows the screen to the viewer "
    "with the password, on 127.0.0.1 only, and is gone when the viewer leaves",
    "[vnc_auth][sway]") {
    require_tools();
    TempDir temp;
    HeadlessSway sway(temp.path(), "#336699");
    INFO("sway said: " << sway.log());
    REQUIRE(sway.running());

    const fs::path password_file = sway.runtime_dir() / "vnc-password";
    write_password_file(password_file, "Ab3dEf9h", sway.uid(), sway.gid());
    const std::uint16_t port = free_loopback_port();
    const auto started = Clock::now();
    Started wrapper = start_process(
        sway.as_user({HELPLINE_VNC_AUTH_BIN, "--port", std::to_string(port), "--password-file",
                      password_file.string(), "--", "wayvnc", "--unix-socket"}),
        temp / "wrapper.log");
    INFO("helpline-vnc-auth said: " << wrapper.said());
    REQUIRE(wait_for(
        [&] { return !listening_addresses(port).empty() || wrapper.process->exited(); }, 10s, 2ms));
    const auto wrapper_ms = ms_since(started);
    REQUIRE_FALSE(wrapper.process->exited());
    const std::string said = wrapper.said();  // "… 'wayvnc' ready on its private socket after N ms"
    const auto ready = said.find("ready on its private socket after ");
    std::cout << "vnc_auth timing: headless sway up (output HEADLESS-1) in "
              << sway.start_time().count() << " ms; helpline-vnc-auth + wayvnc listening in "
              << wrapper_ms << " ms (wayvnc's socket answered "
              << (ready == std::string::npos
                      ? "?"
                      : said.substr(ready + 34, said.find(" ms", ready) - ready - 34))
              << " ms after its start)\n";
    CHECK(listening_addresses(port) == std::vector<std::string>{"0100007F"});
    CHECK_FALSE(fs::exists(password_file));
    const auto dirs = private_dirs(sway.runtime_dir());
    REQUIRE(dirs.size() == 1);
    const auto wayvnc = processes_mentioning(dirs[0].string());
    REQUIRE(wayvnc.size() == 1);  // wayvnc --unix-socket <private folder>/vnc.sock

    // The launcher's probe, then a wrong password: refused.
    { RfbTcpViewer probe(port); }
    {
        RfbTcpViewer wrong(port);
        const RfbLogin login = wrong.login("Ab3dEf9x");
        CHECK_FALSE(login.ok);
        CHECK(login.reason.find("wrong password") != std::string::npos);
    }

    RfbTcpViewer viewer(port);
    REQUIRE(viewer.login("Ab3dEf9h").ok);
    RfbFrame frame = viewer.read_screen();
    CHECK(frame.width == 1280);
    CHECK(frame.height == 800);
    CHECK(frame.name == "WayVNC");
    // Every pixel is the background's but sway's pointer (software-drawn on the headless
    // output: an arrow, at most 32×32).
    constexpr std::uint32_t kPointerBox = 32;
    struct Others {
        std::size_t count = 0;
        std::uint32_t left = UINT32_MAX, top = UINT32_MAX, right = 0, bottom = 0;
        bool pointer_only() const {
            return count == 0 || (right - left < kPointerBox && bottom - top < kPointerBox);
        }
    };
    const auto others = [&] {
        Others o;
        for (std::uint32_t y = 0; y < frame.height; ++y)
            for (std::uint32_t x = 0; x < frame.width; ++x)
                if (frame.pixels[std::size_t{y} * frame.width + x] != kBackground) {
                    ++o.count;
                    o.left = std::min(o.left, x), o.right = std::max(o.right, x);
                    o.top = std::min(o.top, y), o.bottom = std::max(o.bottom, y);
                }
        return o;
    };
    // swaybg draws on its own time: what it had not drawn yet comes as a later change.
    const auto deadline = Clock::now() + 5s;
    while (!others().pointer_only() && Clock::now() < deadline) viewer.read_changes(frame, 500ms);
    write_ppm(frame, "vnc_auth_sway_screen.ppm");  // in the test's working folder, to look at
    const Others seen = others();
    INFO(seen.count << " pixels are not the background, within x " << seen.left << ".."
                    << seen.right << ", y " << seen.top << ".." << seen.bottom
                    << "; the screen is in vnc_auth_sway_screen.ppm");
    CHECK(seen.pointer_only());
    CHECK(seen.count < std::size_t{kPointerBox} * kPointerBox);
    CHECK(frame.pixels[400 * 1280 + 640] == kBackground);

    // The viewer leaves: helpline-vnc-auth, wayvnc and the private folder are gone in 2 s.
    const auto left = Clock::now();
    viewer.close();
    CHECK(wait_for([&] { return wrapper.process->exited(); }, 2s, 2ms));
    CHECK(wrapper.process->exit_status() == 0);
    CHECK(wait_for([&] { return process_dead(wayvnc.front()); }, 2s, 2ms));
    CHECK(private_dirs(sway.runtime_dir()).empty());
    CHECK(ms_since(left) < 2000);
    std::cout << "vnc_auth timing: everything gone " << ms_since(left)
              << " ms after the viewer left\n";
}

TEST_CASE(
    "on a wlroots desktop the launcher falls back from the portal backend (no RemoteDesktop "
    "portal: exit 4) to wayvnc behind helpline-vnc-auth, as the demo profile lists them",
    "[vnc_auth][sway]") {
    require_tools();
    TempDir temp;
    HeadlessSway sway(temp.path(), "#336699");
    INFO("sway said: " << sway.log());
    REQUIRE(sway.running());
    // The client in sway's session; its session bus has no portal with RemoteDesktop (here:
    // no bus at all, as on a sway without one; xdg-desktop-portal-wlr has ScreenCast only).
    EnvGuard env;
    env.set("WAYLAND_DISPLAY", sway.wayland_display());
    env.set("XDG_RUNTIME_DIR", sway.runtime_dir().string());
    env.set("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + (temp / "no-bus").string());
    const std::vector<ProfileBackend> backends = {
        {"portal", "wayland",
         {HELPLINE_PORTAL_VNC_BIN, "--port", "{port}", "--password-file", "{password_file}"}},
        {"wayvnc", "wayland",
         {HELPLINE_VNC_AUTH_BIN, "--port", "{port}", "--password-file", "{password_file}", "--",
          "wayvnc", "--unix-socket"}}};
    client::LaunchOptions options;
    options.session = client::SessionType::wayland;
    options.runtime_dir = temp / "run";
    options.ready_timeout = 20s;
    auto backend = client::launch_backend(backends, options);
    INFO((backend.ok() ? "" : backend.error().message));
    REQUIRE(backend.ok());
    CHECK(processes_mentioning(HELPLINE_PORTAL_VNC_BIN).empty());  // it said 4 and went
    CHECK(listening_addresses((*backend)->port()) == std::vector<std::string>{"0100007F"});

    RfbTcpViewer viewer((*backend)->port());
    REQUIRE(viewer.login((*backend)->password()).ok);
    const RfbFrame frame = viewer.read_screen();
    CHECK(frame.width == 1280);
    CHECK(frame.height == 800);
    CHECK(frame.name == "WayVNC");
    viewer.close();
    (*backend)->stop(500ms);
    CHECK(wait_for([] { return processes_mentioning(HELPLINE_VNC_AUTH_BIN).empty(); }, 2s));
}
