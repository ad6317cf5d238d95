// Who may use helpline-win-vnc's port: connections count only once they give the password,
// one viewer at a time, 10 s to log in, three wrong passwords end the session, the session
// ends when its viewer leaves.

#include <catch2/catch.hpp>

#include "client/win_vnc/viewer_gate.h"

namespace helpline::win_vnc {
namespace {

using namespace std::chrono_literals;
using Clock = ViewerGate::Clock;

// Five connections: distinct addresses stand for libvncserver's clients.
int connections[5];
const int* const kA = &connections[0];
const int* const kB = &connections[1];
const int* const kC = &connections[2];
const int* const kD = &connections[3];
const int* const kE = &connections[4];

}  // namespace

TEST_CASE("a connection that leaves without logging in (the launcher's probe) changes nothing",
          "[win_vnc]") {
    ViewerGate gate;
    const auto now = Clock::now();
    REQUIRE(gate.connected(kA, now));
    gate.disconnected(kA);
    CHECK_FALSE(gate.viewer_left());
    CHECK_FALSE(gate.has_viewer());
    REQUIRE(gate.connected(kB, now));
    CHECK(gate.password(kB, true) == ViewerGate::Verdict::let_in);
    CHECK(gate.has_viewer());
}

TEST_CASE("one viewer: others are refused while it is in, and the session ends when it leaves",
          "[win_vnc]") {
    ViewerGate gate;
    const auto now = Clock::now();
    REQUIRE(gate.connected(kA, now));
    REQUIRE(gate.connected(kB, now));
    CHECK(gate.password(kA, true) == ViewerGate::Verdict::let_in);
    // The one still logging in is closed; newcomers are refused at once.
    CHECK(gate.to_close(now) == std::vector<ViewerGate::Id>{kB});
    CHECK(gate.password(kB, true) == ViewerGate::Verdict::busy);
    gate.disconnected(kB);
    CHECK_FALSE(gate.connected(kC, now));
    CHECK_FALSE(gate.viewer_left());

    gate.disconnected(kA);
    CHECK(gate.viewer_left());
    CHECK_FALSE(gate.has_viewer());
    CHECK_FALSE(gate.connected(kD, now));  // over: nobody else comes in
}

TEST_CASE("three wrong passwords end the session", "[win_vnc]") {
    ViewerGate gate;
    const auto now = Clock::now();
    for (const int* id : {kA, kB}) {
        REQUIRE(gate.connected(id, now));
        CHECK(gate.password(id, false) == ViewerGate::Verdict::wrong_password);
        gate.disconnected(id);
    }
    CHECK_FALSE(gate.locked());
    REQUIRE(gate.connected(kC, now));
    CHECK(gate.password(kC, false) == ViewerGate::Verdict::too_many_wrong);
    CHECK(gate.locked());
    CHECK_FALSE(gate.connected(kD, now));
}

TEST_CASE("a connection gets 10 s to log in, and at most 4 wait at once", "[win_vnc]") {
    ViewerGate gate;
    const auto start = Clock::now();
    REQUIRE(gate.connected(kA, start));
    REQUIRE(gate.connected(kB, start + 5s));
    REQUIRE(gate.connected(kC, start + 5s));
    REQUIRE(gate.connected(kD, start + 5s));
    CHECK_FALSE(gate.connected(kE, start + 5s));
    CHECK(gate.to_close(start + 9s).empty());
    CHECK(gate.to_close(start + 10s) == std::vector<ViewerGate::Id>{kA});
    gate.disconnected(kA);
    CHECK(gate.connected(kE, start + 10s));
}

}  // namespace helpline::win_vnc
