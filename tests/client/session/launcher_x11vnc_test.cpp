// The launcher with the real x11vnc of the demo profile on a private Xvfb display: it speaks
// RFB, demands the VNC password, listens on loopback only, and stop leaves nothing behind.

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <sstream>

#include "client/core/backend_launcher.h"
#include "client/core/spawn.h"
#include "tests/client/session/session_support.h"
#include "tests/support/fixtures.h"
#include "tests/support/test_client.h"

using namespace helpline;
using namespace helpline::client;
using namespace helpline::test;
using namespace std::chrono_literals;

namespace {

std::vector<ProfileBackend> demo_backends() {
    Profile profile;
    const auto problems =
        parse_profile_text(read_text(source_path("branding/profiles/demo/profile.json")), profile);
    REQUIRE(problems.empty());
    return profile.remote.backends;
}


}  // namespace

TEST_CASE("x11vnc from the demo profile serves RFB with password authentication on loopback only",
          "[launcher][x11vnc]") {
    // Missing tools fail the test: a skip would look like a pass.
    if (!find_executable("x11vnc") || !find_executable("Xvfb"))
        FAIL("x11vnc or Xvfb is not installed: apt-get install -y x11vnc xvfb (scripts/test "
             "installs them)");
    Xvfb xvfb;
    REQUIRE(xvfb.running());
    TempDir temp;
    LaunchOptions options;
    options.session = SessionType::x11;
    options.display = xvfb.display();
    options.runtime_dir = temp / "run";
    options.ready_timeout = 20s;

    auto launched = launch_backend(demo_backends(), options);
    INFO((launched.ok() ? "" : launched.error().message));
    REQUIRE(launched.ok());
    auto& backend = **launched;
    CHECK(backend.running());
    CHECK(std::regex_match(backend.password(), std::regex("[A-Za-z0-9]{8}")));
    const int pgid = backend.pid();

    // x11vnc read the one-time password file with "rm:" and deleted it before listening.
    bool no_password_file = true;
    for (const auto& entry : fs::directory_iterator(temp / "run"))
        if (entry.path().filename().string().rfind("vnc-password-", 0) == 0)
            no_password_file = false;
    CHECK(no_password_file);

    // Loopback only: every listening socket on the port is 127.0.0.1 or ::1.
    const auto addresses = listening_addresses(backend.port());
    CHECK_FALSE(addresses.empty());
    CHECK(std::find(addresses.begin(), addresses.end(), "0100007F") != addresses.end());
    for (const auto& a : addresses) {
        INFO("listening on " << a);
        CHECK((a == "0100007F" || a == "00000000000000000000000001000000"));
    }

    // The RFB greeting, then the security types: VNC authentication (2), never None (1).
    RawSocket socket("127.0.0.1", backend.port());
    REQUIRE(socket.connected());
    const std::string greeting =
        socket.receive_until([](const std::string& r) { return r.size() >= 12; }, 10s);
    REQUIRE(greeting.size() >= 12);
    CHECK(std::regex_match(greeting.substr(0, 12), std::regex("RFB 003\\.00[3-8]\n")));
    REQUIRE(socket.send("RFB 003.008\n"));
    const std::string types = socket.receive_until(
        [](const std::string& r) {
            return r.size() > 12 && r.size() >= 13u + static_cast<unsigned char>(r[12]);
        },
        10s);
    REQUIRE(types.size() > 12);
    const std::size_t count = static_cast<unsigned char>(types[12]);
    REQUIRE(count > 0);
    REQUIRE(types.size() >= 13 + count);
    const std::string offered = types.substr(13, count);
    CHECK(offered.find('\x02') != std::string::npos);
    CHECK(offered.find('\x01') == std::string::npos);
    socket.close();

    backend.stop();
    CHECK_FALSE(backend.running());
    CHECK(group_gone(pgid));
    CHECK(process_dead(pgid));
    CHECK(wait_for([&] { return listening_addresses(backend.port()).empty(); }, 5s));
    bool leftovers = false;
    for (const auto& entry : fs::directory_iterator(temp / "run"))
        if (entry.path().filename().string().rfind("vnc-password-", 0) == 0) leftovers = true;
    CHECK_FALSE(leftovers);
}
