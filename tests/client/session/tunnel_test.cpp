// The relay tunnel against a loopback server that speaks the upgrade: bytes both ways,
// refusals named, back-pressure, and every way the tunnel can end (backend closes, server
// closes, stop()).

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>

#include "client/core/relay_tunnel.h"
#include "tests/client/session/session_support.h"
#include "tests/support/fixtures.h"

using namespace helpline;
using namespace helpline::client;
using namespace helpline::test;
using namespace std::chrono_literals;

namespace {

const std::string kSession = "s-4f2a9c";
const std::string kToken = "relay-token-0123456789abcdef";

ServerEndpoint endpoint_of(const UpgradeServer& server) {
    ServerEndpoint endpoint;
    endpoint.base_url = server.base_url();
    return endpoint;
}

/// Records the on_closed calls.
struct Closed {
    std::mutex mutex;
    int calls = 0;
    TunnelStats stats;

    std::function<void(const TunnelStats&)> callback() {
        return [this](const TunnelStats& s) {
            std::lock_guard lock(mutex);
            ++calls;
            stats = s;
        };
    }
    int count() {
        std::lock_guard lock(mutex);
        return calls;
    }
};

/// A file descriptor closed at scope end.
struct Fd {
    int fd;
    explicit Fd(int f) : fd(f) {}
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    void close() {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

}  // namespace

TEST_CASE("a megabyte each way crosses the tunnel intact", "[tunnel]") {
    UpgradeServer server(kSession, kToken, "early");
    Listener backend_listener;
    Closed closed;
    auto tunnel = RelayTunnel::open(endpoint_of(server), kSession, kToken, backend_listener.port(),
                                    closed.callback());
    INFO((tunnel.ok() ? "" : tunnel.error().message));
    REQUIRE(tunnel.ok());
    Fd backend(backend_listener.accept(10s));
    Fd operator_side(server.take_stream(10s));
    REQUIRE(backend.fd >= 0);
    REQUIRE(operator_side.fd >= 0);

    // The request as the server saw it.
    const std::string request = server.last_request();
    CHECK(request.rfind("GET /api/v1/relay/" + kSession + " HTTP/1.1\r\n", 0) == 0);
    CHECK_THAT(request, Catch::Contains("\r\nHost: 127.0.0.1:") &&
                            Catch::Contains("\r\nUpgrade: helpline-relay/1\r\n") &&
                            Catch::Contains("\r\nConnection: Upgrade\r\n") &&
                            Catch::Contains("\r\nAuthorization: Bearer " + kToken + "\r\n"));

    constexpr std::size_t kSize = 1024 * 1024;
    TransferSide from_operator{operator_side.fd, random_bytes(kSize, 1), kSize};
    // Bytes that came glued to the 101 answer belong to the stream and arrive first.
    TransferSide from_backend{backend.fd, random_bytes(kSize, 2), kSize + 5};
    REQUIRE(exchange(from_operator, from_backend, 30s));
    CHECK(checksum(from_backend.in) == checksum("early" + from_operator.out));
    CHECK(from_backend.in == "early" + from_operator.out);
    CHECK(checksum(from_operator.in) == checksum(from_backend.out));
    CHECK(from_operator.in == from_backend.out);

    const auto stats = (*tunnel)->stats();
    CHECK(stats.to_server == kSize);
    CHECK(stats.to_backend == kSize + 5);
    CHECK((*tunnel)->running());
    CHECK(closed.count() == 0);
}

TEST_CASE("a wrong relay token is refused and open names the 401", "[tunnel]") {
    UpgradeServer server(kSession, kToken);
    Listener backend_listener;
    Closed closed;
    const auto tunnel = RelayTunnel::open(endpoint_of(server), kSession, "not-the-token",
                                          backend_listener.port(), closed.callback());
    REQUIRE_FALSE(tunnel.ok());
    CHECK(tunnel.error().code == tunnel_error::kRefused);
    CHECK_THAT(tunnel.error().message,
               Catch::Contains("HTTP 401") && Catch::Contains("relay token") &&
                   Catch::Contains("The relay token does not match this session."));
    CHECK(backend_listener.accept(100ms) < 0);  // the backend was never touched
    CHECK(closed.count() == 0);
}

TEST_CASE("an unknown session is refused with the 404 named", "[tunnel]") {
    UpgradeServer server(kSession, kToken);
    Listener backend_listener;
    const auto tunnel =
        RelayTunnel::open(endpoint_of(server), "s-other", kToken, backend_listener.port());
    REQUIRE_FALSE(tunnel.ok());
    CHECK(tunnel.error().code == tunnel_error::kRefused);
    CHECK_THAT(tunnel.error().message, Catch::Contains("HTTP 404"));
}

TEST_CASE("session ids and tokens that could break the request are refused before connecting",
          "[tunnel]") {
    UpgradeServer server(kSession, kToken);
    Listener backend_listener;
    const auto bad_session =
        RelayTunnel::open(endpoint_of(server), "s\r\nX-Evil: 1", kToken, backend_listener.port());
    REQUIRE_FALSE(bad_session.ok());
    CHECK(bad_session.error().code == tunnel_error::kProtocol);
    const auto bad_token =
        RelayTunnel::open(endpoint_of(server), kSession, "a b\r\n", backend_listener.port());
    REQUIRE_FALSE(bad_token.ok());
    CHECK(bad_token.error().code == tunnel_error::kProtocol);
    CHECK(server.last_request().empty());
}

TEST_CASE("an unreachable server and a backend that does not listen are reported", "[tunnel]") {
    Listener closed_port_owner;
    const std::uint16_t dead_port = [] {
        Listener l;
        return l.port();
    }();
    ServerEndpoint nowhere;
    nowhere.base_url = "http://127.0.0.1:" + std::to_string(dead_port);
    const auto unreachable = RelayTunnel::open(nowhere, kSession, kToken, closed_port_owner.port());
    REQUIRE_FALSE(unreachable.ok());
    CHECK(unreachable.error().code == net_error::kUnreachable);

    UpgradeServer server(kSession, kToken);
    const auto no_backend = RelayTunnel::open(endpoint_of(server), kSession, kToken, dead_port);
    REQUIRE_FALSE(no_backend.ok());
    CHECK(no_backend.error().code == tunnel_error::kBackend);
    CHECK_THAT(no_backend.error().message,
               Catch::Contains("127.0.0.1:" + std::to_string(dead_port)));
}

TEST_CASE("the backend closing ends the tunnel and on_closed reports the counts once", "[tunnel]") {
    UpgradeServer server(kSession, kToken);
    Listener backend_listener;
    Closed closed;
    auto tunnel = RelayTunnel::open(endpoint_of(server), kSession, kToken, backend_listener.port(),
                                    closed.callback());
    REQUIRE(tunnel.ok());
    Fd backend(backend_listener.accept(10s));
    Fd operator_side(server.take_stream(10s));
    REQUIRE(backend.fd >= 0);
    REQUIRE(operator_side.fd >= 0);

    // The backend's last words before closing still reach the server.
    TransferSide from_backend{backend.fd, "RFB 003.008\n", 4};
    TransferSide from_operator{operator_side.fd, "ping", 12};
    REQUIRE(exchange(from_operator, from_backend, 10s));
    REQUIRE(::send(backend.fd, "bye", 3, MSG_NOSIGNAL) == 3);
    backend.close();

    std::string tail;
    CHECK(wait_eof(operator_side.fd, 5s, &tail));  // the tunnel closed its server connection
    CHECK(tail == "bye");
    REQUIRE(wait_for([&] { return closed.count() == 1; }, 5s));
    CHECK_FALSE((*tunnel)->running());
    {
        std::lock_guard lock(closed.mutex);
        CHECK(closed.stats.to_server == 15);
        CHECK(closed.stats.to_backend == 4);
    }
    (*tunnel)->stop();
    CHECK(closed.count() == 1);
}

TEST_CASE("the server closing ends the tunnel and closes the backend connection", "[tunnel]") {
    UpgradeServer server(kSession, kToken);
    Listener backend_listener;
    Closed closed;
    auto tunnel = RelayTunnel::open(endpoint_of(server), kSession, kToken, backend_listener.port(),
                                    closed.callback());
    REQUIRE(tunnel.ok());
    Fd backend(backend_listener.accept(10s));
    Fd operator_side(server.take_stream(10s));
    REQUIRE(operator_side.fd >= 0);
    REQUIRE(::send(operator_side.fd, "last", 4, MSG_NOSIGNAL) == 4);
    operator_side.close();
    std::string received;
    CHECK(wait_eof(backend.fd, 5s, &received));
    CHECK(received == "last");
    REQUIRE(wait_for([&] { return closed.count() == 1; }, 5s));
    CHECK_FALSE((*tunnel)->running());
}

TEST_CASE("stop ends an idle tunnel within a second and on_closed runs once", "[tunnel]") {
    UpgradeServer server(kSession, kToken);
    Listener backend_listener;
    Closed closed;
    auto tunnel = RelayTunnel::open(endpoint_of(server), kSession, kToken, backend_listener.port(),
                                    closed.callback());
    REQUIRE(tunnel.ok());
    Fd backend(backend_listener.accept(10s));
    Fd operator_side(server.take_stream(10s));
    REQUIRE(operator_side.fd >= 0);

    const auto started = std::chrono::steady_clock::now();
    (*tunnel)->stop();
    CHECK(std::chrono::steady_clock::now() - started < 1s);
    CHECK_FALSE((*tunnel)->running());
    CHECK(closed.count() == 1);  // stop() joins the pump thread, which called it
    CHECK(wait_eof(backend.fd, 2s));
    CHECK(wait_eof(operator_side.fd, 2s));
    (*tunnel)->stop();
    tunnel.value().reset();
    CHECK(closed.count() == 1);
}

TEST_CASE("a backend that stops reading holds the server back without losing bytes", "[tunnel]") {
    UpgradeServer server(kSession, kToken);
    Listener backend_listener;
    auto tunnel = RelayTunnel::open(endpoint_of(server), kSession, kToken, backend_listener.port());
    REQUIRE(tunnel.ok());
    Fd backend(backend_listener.accept(10s));
    Fd operator_side(server.take_stream(10s));
    REQUIRE(operator_side.fd >= 0);

    // Write until the tunnel stops taking bytes (no progress for 300 ms) or 64 MiB went in.
    constexpr std::size_t kOffered = 64 * 1024 * 1024;
    const std::string payload = random_bytes(kOffered, 3);
    std::size_t accepted = 0;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (accepted < kOffered && std::chrono::steady_clock::now() < deadline) {
        pollfd pfd{operator_side.fd, POLLOUT, 0};
        if (::poll(&pfd, 1, 300) <= 0) break;
        const ssize_t n =
            ::send(operator_side.fd, payload.data() + accepted, kOffered - accepted, MSG_NOSIGNAL);
        if (n <= 0) break;
        accepted += static_cast<std::size_t>(n);
    }
    INFO("accepted " << accepted << " bytes while the backend did not read");
    CHECK(accepted < kOffered);  // bounded: socket buffers plus the tunnel's buffer

    // Once the backend reads, everything that was accepted arrives, in order.
    TransferSide reader{backend.fd, "", accepted};
    TransferSide idle{operator_side.fd, "", 0};
    REQUIRE(exchange(reader, idle, 30s));
    CHECK(reader.in.size() == accepted);
    CHECK(reader.in == payload.substr(0, accepted));
    CHECK((*tunnel)->stats().to_backend == accepted);
}

TEST_CASE("many tunnels opened and stopped leave nothing running", "[tunnel]") {
    UpgradeServer server(kSession, kToken);
    Listener backend_listener;
    for (int i = 0; i < 20; ++i) {
        Closed closed;
        auto tunnel = RelayTunnel::open(endpoint_of(server), kSession, kToken,
                                        backend_listener.port(), closed.callback());
        REQUIRE(tunnel.ok());
        Fd backend(backend_listener.accept(10s));
        Fd operator_side(server.take_stream(10s));
        TransferSide a{operator_side.fd, "hello", 2};
        TransferSide b{backend.fd, "hi", 5};
        REQUIRE(exchange(a, b, 10s));
        (*tunnel)->stop();
        REQUIRE(closed.count() == 1);
    }
}

TEST_CASE("on_closed may stop or destroy the tunnel from within the callback", "[tunnel]") {
    UpgradeServer server(kSession, kToken);
    Listener backend_listener;

    // stop() from the callback (an "end session" path reacting to the close) must not hang.
    std::mutex mutex;
    std::unique_ptr<RelayTunnel> holder;
    std::atomic<int> calls{0};
    auto first = RelayTunnel::open(endpoint_of(server), kSession, kToken, backend_listener.port(),
                                   [&](const TunnelStats&) {
                                       std::lock_guard lock(mutex);
                                       if (holder) holder->stop();
                                       ++calls;
                                   });
    REQUIRE(first.ok());
    {
        std::lock_guard lock(mutex);
        holder = std::move(first.value());
    }
    Fd backend(backend_listener.accept(10s));
    Fd operator_side(server.take_stream(10s));
    backend.close();
    REQUIRE(wait_for([&] { return calls == 1; }, 5s));
    {
        std::lock_guard lock(mutex);
        holder.reset();
    }

    // Destroying it from the callback: the pump thread touches nothing of it afterwards.
    std::atomic<bool> destroyed{false};
    auto second = RelayTunnel::open(endpoint_of(server), kSession, kToken, backend_listener.port(),
                                    [&](const TunnelStats&) {
                                        std::lock_guard lock(mutex);
                                        holder.reset();
                                        destroyed = true;
                                    });
    REQUIRE(second.ok());
    {
        std::lock_guard lock(mutex);
        holder = std::move(second.value());
    }
    Fd backend2(backend_listener.accept(10s));
    Fd operator_side2(server.take_stream(10s));
    operator_side2.close();
    CHECK(wait_for([&] { return destroyed.load(); }, 5s));
}
