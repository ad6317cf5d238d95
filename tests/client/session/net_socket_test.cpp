// The client's own sockets behind client/core/net_socket.h, as the relay tunnel uses them: a
// loopback connection in non-blocking mode, poll_sockets() and its wake-up. Portable: the
// same cases run on Linux and, built for Windows, on Winsock.

#include "client/core/net_socket.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

using namespace helpline::client;
using namespace std::chrono_literals;

TEST_CASE("a wake-up ends a wait on other sockets at once, from another thread") {
    auto wake = net::Wakeup::create();
    REQUIRE(wake);
    net::PollEntry entries[1] = {{wake->handle(), net::poll_flag::kReadable, 0}};
    CHECK(net::poll_sockets(entries, 0) == 0);

    std::thread other([&] {
        std::this_thread::sleep_for(50ms);
        wake->signal();
    });
    const auto start = std::chrono::steady_clock::now();
    CHECK(net::poll_sockets(entries, 10'000) == 1);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    CHECK((entries[0].got & net::poll_flag::kReadable) != 0);
    other.join();
    // It stays signalled: a second wait returns at once too.
    CHECK(net::poll_sockets(entries, 0) == 1);
}

TEST_CASE("a port that was free refuses connections, and an entry that wants nothing is skipped") {
    auto port = net::free_loopback_port();
    REQUIRE(port);
    CHECK(*port != 0);
    CHECK_FALSE(net::loopback_accepts(*port));
    auto refused = net::connect_loopback(*port);
    REQUIRE_FALSE(refused);
    CHECK_FALSE(refused.error().message.empty());

    auto wake = net::Wakeup::create();
    REQUIRE(wake);
    wake->signal();
    net::PollEntry entries[2] = {{wake->handle(), 0, 0}, {net::kNoSocket, 0, 0}};
    CHECK(net::poll_sockets(entries, 10) == 0);
    CHECK(entries[0].got == 0);
}
