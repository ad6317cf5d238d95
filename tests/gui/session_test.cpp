// Remote sessions of the GUI client, every part real: helpline-server on 127.0.0.1, x11vnc on
// the Xvfb screen, the server's relay, and an RFB viewer (tests/server/relay) in the
// operator's place. Ending a session — End session in the bar, the operator, the client's
// exit — takes everything down within 2 s (docs/client.md): x11vnc gone, the tunnel closed
// (the viewer sees it), the bar gone; telling the server comes after and holds none of it.
#include <wx/button.h>
#include <wx/weakref.h>

#include <catch2/catch.hpp>

#include "tests/client/events/team_server.h"
#include "tests/client/session/session_support.h"
#include "tests/gui/client_actions.h"
#include "tests/gui/client_scene.h"
#include "tests/server/relay/rfb_viewer.h"
#include "tests/support/test_client.h"

using namespace helpline;
using namespace helpline::gui;
using namespace helpline::gui::test;
using helpline::test::admin_token;
using helpline::test::connect_ticket;
using helpline::test::create_ticket;
using helpline::test::request_state;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

namespace {

/// The bound on ending a session, from the end action to everything gone on this computer.
constexpr milliseconds kTeardownBound{2000};

/// An operator's view of a running session: the connection request's session and the
/// backend's one-time password, as the console gets them once the customer allowed.
struct AcceptedSession {
    std::string id;
    std::string vnc_password;
};

AcceptedSession accepted_session(const ServerProcess& server, const std::string& admin,
                                 const std::string& request) {
    helpline::test::CurlOptions get;
    get.headers = {"Authorization: Bearer " + admin};
    const auto reply =
        helpline::test::curl_request(server.url("/api/v1/connection-requests/" + request), get);
    REQUIRE(reply.status == 200);
    const auto doc = nlohmann::json::parse(reply.body);
    REQUIRE(doc.at("state") == "accepted");
    return {doc.at("session_id").get<std::string>(), doc.at("vnc_password").get<std::string>()};
}


/// x11vnc started for this client (its password file lives in the client's runtime folder).
bool backend_running(const ClientScene& scene) {
    return !helpline::test::processes_mentioning(scene.paths().runtime.string()).empty();
}

/// The audit entry that ended `session`.
nlohmann::json audited_end(const ServerProcess& server, const std::string& admin,
                           const std::string& session) {
    helpline::test::CurlOptions get;
    get.headers = {"Authorization: Bearer " + admin};
    const auto reply = helpline::test::curl_request(server.url("/api/v1/audit"), get);
    REQUIRE(reply.status == 200);
    const auto doc = nlohmann::json::parse(reply.body);  // outlives the loop over its entries
    for (const auto& e : doc.at("entries"))
        if (e.value("session_id", "") == session && e.at("action") == "ended") return e;
    return {};
}

/// Connects as the admin to a new ticket of the scene's device and clicks Allow once it is
/// enabled; returns the connection request.
std::string click_allow(ClientScene& scene, Client& client, const std::string& admin) {
    REQUIRE(pump_until([&] { return scene.connected(); }, seconds(20)));
    const auto ticket = create_ticket(scene.server(), scene.device_token());
    const auto request = connect_ticket(scene.server(), admin, ticket);
    REQUIRE(pump_until([&] { return client.remote().dialog() != nullptr; }, seconds(10)));
    auto* allow = client.remote().dialog()->FindWindow(wxID_OK);
    REQUIRE(pump_until([&] { return allow->IsEnabled(); }, seconds(5)));
    click_until(allow, [&] { return client.remote().dialog() == nullptr; });
    return request;
}

/// click_allow(), then waits for the session bar.
std::string allow_connection(ClientScene& scene, Client& client, const std::string& admin) {
    const auto request = click_allow(scene, client, admin);
    REQUIRE(client.remote().session_active());
    REQUIRE(pump_until(
        [&] {
            return client.remote().bar() != nullptr && client.remote().bar()->IsShownOnScreen();
        },
        seconds(30)));
    return request;
}

/// A session running through the relay: the admin connected to a new ticket, the customer
/// allowed, and the operator's viewer has authenticated and received the whole screen.
struct RelayedSession {
    std::string admin;
    std::string request;
    AcceptedSession session;
    std::unique_ptr<helpline::test::ViewClient> view;
    helpline::test::RfbScreen screen;
    wxWeakRef<SessionBar> bar;
};

RelayedSession relayed_session(ClientScene& scene, Client& client) {
    RelayedSession s;
    s.admin = admin_token(scene.server());
    s.request = allow_connection(scene, client, s.admin);
    s.session = accepted_session(scene.server(), s.admin, s.request);
    s.view = helpline::test::open_operator_view(scene.server().port(), s.admin, s.session.id);
    s.screen = helpline::test::view_screen(*s.view, s.session.vnc_password);
    s.bar = client.remote().bar();
    return s;
}

/// Waits, until `since + kTeardownBound` at most, for x11vnc to be gone, the viewer's
/// connection closed and `bar` gone; says what was late.
void require_torn_down(ClientScene& scene, helpline::test::ViewClient& view,
                       const wxWeakRef<SessionBar>& bar, Clock::time_point since) {
    const auto deadline = since + kTeardownBound;
    const auto left = [&] {
        return std::max(milliseconds(0),
                        std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
    };
    CHECK(pump_until([&] { return !bar; }, left()));
    CHECK(pump_until([&] { return !backend_running(scene); }, left()));
    CHECK(view.wait_closed(left()).has_value());
    const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - since);
    INFO("teardown took " << took.count() << " ms");
    CHECK(took <= kTeardownBound);
}

}  // namespace

TEST_CASE(
    "Allow: through the server's relay the operator's RFB viewer gets this screen; End session "
    "stops x11vnc, closes the tunnel and takes the bar down within 2 s",
    "[gui][consent][session]") {
    require_installed("x11vnc", "x11vnc");
    ClientScene scene;
    Client& client = scene.open();
    // The operator's side, as noVNC: VNC authentication with the one-time password, then
    // the whole of this Xvfb screen.
    auto [admin, request, session, view, screen, bar] = relayed_session(scene, client);
    CHECK(backend_running(scene));
    CHECK(client.frame()->notice_text() == "Admin can see and control this computer.");
    CHECK(bar->text() == "Admin can see and control this computer");
    CHECK(bar->HasFlag(wxSTAY_ON_TOP));
    CHECK(screen.width == static_cast<std::uint32_t>(wxGetDisplaySize().GetWidth()));
    CHECK(screen.height == static_cast<std::uint32_t>(wxGetDisplaySize().GetHeight()));
    CHECK(screen.area == std::uint64_t{screen.width} * screen.height);

    const auto clicked = click_until(bar->end_button(), [&] { return !bar; });
    require_torn_down(scene, *view, bar, clicked);
    CHECK(pump_until([&] { return !client.remote().session_active(); }, seconds(1)));
    CHECK(client.frame()->notice_text() == "The session has ended.");
    // The server is told in the background: it records the customer's end.
    CHECK(helpline::test::wait_for(
        [&] { return request_state(scene.server(), admin, request) == "ended"; }, seconds(10)));
    nlohmann::json ended;
    CHECK(helpline::test::wait_for(
        [&] { return !(ended = audited_end(scene.server(), admin, session.id)).is_null(); },
        seconds(10)));
    REQUIRE(ended.is_object());
    CHECK(ended.at("detail").at("bytes_to_operator").get<std::uint64_t>() >= screen.pixel_bytes());
}

TEST_CASE(
    "the operator ends a relayed session: within 2 s the bar goes, x11vnc stops and the tunnel "
    "closes, and the customer is told who ended it",
    "[gui][consent][session]") {
    require_installed("x11vnc", "x11vnc");
    ClientScene scene;
    Client& client = scene.open();
    auto [admin, request, session, view, screen, bar] = relayed_session(scene, client);
    helpline::test::CurlOptions end;
    end.method = "POST";
    end.headers = {"Authorization: Bearer " + admin};
    const auto asked = Clock::now();
    CHECK(helpline::test::curl_request(
              scene.server().url("/api/v1/sessions/" + session.id + "/end"), end)
              .status == 204);
    require_torn_down(scene, *view, bar, asked);
    CHECK(pump_until([&] { return !client.remote().session_active(); }, seconds(1)));
    CHECK(client.frame()->notice_text() == "Admin ended the session.");
}

TEST_CASE(
    "closing the client during a session takes x11vnc, the tunnel and the bar down within 2 s, "
    "and the server ends the session",
    "[gui][consent][session]") {
    require_installed("x11vnc", "x11vnc");
    ClientScene scene;
    Client& client = scene.open();
    auto [admin, request, session, view, screen, bar] = relayed_session(scene, client);
    const auto closing = Clock::now();
    scene.close();  // what App::OnExit does: the Client goes
    require_torn_down(scene, *view, bar, closing);
    CHECK(helpline::test::wait_for(
        [&] { return request_state(scene.server(), admin, request) == "ended"; }, seconds(10)));
}

TEST_CASE("a tunnel the relay refuses (a wrong token) ends the session at once and stops x11vnc",
          "[gui][consent][session]") {
    require_installed("x11vnc", "x11vnc");
    ClientOptions options;
    options.open_tunnel = [](const client::ServerEndpoint& endpoint, const std::string& session,
                             const std::string&, std::uint16_t port,
                             std::function<void(const client::TunnelStats&)> on_closed) {
        return client::RelayTunnel::open(endpoint, session, "not-the-relay-token", port,
                                         std::move(on_closed));
    };
    ClientScene scene;
    Client& client = scene.open({}, std::move(options));
    const auto admin = admin_token(scene.server());
    const auto request = click_allow(scene, client, admin);
    REQUIRE(pump_until([&] { return !client.remote().session_active(); }, seconds(30)));
    CHECK(client.remote().bar() == nullptr);
    // In the customer's words; the relay's own answer is in the log.
    CHECK(client.frame()->notice_text() ==
          "The remote session could not be connected to the support server: The support server "
          "refused the connection for this session. The session has ended.");
    CHECK_THAT(helpline::test::read_text(scene.paths().state / "client.log"),
               Catch::Contains("Remote session for request " + request));
    CHECK(helpline::test::wait_for([&] { return !backend_running(scene); }, seconds(5)));
    CHECK(helpline::test::wait_for(
        [&] { return request_state(scene.server(), admin, request) == "ended"; }, seconds(10)));
}
