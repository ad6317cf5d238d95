// The relay's refusals at the real helpline-server (docs/protocol.md "Relay",
// docs/security.md): who may open the tunnel and the viewer, from which page, how often,
// for which state of the session; and that the relay route is no proxy, whatever form the
// request takes. The state check behind a real session id, for states the API never gives
// one, is in relay_api_test.cpp.

#include <catch2/catch.hpp>

#include "tests/server/relay/relay_scene.h"
#include "tests/server/relay/view_client.h"

namespace helpline::test {
namespace {

using namespace std::chrono_literals;

/// The headers of a tunnel request with `token`, after the request line and Host.
std::string tunnel_headers(const std::string& token) {
    return "Upgrade: helpline-relay/1\r\nConnection: Upgrade\r\nAuthorization: Bearer " + token +
           "\r\n";
}

/// The headers of a WebSocket handshake, after the request line and Host.
std::string websocket_headers() {
    return "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: binary\r\n";
}

/// The state and the session id the requesting operator sees for `request`.
Json request_seen(const RelayScene& scene, const std::string& request) {
    const auto r =
        scene.call("GET", "/api/v1/connection-requests/" + request, scene.operator_token);
    INFO(r.body);
    REQUIRE(r.status == 200);
    return body_json(r);
}

}  // namespace

TEST_CASE("a browser viewer comes with the session cookie and the server's own Origin") {
    RelayScene scene;
    const auto port = scene.port();
    const std::string own = "http://127.0.0.1:" + std::to_string(port);
    const auto status = [&](const ViewOptions& options) {
        return ViewClient(port, options).handshake().status;
    };
    CHECK(status(scene.cookie_view(scene.operator_token, "https://evil.example")) == 403);
    CHECK(status(scene.cookie_view(scene.operator_token, "http://127.0.0.1:1")) == 403);
    CHECK(status(scene.cookie_view(scene.operator_token, "null")) == 403);
    CHECK(status(scene.cookie_view(scene.operator_token, "")) == 403);  // no Origin at all
    auto foreign_bearer = scene.bearer_view(scene.operator_token);
    foreign_bearer.headers.push_back("Origin: https://evil.example");
    CHECK(status(foreign_bearer) == 403);
    CHECK(status(scene.cookie_view("not-a-session", own)) == 401);
    // The refusals spent nothing: the server's own page gets the viewer.
    ViewClient view(port, scene.cookie_view(scene.operator_token, own));
    CHECK(view.open());
}

TEST_CASE("behind a local TLS-terminating proxy the https form of the server's origin is its own") {
    RelayScene scene;
    const std::string origin = "https://127.0.0.1:" + std::to_string(scene.port());
    ViewClient view(scene.port(), scene.cookie_view(scene.operator_token, origin));
    CHECK(view.open());
}

TEST_CASE("the tunnel is refused without the session's relay token, and opens once") {
    RelayScene scene;
    const auto port = scene.port();
    CHECK(raw_tunnel_status(port, scene.session_id, "") == 401);
    CHECK(raw_tunnel_status(port, scene.session_id, "not-the-token") == 401);
    CHECK(raw_tunnel_status(port, scene.session_id, scene.device.token) == 401);
    CHECK(raw_tunnel_status(port, "0123456789abcdef0123456789abcdef", scene.relay_token) == 404);
    CHECK(raw_tunnel_status(port, scene.session_id, scene.relay_token, /*upgrade=*/false) == 426);
    // The first real tunnel opens; a second with the same token is refused, also after the
    // first has gone.
    {
        Customer customer(scene);
        CHECK(raw_tunnel_status(port, scene.session_id, scene.relay_token) == 409);
    }
    CHECK(raw_tunnel_status(port, scene.session_id, scene.relay_token) == 409);
}

TEST_CASE("the viewer is the requesting operator's alone, and opens once") {
    RelayScene scene;
    const auto port = scene.port();
    scene.add_user("bruno@team.example", "Bruno", "bruno-password-1");
    const auto bruno = scene.login("bruno@team.example", "bruno-password-1");
    CHECK(ViewClient(port, scene.bearer_view(bruno)).handshake().status == 404);
    // Not even another admin: the customer agreed to the operator who asked.
    scene.add_user("carla@team.example", "Carla", "carla-password-1", "admin");
    const auto carla = scene.login("carla@team.example", "carla-password-1");
    CHECK(scene.call("GET", "/api/v1/users", carla).status == 200);  // an admin indeed
    CHECK(ViewClient(port, scene.bearer_view(carla)).handshake().status == 404);
    const std::string own = "http://127.0.0.1:" + std::to_string(port);
    CHECK(ViewClient(port, scene.cookie_view(carla, own)).handshake().status == 404);
    CHECK(ViewClient(port, scene.bearer_view(scene.device.token)).handshake().status == 403);
    CHECK(ViewClient(port, scene.bearer_view("")).handshake().status == 401);
    auto no_binary = scene.bearer_view(scene.operator_token);
    no_binary.protocols = {"base64"};
    CHECK(ViewClient(port, no_binary).handshake().status == 400);
    // Not a WebSocket handshake at all.
    CHECK(scene.call("GET", "/api/v1/relay/" + scene.session_id + "/view", scene.operator_token)
              .status == 426);

    ViewClient first(port, scene.bearer_view(scene.operator_token));
    REQUIRE(first.open());
    CHECK(ViewClient(port, scene.bearer_view(scene.operator_token)).handshake().status == 409);
    // Offering no subprotocol is fine too (for the second session below).
    first.close();
    CHECK(ViewClient(port, scene.bearer_view(scene.operator_token)).handshake().status == 409);
}

TEST_CASE("a pending or declined request has no session: nothing to view or tunnel") {
    RelayScene scene(relay_args(), /*accept=*/false);
    const auto port = scene.port();
    // Pending: the operator is given no session id, so there is nothing to name. The
    // request's own id is not one.
    const auto pending = request_seen(scene, scene.request_id);
    CHECK(pending.at("state") == "pending");
    CHECK_FALSE(pending.contains("session_id"));
    CHECK_FALSE(pending.contains("vnc_password"));
    auto view = scene.bearer_view(scene.operator_token);
    view.target = "/api/v1/relay/" + scene.request_id + "/view";
    CHECK(ViewClient(port, view).handshake().status == 404);
    CHECK(raw_tunnel_status(port, scene.request_id, scene.device.token) == 404);

    // Declined: the same, and it stays so (a late accept is refused and gives no token).
    REQUIRE(scene
                .call("POST", "/api/v1/connection-requests/" + scene.request_id + "/decline",
                      scene.device.token)
                .status == 204);
    const auto late =
        scene.call("POST", "/api/v1/connection-requests/" + scene.request_id + "/accept",
                   scene.device.token, Json{{"vnc_password", "password1"}});
    CHECK(late.status == 409);
    CHECK_FALSE(body_json(late).contains("relay_token"));
    const auto declined = request_seen(scene, scene.request_id);
    CHECK(declined.at("state") == "declined");
    CHECK_FALSE(declined.contains("session_id"));
    CHECK(ViewClient(port, view).handshake().status == 404);
    CHECK(raw_tunnel_status(port, scene.request_id, scene.device.token) == 404);
}

TEST_CASE("an expired request has no session: the late accept, the viewer and the tunnel fail") {
    RelayScene scene(relay_args({"--request-timeout", "1", "--sweep-interval-ms", "100"}),
                     /*accept=*/false);
    const auto port = scene.port();
    REQUIRE(wait_for([&] { return scene.state() == "expired"; }, 10s, 100ms));
    const auto late =
        scene.call("POST", "/api/v1/connection-requests/" + scene.request_id + "/accept",
                   scene.device.token, Json{{"vnc_password", "password1"}});
    CHECK(late.status == 409);
    const auto answer = body_json(late);
    CHECK_FALSE(answer.contains("session_id"));
    CHECK_FALSE(answer.contains("relay_token"));
    const auto expired = request_seen(scene, scene.request_id);
    CHECK(expired.at("state") == "expired");
    CHECK_FALSE(expired.contains("session_id"));
    // What a customer's client or an operator could still try: the request's id, with the
    // device's token or the operator's.
    auto view = scene.bearer_view(scene.operator_token);
    view.target = "/api/v1/relay/" + scene.request_id + "/view";
    CHECK(ViewClient(port, view).handshake().status == 404);
    CHECK(raw_tunnel_status(port, scene.request_id, scene.device.token) == 404);
    CHECK(raw_tunnel_status(port, scene.request_id, scene.operator_token) == 404);
}

TEST_CASE("an ended session relays nothing more: tunnel and viewer are refused") {
    RelayScene scene;
    const auto port = scene.port();
    REQUIRE(scene.end(scene.device.token) == 204);
    CHECK(raw_tunnel_status(port, scene.session_id, scene.relay_token) == 409);
    CHECK(ViewClient(port, scene.bearer_view(scene.operator_token)).handshake().status == 409);
}

TEST_CASE("the relay route is no proxy: CONNECT, absolute-form and a foreign Host reach nothing") {
    RelayScene scene;
    const auto port = scene.port();
    // Stands for a service on another machine that a proxy would connect to.
    Listener elsewhere;
    const std::string there = "127.0.0.1:" + std::to_string(elsewhere.port());
    const std::string relay = "/api/v1/relay/" + scene.session_id;

    // CONNECT to that address, and CONNECT naming the relay route with the session's token.
    CHECK(raw_status(port, "CONNECT " + there + " HTTP/1.1\r\nHost: " + there + "\r\n\r\n") == 400);
    CHECK(raw_status(port, "CONNECT " + relay + " HTTP/1.1\r\nHost: " + there + "\r\n" +
                               tunnel_headers(scene.relay_token) + "\r\n") == 405);
    // Absolute-form targets naming the other machine, with valid credentials.
    CHECK(raw_status(port, "GET http://" + there + relay + " HTTP/1.1\r\nHost: " + there + "\r\n" +
                               tunnel_headers(scene.relay_token) + "\r\n") == 400);
    CHECK(raw_status(port, "GET http://" + there + relay + "/view HTTP/1.1\r\nHost: " + there +
                               "\r\n" + websocket_headers() + "Authorization: Bearer " +
                               scene.operator_token + "\r\n\r\n") == 400);
    // A Host naming the other machine: without the token refused as always; a browser's
    // viewer (cookie, the server's own Origin) refused, the Origin is not that Host's.
    CHECK(raw_status(port, "GET " + relay + " HTTP/1.1\r\nHost: " + there + "\r\n" +
                               tunnel_headers("not-the-token") + "\r\n") == 401);
    CHECK(raw_status(port,
                     "GET " + relay + "/view HTTP/1.1\r\nHost: " + there + "\r\n" +
                         websocket_headers() + "Cookie: helpline_session=" + scene.operator_token +
                         "\r\nOrigin: http://127.0.0.1:" + std::to_string(port) + "\r\n\r\n") ==
          403);
    CHECK(elsewhere.accept(300ms) < 0);  // nothing came to the other machine

    // None of that spent the token or the viewer. The server routes nothing by Host: with
    // the right token, a tunnel naming another machine still leads to this session's viewer
    // alone, and what it sends arrives there.
    ViewClient view(port, scene.bearer_view(scene.operator_token));
    REQUIRE(view.open());
    RawSocket tunnel("127.0.0.1", port);
    REQUIRE(tunnel.send("GET " + relay + " HTTP/1.1\r\nHost: " + there + "\r\n" +
                        tunnel_headers(scene.relay_token) + "\r\nhello, operator"));
    const auto head = tunnel.receive_until(
        [](const std::string& r) { return r.find("\r\n\r\n") != std::string::npos; }, 10s);
    CHECK(head.rfind("HTTP/1.1 101 ", 0) == 0);
    CHECK(view.take(15, 10s) == "hello, operator");
    CHECK(elsewhere.accept(300ms) < 0);
}

}  // namespace helpline::test
