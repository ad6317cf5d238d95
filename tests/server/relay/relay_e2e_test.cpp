// The relay at the real helpline-server: the customer's tunnel through the real client
// core (RelayTunnel) to a loopback "backend", the operator's viewer as a WebSocket. Bytes
// both ways, every refusal of docs/protocol.md, every way a relayed session ends, and the
// audit it leaves.

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>

#include "client/core/relay_tunnel.h"
#include "tests/client/session/session_support.h"
#include "tests/server/relay/relay_scene.h"
#include "tests/server/relay/view_client.h"

namespace helpline::test {
namespace {

using namespace std::chrono_literals;

/// The customer's whole side: a backend listening on 127.0.0.1 and the tunnel to it.
struct Customer {
    Listener backend_listener;
    std::unique_ptr<client::RelayTunnel> tunnel;
    std::atomic<bool> closed{false};
    int backend = -1;

    explicit Customer(const RelayScene& scene) {
        client::ServerEndpoint endpoint;
        endpoint.base_url = "http://127.0.0.1:" + std::to_string(scene.port());
        auto opened = client::RelayTunnel::open(
            endpoint, scene.session_id, scene.relay_token, backend_listener.port(),
            [this](const client::TunnelStats&) { closed = true; });
        INFO((opened ? std::string() : opened.error().message));
        REQUIRE(opened.ok());
        tunnel = std::move(*opened);
        backend = backend_listener.accept(10s);
        REQUIRE(backend >= 0);
    }
    ~Customer() {
        if (tunnel) tunnel->stop();
        if (backend >= 0) ::close(backend);
    }
    Customer(const Customer&) = delete;
    Customer& operator=(const Customer&) = delete;

    void send(const std::string& bytes) { REQUIRE(send_all(backend, bytes)); }
    std::string receive(std::size_t count) { return read_exactly(backend, count, 10s); }
};

long audit_count(const RelayScene& scene, const std::string& action) {
    long n = 0;
    for (const auto& e : scene.audit()) n += e.at("action") == action;
    return n;
}

}  // namespace

TEST_CASE("bytes go both ways between the customer's backend and the operator's viewer") {
    RelayScene scene;
    Customer customer(scene);
    ViewClient view(scene.port(), scene.bearer_view(scene.operator_token));
    INFO(view.handshake().status << " " << view.handshake().body << view.handshake().error);
    REQUIRE(view.open());
    CHECK(view.handshake().protocol == "binary");

    customer.send("RFB 003.008\n");
    CHECK(view.take(12, 10s) == "RFB 003.008\n");
    REQUIRE(view.send("RFB 003.008\n"));
    CHECK(customer.receive(12) == "RFB 003.008\n");

    // A bulk transfer both ways at once, larger than every buffer on the way.
    const std::string down = random_bytes(8 * 1024 * 1024, 1);
    const std::string up = random_bytes(1024 * 1024, 2);
    std::string backend_received;
    std::thread backend_side(
        [&] { backend_received = transfer(customer.backend, down, up.size(), 30s); });
    bool sent = true;
    for (std::size_t at = 0; at < up.size() && sent; at += 32 * 1024)
        sent = view.send(up.substr(at, 32 * 1024));
    const auto got = view.take(down.size(), 30s);
    backend_side.join();
    INFO(view.write_error());
    REQUIRE(sent);
    CHECK(checksum(backend_received) == checksum(up));
    REQUIRE(got);
    CHECK(checksum(*got) == checksum(down));

    // Both sides were connected: started, once.
    CHECK(wait_for([&] { return audit_count(scene, "started") == 1; }, 5s));

    // The operator ends the session: both sides close at once.
    CHECK(scene.end(scene.operator_token) == 204);
    CHECK(view.wait_closed(5s) == 4000);
    CHECK(wait_for([&] { return customer.closed.load(); }, 5s));
    CHECK(wait_eof(customer.backend, 5s));
    CHECK(scene.state() == "ended");
    // One "ended" entry, by the operator, with the bytes each way.
    REQUIRE(wait_for([&] { return audit_count(scene, "ended") == 1; }, 5s));
    for (const auto& e : scene.audit()) {
        if (e.at("action") != "ended") continue;
        CHECK(e.at("actor") == "user:1");
        const auto detail = e.at("detail");
        CHECK(detail.at("bytes_to_operator") == 12 + down.size());
        CHECK(detail.at("bytes_to_customer") == 12 + up.size());
    }
    // The relay's own end did not write a second entry.
    std::this_thread::sleep_for(200ms);  // (nothing to poll for: asserting an absence)
    CHECK(audit_count(scene, "ended") == 1);
}

TEST_CASE("either side may come first: the viewer waits for the tunnel") {
    RelayScene scene;
    ViewClient view(scene.port(), scene.bearer_view(scene.operator_token));
    REQUIRE(view.open());
    Customer customer(scene);
    customer.send("hello");
    CHECK(view.take(5, 10s) == "hello");
}

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

TEST_CASE("nothing is relayed for a request that is pending, declined or expired") {
    RelayScene scene(relay_args({"--request-timeout", "1", "--sweep-interval-ms", "100"}),
                     /*accept=*/false);
    const auto port = scene.port();
    // No session exists before the customer accepts: the request's id is not one.
    auto view = scene.bearer_view(scene.operator_token);
    view.target = "/api/v1/relay/" + scene.request_id + "/view";
    CHECK(ViewClient(port, view).handshake().status == 404);
    CHECK(raw_tunnel_status(port, scene.request_id, "anything") == 404);

    const auto declined = scene.connect();
    REQUIRE(scene
                .call("POST", "/api/v1/connection-requests/" + declined + "/decline",
                      scene.device.token)
                .status == 204);
    view.target = "/api/v1/relay/" + declined + "/view";
    CHECK(ViewClient(port, view).handshake().status == 404);

    // Expired: the answer comes too late, so there is never a session.
    const auto late = scene.connect();
    REQUIRE(wait_for([&] { return scene.state(late) == "expired"; }, 10s, 100ms));
    const auto accepted = scene.call("POST", "/api/v1/connection-requests/" + late + "/accept",
                                     scene.device.token, Json{{"vnc_password", "password1"}});
    CHECK(accepted.status == 409);
}

TEST_CASE("an ended session relays nothing more: tunnel and viewer are refused") {
    RelayScene scene;
    const auto port = scene.port();
    REQUIRE(scene.end(scene.device.token) == 204);
    CHECK(raw_tunnel_status(port, scene.session_id, scene.relay_token) == 409);
    CHECK(ViewClient(port, scene.bearer_view(scene.operator_token)).handshake().status == 409);
}

TEST_CASE("the customer's side closing ends the viewer after the last bytes, and the session") {
    RelayScene scene;
    Customer customer(scene);
    ViewClient view(scene.port(), scene.bearer_view(scene.operator_token));
    REQUIRE(view.open());
    const std::string last = random_bytes(600 * 1024, 3);
    customer.send(last);
    ::shutdown(customer.backend, SHUT_WR);  // the backend exits: the tunnel drains, then closes
    CHECK(view.wait_closed(10s) == 1000);
    CHECK(checksum(view.wait_bytes(last.size(), 1s)) == checksum(last));
    CHECK(wait_for([&] { return customer.closed.load(); }, 5s));
    REQUIRE(wait_for([&] { return scene.state() == "ended"; }, 5s));
    REQUIRE(wait_for([&] { return audit_count(scene, "ended") == 1; }, 5s));
    for (const auto& e : scene.audit()) {
        if (e.at("action") != "ended") continue;
        CHECK(e.at("actor") == "system");
        const auto detail = e.at("detail");
        CHECK(detail.at("reason") == "customer-closed");
        CHECK(detail.at("bytes_to_operator") == last.size());
    }
    // The customer's client ending it afterwards finds it ended.
    CHECK(scene.end(scene.device.token) == 409);
}

TEST_CASE("the viewer closing closes the customer's tunnel") {
    RelayScene scene;
    Customer customer(scene);
    ViewClient view(scene.port(), scene.bearer_view(scene.operator_token));
    REQUIRE(view.open());
    customer.send("frame");
    CHECK(view.take(5, 10s) == "frame");
    view.close();
    CHECK(wait_for([&] { return customer.closed.load(); }, 5s));
    CHECK(wait_eof(customer.backend, 5s));
    REQUIRE(wait_for([&] { return scene.state() == "ended"; }, 5s));
    REQUIRE(wait_for([&] { return audit_count(scene, "ended") == 1; }, 5s));
    for (const auto& e : scene.audit())
        if (e.at("action") == "ended") CHECK(e.at("detail").at("reason") == "viewer-closed");
}

TEST_CASE("a viewer whose tunnel never comes is closed after the pair timeout") {
    RelayScene scene(relay_args({"--relay-pair-timeout", "1"}));
    ViewClient view(scene.port(), scene.bearer_view(scene.operator_token));
    REQUIRE(view.open());
    CHECK(view.wait_closed(10s) == 4001);
    REQUIRE(wait_for([&] { return scene.state() == "ended"; }, 5s));
    // The customer's client, told by its event stream, cannot come late.
    CHECK(raw_tunnel_status(scene.port(), scene.session_id, scene.relay_token) == 409);
}

TEST_CASE("a relayed session with no byte either way is ended after the idle timeout") {
    RelayScene scene(relay_args({"--relay-idle-timeout", "2"}));
    Customer customer(scene);
    ViewClient view(scene.port(), scene.bearer_view(scene.operator_token));
    REQUIRE(view.open());
    // Traffic keeps it open past the timeout...
    for (int i = 0; i < 6; ++i) {
        customer.send("tick");
        REQUIRE(view.take(4, 5s) == "tick");
        std::this_thread::sleep_for(500ms);  // the traffic's own pace, not synchronisation
    }
    CHECK_FALSE(view.wait_closed(0ms).has_value());
    // ...then silence ends it.
    CHECK(view.wait_closed(10s) == 4002);
    CHECK(wait_for([&] { return customer.closed.load(); }, 5s));
}

TEST_CASE("a viewer that stops reading holds the customer's backend back") {
    RelayScene scene;
    Customer customer(scene);
    ViewClient view(scene.port(), scene.bearer_view(scene.operator_token));
    REQUIRE(view.open());
    view.pause_reading();
    // The backend writes until its socket stays full: without back-pressure the server
    // would take everything and this would reach the limit.
    constexpr std::size_t kLimit = 256 * 1024 * 1024;
    const std::size_t pushed = push_until_blocked(customer.backend, kLimit, 1s, 60s);
    INFO("pushed " << pushed << " bytes before the backend's socket stayed full");
    CHECK(pushed < 96 * 1024 * 1024);
    view.resume_reading();
    const auto all = view.wait_bytes(pushed, 30s);
    INFO("viewer closed: " << view.wait_closed(0ms).value_or(0) << " " << view.close_reason());
    CHECK(all.size() == pushed);
    const auto expected = pattern_bytes(0, pushed);
    const auto mismatch = std::mismatch(all.begin(), all.end(), expected.begin(), expected.end());
    CHECK(static_cast<std::size_t>(mismatch.first - all.begin()) == pushed);  // in order, intact
}

TEST_CASE("SIGTERM ends relayed sessions: the viewer hears 1001 and the end is audited") {
    RelayScene scene;
    Customer customer(scene);
    ViewClient view(scene.port(), scene.bearer_view(scene.operator_token));
    REQUIRE(view.open());
    customer.send("frame");
    CHECK(view.take(5, 10s) == "frame");
    REQUIRE(wait_for([&] { return audit_count(scene, "started") == 1; }, 5s));

    scene.server().send_sigterm();
    CHECK(view.wait_closed(10s) == 1001);
    CHECK(wait_for([&] { return customer.closed.load(); }, 5s));
    CHECK(scene.server().wait_exit() == 0);

    // On the next start the session is over, and says why.
    scene.server().start();
    CHECK(scene.state() == "ended");
    CHECK(audit_count(scene, "ended") == 1);
    for (const auto& e : scene.audit())
        if (e.at("action") == "ended") {
            CHECK(e.at("actor") == "system");
            CHECK(e.at("detail").at("reason") == "shutdown");
            CHECK(e.at("detail").at("bytes_to_operator") == 5);
        }
    CHECK(raw_tunnel_status(scene.port(), scene.session_id, scene.relay_token) == 409);
}

TEST_CASE("over TLS the tunnel and the viewer relay as over plain HTTP") {
    RelayScene scene(relay_args({"--self-signed"}));
    TlsTunnel tunnel(scene.port(), scene.ca_pem, scene.session_id, scene.relay_token);
    REQUIRE(tunnel.status() == 101);
    ViewClient view(scene.port(), scene.bearer_view(scene.operator_token));
    REQUIRE(view.open());
    const std::string down = random_bytes(2 * 1024 * 1024, 4);
    REQUIRE(tunnel.send(down));
    CHECK(checksum(view.wait_bytes(down.size(), 30s)) == checksum(down));
    REQUIRE(view.send("up the other way"));
    CHECK(tunnel.receive(16, 10s) == "up the other way");
    REQUIRE(scene.end(scene.operator_token) == 204);
    CHECK(view.wait_closed(5s) == 4000);
    CHECK(tunnel.wait_closed(5s));
}

}  // namespace helpline::test
