// The relay at the real helpline-server: the customer's tunnel through the real client
// core (RelayTunnel) to a loopback "backend", the operator's viewer as a WebSocket. Bytes
// both ways, every way a relayed session ends, what each side hears of it, and the audit
// it leaves. The refusals are in relay_refusal_test.cpp.

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

long audit_count(const RelayScene& scene, const std::string& action) {
    long n = 0;
    for (const auto& e : scene.audit()) n += e.at("action") == action;
    return n;
}

/// Over an open TLS tunnel and viewer: `size` bytes down, a few up, then the operator ends
/// the session and both close (the viewer with 4000).
void relay_both_ways_then_end(const RelayScene& scene, TlsTunnel& tunnel, ViewClient& view, std::size_t size) {
    const std::string down = random_bytes(size, 4);
    REQUIRE(tunnel.send(down));
    CHECK(checksum(view.wait_bytes(down.size(), 30s)) == checksum(down));
    REQUIRE(view.send("up the other way"));
    CHECK(tunnel.receive(16, 10s) == "up the other way");
    REQUIRE(scene.end(scene.operator_token) == 204);
    CHECK(view.wait_closed(5s) == 4000);
    CHECK(tunnel.wait_closed(5s));
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

TEST_CASE("the viewer closing closes the customer's tunnel, and the device hears the end") {
    RelayScene scene;
    // The device's event stream, as the customer's client follows it.
    CurlOptions stream_options;
    stream_options.headers = {"Authorization: Bearer " + scene.device.token,
                              "Accept: text/event-stream"};
    stream_options.timeout = 60s;
    CurlEventStream events(scene.server().url("/api/v1/events"), stream_options);
    REQUIRE(wait_for(
        [&] { return events.header("content-type").rfind("text/event-stream", 0) == 0; }, 10s));
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
    // Besides its tunnel closing, the customer's client is told the session was ended from
    // the operator's side (it says so by the operator's name, docs/client.md).
    const std::string cancelled = "event: connection-cancelled";
    CHECK(wait_for([&] { return events.text().find(cancelled) != std::string::npos; }, 5s));
    const auto text = events.text();
    const auto at = text.find(cancelled);
    REQUIRE(at != std::string::npos);
    const auto data = text.find("data: ", at);
    REQUIRE(data != std::string::npos);
    const auto event = Json::parse(text.substr(data + 6, text.find('\n', data) - data - 6));
    CHECK(event.at("session_id") == scene.session_id);
    CHECK(event.at("reason") == "ended");
    events.stop();
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
    relay_both_ways_then_end(scene, tunnel, view, 2 * 1024 * 1024);
}

// Two servers on one PostgreSQL database (issue 16): the session pairs on the server its
// first side reached; the other side, come in through the other server, is forwarded there.

TEST_CASE("a viewer on server 1 and a tunnel through server 2 meet, with the relay's close code and counts",
          "[postgres]") {
    RelayScene scene;
    TempDir second_dir;
    ServerProcess second(HELPLINE_SERVER_BIN, second_dir / "data", {}, scene.server().database());
    second.start(relay_args());
    // The viewer first, on server 1: the session pairs there; the customer's tunnel reaches
    // server 2, which forwards its raw bytes.
    ViewClient view(scene.port(), scene.bearer_view(scene.operator_token));
    REQUIRE(view.open());
    Customer customer(scene, second.port());
    customer.send("RFB 003.008\n");
    CHECK(view.take(12, 10s) == "RFB 003.008\n");
    const std::string up = random_bytes(2 * 1024 * 1024, 7);
    const std::string down = random_bytes(3 * 1024 * 1024, 8);
    std::string backend_received;
    std::thread backend_side([&] { backend_received = transfer(customer.backend, down, up.size(), 30s); });
    bool sent = true;
    for (std::size_t at = 0; at < up.size() && sent; at += 32 * 1024) sent = view.send(up.substr(at, 32 * 1024));
    const auto got = view.take(down.size(), 30s);
    backend_side.join();
    REQUIRE(sent);
    CHECK(checksum(backend_received) == checksum(up));
    REQUIRE(got);
    CHECK(checksum(*got) == checksum(down));
    CHECK(wait_for([&] { return audit_count(scene, "started") == 1; }, 5s));
    // Ended through server 2, which holds neither side's pairing: the viewer still hears
    // 4000 from server 1, where the bytes are counted.
    CurlOptions end;
    end.method = "POST";
    end.headers = {"Authorization: Bearer " + scene.operator_token};
    CHECK(curl_request(second.url("/api/v1/sessions/" + scene.session_id + "/end"), end).status == 204);
    CHECK(view.wait_closed(5s) == 4000);
    CHECK(wait_for([&] { return customer.closed.load(); }, 5s));
    REQUIRE(wait_for([&] { return audit_count(scene, "relay-ended") == 1; }, 5s));
    for (const auto& e : scene.audit()) {
        if (e.at("action") != "relay-ended") continue;
        CHECK(e.at("detail").at("bytes_to_operator") == 12 + down.size());
        CHECK(e.at("detail").at("bytes_to_customer") == up.size());
    }
}

TEST_CASE("between servers that serve TLS the forwarded side reaches the home over TLS, pinned to the key it "
          "announced",
          "[postgres]") {
    RelayScene scene(relay_args({"--self-signed"}));
    TempDir second_dir;
    ServerProcess second(HELPLINE_SERVER_BIN, second_dir / "data", {}, scene.server().database());
    second.start(relay_args({"--self-signed"}));
    // Each server has its own self-signed certificate; neither is a CA the other trusts. The
    // viewer comes first, to server 1 (the home); the tunnel reaches server 2.
    ViewClient view(scene.port(), scene.bearer_view(scene.operator_token));
    REQUIRE(view.open());
    TlsTunnel tunnel(second.port(), read_text(second.data() / "tls" / "self-signed-cert.pem"), scene.session_id,
                     scene.relay_token);
    REQUIRE(tunnel.status() == 101);
    relay_both_ways_then_end(scene, tunnel, view, 1024 * 1024);
}

}  // namespace helpline::test
