// helpline-portal-vnc's answers before any desktop is asked: what the launcher reads from its
// exit status (client/core/backend_exit.h) and what the customer's log then says.

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "client/core/backend_exit.h"
#include "tests/client/wayland/wayland_support.h"
#include "tests/support/fixtures.h"
#include "tests/support/server_process.h"

namespace helpline::test {
namespace {

std::filesystem::path password_file(const TempDir& temp, mode_t mode = 0600) {
    const auto path = temp / "vnc-password";
    write_text(path, "Ab3dEf9h\n");
    ::chmod(path.c_str(), mode);
    return path;
}

}  // namespace

TEST_CASE("on a session bus without a RemoteDesktop portal (wlroots) it exits 4: try the next "
          "backend",
          "[wayland]") {
    TempDir temp;
    const auto file = password_file(temp);
    // A bus of its own with nothing on it: no org.freedesktop.portal.Desktop at all.
    const auto result =
        run_program({"/usr/bin/dbus-run-session", "--", kPortalVnc, "--port", "5999",
                     "--password-file", file.string()},
                    {}, std::chrono::seconds(60));
    INFO(result.out << result.err);
    CHECK(result.exit_code == client::backend_exit::kUnavailable);
    CHECK_THAT(result.err, Catch::Contains("offers no remote desktop portal"));
    CHECK_FALSE(std::filesystem::exists(file));  // read and deleted before anything else
}

TEST_CASE("a password file that others may read is refused (exit 2) before the desktop is asked",
          "[wayland]") {
    TempDir temp;
    const auto result = run_program(
        {kPortalVnc, "--port", "5999", "--password-file", password_file(temp, 0644).string()}, {},
        std::chrono::seconds(30));
    INFO(result.out << result.err);
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Catch::Contains("has mode 0644"));
    const auto missing = run_program(
        {kPortalVnc, "--port", "5999", "--password-file", (temp / "none").string()}, {},
        std::chrono::seconds(30));
    CHECK(missing.exit_code == 2);
    CHECK_THAT(missing.err, Catch::Contains("cannot be opened"));
}

}  // namespace helpline::test
