// The relay's pairing (server/relay/registry.h) without sockets: the test plays both
// connections through their ByteChannels, and time is an injected clock.

#include "server/relay/registry.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/fixtures.h"

using namespace helpline::server;
using relay::EndReason;
using relay::Registry;
using relay::Side;
using namespace std::chrono_literals;

namespace {

using Channel = std::shared_ptr<http::ByteChannel>;

/// A clock the test moves by hand.
struct FakeClock {
    Registry::Clock::time_point now = Registry::Clock::time_point{} + 1000h;
    std::function<Registry::Clock::time_point()> fn() {
        return [this] { return now; };
    }
};

/// What the hooks were told.
struct Hooks {
    std::mutex mutex;
    std::vector<relay::Started> started;
    std::vector<relay::Ended> ended;

    void install(Registry& r) {
        r.set_hooks(
            [this](const relay::Started& s) {
                std::lock_guard lock(mutex);
                started.push_back(s);
            },
            [this](const relay::Ended& e) {
                std::lock_guard lock(mutex);
                ended.push_back(e);
            });
    }
    std::size_t ended_count() {
        std::lock_guard lock(mutex);
        return ended.size();
    }
};

relay::Options small_options() {
    relay::Options o;
    o.pair_timeout = 10s;
    o.idle_timeout = 60s;
    o.drain_timeout = 2s;
    o.buffer_size = 1024;
    return o;
}

Channel claim(Registry& r, const std::string& session, Side side) {
    auto c = r.claim(session, side);
    REQUIRE(std::holds_alternative<Channel>(c));
    return std::get<Channel>(c);
}

std::optional<relay::Refusal> refusal(Registry& r, const std::string& session, Side side) {
    auto c = r.claim(session, side);
    if (const auto* refused = std::get_if<relay::Refusal>(&c)) return *refused;
    return std::nullopt;
}

/// Everything the connection of `c` would send to its client now.
std::string drain(http::ByteChannel& c) {
    std::string out;
    while (true) {
        const auto region = c.outbound().data();
        if (region.empty()) return out;
        out.append(region.data(), region.size());
        c.outbound().consume(region.size());
    }
}

/// Both sides claimed and open.
struct Paired {
    Channel customer;
    Channel viewer;
};

Paired pair_up(Registry& r, const std::string& session) {
    Paired p{claim(r, session, Side::customer), claim(r, session, Side::viewer)};
    p.customer->opened();
    p.viewer->opened();
    return p;
}

}  // namespace

TEST_CASE("a session's two sides are joined: bytes from the customer reach the viewer and back") {
    FakeClock clock;
    Registry r(small_options(), clock.fn());
    auto [customer, viewer] = pair_up(r, "s1");
    CHECK(customer->inbound().write("RFB 003.008\n") == 12);
    CHECK(drain(*viewer) == "RFB 003.008\n");
    CHECK(viewer->inbound().write("RFB 003.008\n\x02") == 13);
    CHECK(drain(*customer) == "RFB 003.008\n\x02");
    const auto counts = r.counts("s1");
    REQUIRE(counts);
    CHECK(counts->to_viewer == 12);
    CHECK(counts->to_customer == 13);
    // Another session is apart: nothing crosses over.
    auto [other_customer, other_viewer] = pair_up(r, "s2");
    CHECK(drain(*other_viewer).empty());
    CHECK(drain(*viewer).empty());
}

TEST_CASE("bytes the first side sends wait in the pipe until the other side comes") {
    FakeClock clock;
    Registry r(small_options(), clock.fn());
    auto customer = claim(r, "s1", Side::customer);
    customer->opened();
    CHECK(customer->inbound().write("hello") == 5);
    auto viewer = claim(r, "s1", Side::viewer);
    viewer->opened();
    CHECK(drain(*viewer) == "hello");
}

TEST_CASE("each side of a session is claimed once: a second tunnel or viewer is refused") {
    FakeClock clock;
    Registry r(small_options(), clock.fn());
    auto [customer, viewer] = pair_up(r, "s1");
    CHECK(refusal(r, "s1", Side::customer) == relay::Refusal::taken);
    CHECK(refusal(r, "s1", Side::viewer) == relay::Refusal::taken);
    // Not even after the first one left: the session's relay has ended with it.
    viewer->closed();
    CHECK(refusal(r, "s1", Side::viewer) == relay::Refusal::ended);
    CHECK(refusal(r, "s1", Side::customer) == relay::Refusal::ended);
}

TEST_CASE("started comes once both sides are open, and ended once both closed, with the counts") {
    FakeClock clock;
    Registry r(small_options(), clock.fn());
    Hooks hooks;
    hooks.install(r);
    auto customer = claim(r, "s1", Side::customer);
    customer->opened();
    r.deliver_pending();
    CHECK(hooks.started.empty());
    auto viewer = claim(r, "s1", Side::viewer);
    viewer->opened();
    r.deliver_pending();
    REQUIRE(hooks.started.size() == 1);
    CHECK(hooks.started[0].session_id == "s1");
    CHECK(r.active() == 1);

    customer->inbound().write(std::string(700, 'x'));
    drain(*viewer);
    viewer->inbound().write(std::string(30, 'y'));
    drain(*customer);
    // The customer's client closes its tunnel: the viewer gets the end, then closes.
    customer->closed();
    r.deliver_pending();
    CHECK(hooks.ended.empty());  // the viewer's connection is still closing
    CHECK(viewer->outbound().finished());
    viewer->closed();
    r.deliver_pending();
    REQUIRE(hooks.ended.size() == 1);
    CHECK(hooks.ended[0].session_id == "s1");
    CHECK(hooks.ended[0].reason == EndReason::customer_closed);
    CHECK(hooks.ended[0].paired);
    CHECK(hooks.ended[0].counts.to_viewer == 700);
    CHECK(hooks.ended[0].counts.to_customer == 30);
    CHECK(r.active() == 0);
    // The final counts stay for keep_ended after the hook (for a late end()), then go.
    CHECK(r.counts("s1"));
    const auto next = r.expire(clock.now);
    REQUIRE(next);
    CHECK(*next == clock.now + small_options().keep_ended);
    clock.now += small_options().keep_ended;
    r.expire(clock.now);
    CHECK_FALSE(r.counts("s1"));
    CHECK_FALSE(r.end("s1"));
}

TEST_CASE("an end() that comes after the relay ended and its hook ran gets the final counts") {
    // POST /sessions/{id}/end races the customer's tunnel closing: the API may mark the
    // session ended, the hook then run (and leave the audit to that handler), and only then
    // the handler ask the relay for the counts it audits.
    FakeClock clock;
    Registry r(small_options(), clock.fn());
    Hooks hooks;
    hooks.install(r);
    auto [customer, viewer] = pair_up(r, "s1");
    customer->inbound().write(std::string(500, 'x'));
    drain(*viewer);
    customer->closed();
    viewer->closed();
    r.deliver_pending();
    REQUIRE(hooks.ended_count() == 1);
    const auto counts = r.end("s1");
    REQUIRE(counts);
    CHECK(counts->to_viewer == 500);
    CHECK(counts->to_customer == 0);
    r.deliver_pending();
    CHECK(hooks.ended_count() == 1);  // the hook runs once
    CHECK(refusal(r, "s1", Side::customer) == relay::Refusal::ended);
    CHECK(r.active() == 0);
}

TEST_CASE("when one side closes, the other still gets what was queued, then the end") {
    FakeClock clock;
    Registry r(small_options(), clock.fn());
    auto [customer, viewer] = pair_up(r, "s1");
    customer->inbound().write("final frame");
    customer->closed();
    CHECK_FALSE(viewer->outbound().aborted());
    CHECK(drain(*viewer) == "final frame");
    CHECK(viewer->outbound().finished());
    // What the viewer sends now goes nowhere, and the viewer is told to stop reading.
    CHECK(viewer->inbound().aborted());
}

TEST_CASE("the close status names the side that closed") {
    FakeClock clock;
    Registry r(small_options(), clock.fn());
    auto by_customer = pair_up(r, "s1");
    by_customer.customer->closed();
    CHECK(by_customer.viewer->close_status().code == 1000);
    CHECK(by_customer.viewer->close_status().reason == "The customer's side closed the session.");

    auto by_viewer = pair_up(r, "s2");
    by_viewer.viewer->closed();
    CHECK(by_viewer.customer->close_status().code == 1000);
    CHECK(by_viewer.customer->close_status().reason == "The operator's viewer closed the session.");
}

TEST_CASE("a side that keeps the other waiting past the drain timeout is cut off") {
    FakeClock clock;
    Registry r(small_options(), clock.fn());
    auto [customer, viewer] = pair_up(r, "s1");
    // The viewer's browser stops reading: the customer's last bytes sit in the pipe.
    customer->inbound().write("never read");
    customer->closed();
    clock.now += 1s;
    r.expire(clock.now);
    CHECK_FALSE(viewer->outbound().aborted());
    clock.now += 1s;
    r.expire(clock.now);
    CHECK(viewer->outbound().aborted());
}

TEST_CASE("a side that waits longer than the pair timeout is ended") {
    FakeClock clock;
    Registry r(small_options(), clock.fn());
    Hooks hooks;
    hooks.install(r);
    auto viewer = claim(r, "s1", Side::viewer);
    viewer->opened();
    clock.now += 9s;
    const auto next = r.expire(clock.now);
    REQUIRE(next);
    CHECK(*next == clock.now + 1s);  // it knows when to look again
    CHECK_FALSE(viewer->outbound().aborted());
    clock.now += 1s;
    r.expire(clock.now);
    CHECK(viewer->outbound().aborted());
    CHECK(viewer->close_status().code == 4001);
    // The customer's tunnel comes too late.
    CHECK(refusal(r, "s1", Side::customer) == relay::Refusal::ended);
    viewer->closed();
    r.deliver_pending();
    REQUIRE(hooks.ended.size() == 1);
    CHECK(hooks.ended[0].reason == EndReason::pair_timeout);
    CHECK_FALSE(hooks.ended[0].paired);
    CHECK(hooks.started.empty());
}

TEST_CASE("a paired session with no byte either way for the idle timeout is ended") {
    FakeClock clock;
    Registry r(small_options(), clock.fn());
    auto [customer, viewer] = pair_up(r, "s1");
    // Traffic keeps it alive, however long it lasts.
    for (int minute = 0; minute < 5; ++minute) {
        clock.now += 50s;
        customer->inbound().write("frame");
        drain(*viewer);
        r.expire(clock.now);
        REQUIRE_FALSE(viewer->outbound().aborted());
    }
    // Then silence.
    clock.now += 59s;
    r.expire(clock.now);
    CHECK_FALSE(viewer->outbound().aborted());
    clock.now += 1s;
    r.expire(clock.now);
    CHECK(viewer->outbound().aborted());
    CHECK(customer->outbound().aborted());
    CHECK(viewer->close_status().code == 4002);
}

TEST_CASE("no idle timeout when it is 0, and nothing to wake for") {
    FakeClock clock;
    auto options = small_options();
    options.idle_timeout = 0s;
    Registry r(options, clock.fn());
    auto [customer, viewer] = pair_up(r, "s1");
    clock.now += 100h;
    CHECK_FALSE(r.expire(clock.now));
    CHECK_FALSE(viewer->outbound().aborted());
}

TEST_CASE("end() closes both sides at once, drops what was queued and returns the counts") {
    FakeClock clock;
    Registry r(small_options(), clock.fn());
    Hooks hooks;
    hooks.install(r);
    auto [customer, viewer] = pair_up(r, "s1");
    customer->inbound().write("seen");
    drain(*viewer);
    customer->inbound().write("never seen");
    const auto counts = r.end("s1");
    REQUIRE(counts);
    CHECK(counts->to_viewer == 4);
    CHECK(counts->to_customer == 0);
    CHECK(viewer->outbound().aborted());
    CHECK(customer->outbound().aborted());
    CHECK(drain(*viewer).empty());
    CHECK(viewer->close_status().code == 4000);
    CHECK(refusal(r, "s1", Side::viewer) == relay::Refusal::ended);
    customer->closed();
    viewer->closed();
    r.deliver_pending();
    REQUIRE(hooks.ended.size() == 1);
    CHECK(hooks.ended[0].reason == EndReason::session_ended);
    CHECK_FALSE(r.end("unknown-session"));
}

TEST_CASE("the customer cannot outrun the viewer: nothing queues beyond the buffer") {
    FakeClock clock;
    Registry r(small_options(), clock.fn());
    auto [customer, viewer] = pair_up(r, "s1");
    std::size_t accepted = 0;
    for (int i = 0; i < 100; ++i) accepted += customer->inbound().write(std::string(100, 'z'));
    CHECK(accepted == 1024);  // the buffer size; the rest stays with the sender
    CHECK(customer->inbound().prepare().empty());
    CHECK(drain(*viewer).size() == 1024);
    CHECK(customer->inbound().write(std::string(100, 'z')) == 100);
}

TEST_CASE("a claimed side whose connection never opens counts as closed") {
    FakeClock clock;
    Registry r(small_options(), clock.fn());
    Hooks hooks;
    hooks.install(r);
    auto viewer = claim(r, "s1", Side::viewer);
    viewer->opened();
    {
        auto customer = claim(r, "s1", Side::customer);
        // The tunnel's client went away before the 101: the channel is dropped unopened.
    }
    CHECK(drain(*viewer).empty());
    CHECK(viewer->outbound().finished());
    viewer->closed();
    r.deliver_pending();
    REQUIRE(hooks.ended.size() == 1);
    CHECK(hooks.ended[0].reason == EndReason::customer_closed);
}

TEST_CASE("stop() ends every relay as a shutdown and runs the hooks before it returns") {
    FakeClock clock;
    Registry r(small_options(), clock.fn());
    Hooks hooks;
    hooks.install(r);
    r.start();
    auto a = pair_up(r, "a");
    auto b = claim(r, "b", Side::customer);
    b->opened();
    // Connections close when their pipes are aborted; here the test closes them for them.
    std::thread closer([&] {
        helpline::test::wait_for([&] { return a.viewer->outbound().aborted(); }, 5s);
        a.customer->closed();
        a.viewer->closed();
        b->closed();
    });
    r.stop();
    closer.join();
    CHECK(hooks.ended_count() == 2);
    for (const auto& e : hooks.ended) CHECK(e.reason == EndReason::shutdown);
    CHECK(a.viewer->close_status().code == 1001);
    CHECK(refusal(r, "c", Side::viewer) == relay::Refusal::stopping);
}

TEST_CASE("the registry's own thread keeps the time and runs the hooks") {
    auto options = small_options();
    options.pair_timeout = 200ms;
    Registry r(options);
    Hooks hooks;
    hooks.install(r);
    r.start();
    auto viewer = claim(r, "s1", Side::viewer);
    viewer->opened();
    REQUIRE(helpline::test::wait_for([&] { return viewer->outbound().aborted(); }, 5s));
    viewer->closed();
    REQUIRE(helpline::test::wait_for([&] { return hooks.ended_count() == 1; }, 5s));
    CHECK(hooks.ended[0].reason == EndReason::pair_timeout);
    r.stop();
}
