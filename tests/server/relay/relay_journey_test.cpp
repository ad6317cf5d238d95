// The whole remote session, every part real: helpline-server, a stamped `helpline-cli
// listen` answered on a pseudo-terminal, x11vnc on a private Xvfb, and an RFB client written
// here that comes in through the relay's WebSocket viewer as the operator's noVNC would:
// VNC password authentication, a framebuffer update of the Xvfb screen; then the operator
// ends the session and everything on the customer's side goes away.

#include <dirent.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "client/core/spawn_posix.h"
#include "tests/client/events/terminal_session.h"
#include "tests/client/session/session_support.h"
#include "tests/client/submit/cli_fixture.h"
#include "tests/server/relay/rfb_viewer.h"

namespace helpline::test {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;




}  // namespace

TEST_CASE("a real session: listen, x11vnc, the relay and an RFB viewer, then the operator ends it",
          "[xvfb]") {
    if (!client::find_executable("x11vnc") || !client::find_executable("Xvfb")) {
        WARN("SKIPPED: x11vnc or Xvfb is not installed (apt-get install -y x11vnc xvfb)");
        return;
    }
    Xvfb xvfb;
    REQUIRE(xvfb.running());

    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start();
    StampedCli cli(demo_profile(server.url()));
    const auto filed = cli.run({"request", "--group", "helpdesk", "--email", "ana@acme.example",
                                "--description", "Please look at my screen"});
    INFO(filed.out << filed.err);
    REQUIRE(filed.exit_code == 0);
    const auto ticket = queue_of(server).at(0).at("number").get<std::int64_t>();

    CurlOptions login;
    login.method = "POST";
    login.headers = {"Content-Type: application/json"};
    login.body =
        Json{{"email", server.admin_email()}, {"password", server.admin_password()}}.dump();
    const auto admin = body_json(curl_request(server.url("/api/v1/auth/login"), login))
                           .at("token")
                           .get<std::string>();
    const auto call = [&](const std::string& method, const std::string& path) {
        CurlOptions o;
        o.method = method;
        o.headers = {"Authorization: Bearer " + admin};
        return curl_request(server.url(path), o);
    };
    const auto connected = call("POST", "/api/v1/tickets/" + std::to_string(ticket) + "/connect");
    REQUIRE(connected.status == 201);
    const auto request = body_json(connected).at("request_id").get<std::string>();

    const auto env = cli.terminal_environment(xvfb.display());
    TerminalSession terminal({cli.binary().string(), "listen", "--once"}, env);
    REQUIRE(terminal.expect(kCountdown, 20s));
    allow_in_terminal(terminal);
    REQUIRE(terminal.expect("can see and control this computer", 30s));

    // The operator's console learns the session and the VNC password.
    Json followed;
    REQUIRE(wait_for([&] {
        followed = body_json(call("GET", "/api/v1/connection-requests/" + request));
        return followed.value("state", "") == "accepted";
    }));
    const auto session = followed.at("session_id").get<std::string>();
    const auto password = followed.at("vnc_password").get<std::string>();

    ViewOptions options;
    options.target = "/api/v1/relay/" + session + "/view";
    options.headers = {"Authorization: Bearer " + admin};
    options.protocols = {"binary"};
    ViewClient view(server.port(), options);
    INFO(view.handshake().status << " " << view.handshake().body);
    REQUIRE(view.open());

    // RFB 3.8 through the relay, as noVNC speaks it: the whole screen comes back.
    const RfbScreen screen = view_screen(view, password);
    CHECK(screen.width == 640);
    CHECK(screen.height == 480);
    CHECK(screen.area == std::uint64_t{screen.width} * screen.height);

    // The operator ends the session: the viewer closes, the client's tunnel and x11vnc go.
    CHECK(call("POST", "/api/v1/sessions/" + session + "/end").status == 204);
    CHECK(view.wait_closed(10s) == 4000);
    const auto code = terminal.wait_exit(30s);
    INFO(terminal.output());
    REQUIRE(code.has_value());
    CHECK(*code == 0);
    // The customer is told who ended it, even when the tunnel's end arrives before the
    // event that says why.
    CHECK_THAT(terminal.output(), Catch::Contains("Admin ended the session."));
    CHECK(wait_for([&] { return processes_mentioning(cli.xdg("runtime").string()).empty(); }, 10s));
    CHECK(body_json(call("GET", "/api/v1/connection-requests/" + request)).at("state") == "ended");

    // Audited: started once, ended once by the operator, with the bytes each way.
    int started = 0, ended = 0;
    const auto audit = body_json(call("GET", "/api/v1/audit"));
    INFO(audit.dump());
    for (const auto& e : audit.at("entries")) {
        if (e.value("session_id", "") != session) continue;
        started += e.at("action") == "started";
        if (e.at("action") != "ended") continue;
        ++ended;
        CHECK(e.at("actor") == "user:1");
        const auto detail = e.at("detail");
        CHECK(detail.at("bytes_to_operator").get<std::uint64_t>() >= screen.pixel_bytes());
        CHECK(detail.at("bytes_to_customer").get<std::uint64_t>() > 12);
    }
    CHECK(started == 1);
    CHECK(ended == 1);
}

}  // namespace helpline::test
