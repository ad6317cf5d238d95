// The headless GNOME harness itself (tests/support/headless_gnome.*, mutter_desktop.py,
// portal_probe.py, wayland_test_window.c): the desktop comes up, shows the test window's
// known picture, carries pointer and key events to it, its portal dialog can be answered
// both ways, and nothing of it is left once it is stopped.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "tests/client/session/session_support.h"
#include "tests/support/fixtures.h"
#include "tests/client/wayland/wayland_support.h"
#include "tests/support/headless_gnome.h"

namespace helpline::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// The processes whose environment names `runtime_dir` as XDG_RUNTIME_DIR: all of the
/// desktop's, also any that left its process group.
std::vector<int> processes_of_session(const std::string& runtime_dir) {
    std::vector<int> found;
    const std::string needle = "XDG_RUNTIME_DIR=" + runtime_dir;
    for (const auto& p : list_processes()) {
        if (p.state == 'Z' || p.state == 'X') continue;
        const std::string env = read_text("/proc/" + std::to_string(p.pid) + "/environ");
        // Entries are NUL-terminated: match a whole entry.
        for (auto at = env.find(needle); at != std::string::npos; at = env.find(needle, at + 1)) {
            const bool starts = at == 0 || env[at - 1] == '\0';
            const std::size_t end = at + needle.size();
            if (starts && (end == env.size() || env[end] == '\0')) {
                found.push_back(p.pid);
                break;
            }
        }
    }
    return found;
}

/// Width and height from a PNG's IHDR chunk; {0, 0} when `data` is no PNG.
std::pair<std::uint32_t, std::uint32_t> png_size(const std::string& data) {
    if (data.size() < 24 || data.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 ||
        data.compare(12, 4, "IHDR") != 0)
        return {0, 0};
    const auto be32 = [&](std::size_t at) {
        std::uint32_t value = 0;
        for (std::size_t i = 0; i < 4; ++i)
            value = (value << 8) | static_cast<unsigned char>(data[at + i]);
        return value;
    };
    return {be32(16), be32(20)};
}

}  // namespace

TEST_CASE("a headless GNOME desktop shows a window, carries input to it and asks for consent",
          "[wayland]") {
    const fs::path window_binary = HeadlessGnome::test_window();
    if (window_binary.empty())
        FAIL(
            "libgtk-3-dev was missing when the build was configured: apt-get install -y "
            "--no-install-recommends libgtk-3-dev, then reconfigure");

    int group = -1;
    std::string runtime_dir;
    {
        HeadlessGnome gnome;
        INFO(gnome.log());
        REQUIRE(gnome.running());
        group = gnome.process_group();
        runtime_dir = gnome.variable("XDG_RUNTIME_DIR");
        REQUIRE(!runtime_dir.empty());
        CHECK(gnome.variable("XDG_SESSION_TYPE") == "wayland");
        CHECK(gnome.variable("XDG_CURRENT_DESKTOP") == "GNOME");
        CHECK(!processes_of_session(runtime_dir).empty());

        DesktopProgram window(gnome, {"GDK_BACKEND=wayland", window_binary.string()});
        REQUIRE(printed(window, "ready", 30s));
        // The held keyboard makes the new window the focused one.
        CHECK(printed(window, "focus in", 10s));

        SECTION("one frame of the monitor shows the four quadrants") {
            // "ready" comes as the window draws: the compositor shows it a moment later.
            DesktopRun pixels;
            const bool shown = wait_for(
                [&] {
                    pixels = gnome.desktop(
                        {"pixels", "320,200", "960,200", "320,600", "960,600", "0,0", "1279,799"});
                    return pixels.status == 0 &&
                           pixels.output ==
                               "320 200 255 0 0\n960 200 0 255 0\n320 600 0 0 255\n"
                               "960 600 255 255 255\n0 0 255 0 0\n1279 799 255 255 255\n";
                },
                20s, 100ms);
            INFO(pixels.output);
            CHECK(shown);

            const fs::path png = screenshot("wayland_harness_quadrants.png");
            const DesktopRun shot = gnome.desktop({"shot", png.string()});
            INFO(shot.output);
            REQUIRE(shot.status == 0);
            CHECK(png_size(read_text(png)) == std::make_pair(1280u, 800u));
        }

        SECTION("pointer motion, buttons, scrolling and keys reach the focused window") {
            // The first motion may only bring the pointer into the window (an enter event
            // at a position of its own); the second one is a plain motion.
            REQUIRE(gnome.desktop({"move", "100", "100"}).status == 0);
            std::size_t mark = window.output().size();
            REQUIRE(gnome.desktop({"move", "200", "150"}).status == 0);
            CHECK(printed(window, "motion 200 150", 10s, mark));

            mark = window.output().size();
            REQUIRE(gnome.desktop({"click", "900", "600"}).status == 0);
            CHECK(printed(window, "motion 900 600", 10s, mark));
            CHECK(printed(window, "button 1 pressed", 10s, mark));
            CHECK(printed(window, "button 1 released", 10s, mark));

            mark = window.output().size();
            REQUIRE(gnome.desktop({"click", "300", "500", "right"}).status == 0);
            CHECK(printed(window, "button 3 pressed", 10s, mark));
            CHECK(printed(window, "button 3 released", 10s, mark));

            mark = window.output().size();
            REQUIRE(gnome.desktop({"scroll", "down"}).status == 0);
            CHECK(printed(window, "scroll down", 10s, mark));

            mark = window.output().size();
            const DesktopRun keys = gnome.desktop({"keys", "a", "Tab", "Return", "Control_L+c"});
            INFO(keys.output);
            REQUIRE(keys.status == 0);
            for (const char* line :
                 {"key a pressed", "key a released", "key Tab pressed", "key Return pressed",
                  "key Control_L pressed", "key c pressed", "key Control_L released"})
                CHECK(printed(window, line, 10s, mark));

            const DesktopRun wrong = gnome.desktop({"keys", "NoSuchKey"});
            CHECK(wrong.status == 1);
            CHECK(wrong.output.find("'NoSuchKey' is not a keysym name") != std::string::npos);
        }

        SECTION("the portal's dialog is answered with Share, then with Cancel") {
            const std::string probe_script =
                (HeadlessGnome::support_dir() / "portal_probe.py").string();
            {
                DesktopProgram probe(gnome, {"/usr/bin/python3", probe_script});
                REQUIRE(printed(probe, "start requested", 30s));
                const DesktopRun answer = gnome.desktop(
                    {"answer-portal", "share", "--shot",
                     screenshot("wayland_harness_portal_dialog.png").string(), "--save",
                     screenshot("wayland_harness_share_failed.png").string()});
                INFO(answer.output);
                REQUIRE(answer.status == 0);
                REQUIRE(printed(probe, "response 0", 30s));
                // "Allow remote interaction" was switched on: keyboard (1) and pointer (2).
                CHECK(printed(probe, "devices 3", 5s));
                CHECK(printed(probe, "closed", 10s));
                CHECK(probe.output().find("\nstream ") != std::string::npos);
                CHECK(probe.output().find(" 0 0 1280 800\n") != std::string::npos);
            }
            {
                DesktopProgram probe(gnome, {"/usr/bin/python3", probe_script});
                REQUIRE(printed(probe, "start requested", 30s));
                const DesktopRun answer =
                    gnome.desktop({"answer-portal", "cancel", "--save",
                                   screenshot("wayland_harness_cancel_failed.png").string()});
                INFO(answer.output);
                REQUIRE(answer.status == 0);
                CHECK(printed(probe, "response 1", 30s));
                CHECK(printed(probe, "closed", 10s));
            }
            // Back to the window: it has the keyboard again once the dialog is gone.
            const std::size_t mark = window.output().size();
            REQUIRE(gnome.desktop({"click", "100", "100"}).status == 0);
            REQUIRE(gnome.desktop({"keys", "x"}).status == 0);
            CHECK(printed(window, "key x pressed", 10s, mark));
        }
    }

    // The desktop's destructor has stopped all of it.
    CHECK(group_gone(group));
    CHECK(processes_of_session(runtime_dir).empty());
    CHECK(!fs::exists(runtime_dir));
}

}  // namespace helpline::test
