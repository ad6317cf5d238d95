#include "client/core/consent.h"

#include <catch2/catch.hpp>

using namespace helpline::client;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

ConnectionRequest request(const std::string& id, seconds expires_in = seconds(60)) {
    return ConnectionRequest{id, "Ana", 1042, expires_in};
}

}  // namespace

// The machine's defaults: Allow after 1.5 s (kAllowDelay, the dialog's too), deadline 1 s
// before the server's.
static_assert(kAllowDelay == milliseconds(1500));

TEST_CASE("a request is pending and current until answered") {
    ManualClock clock;
    ConsentMachine machine(clock);
    CHECK(machine.current() == nullptr);
    CHECK(machine.offer(request("a")) == OfferResult::current);
    REQUIRE(machine.current() != nullptr);
    CHECK(machine.current()->request.id == "a");
    CHECK(machine.current()->state == ConsentState::pending);
    CHECK(machine.state("a") == ConsentState::pending);
    CHECK(machine.time_left() == milliseconds(59'000));
}

TEST_CASE("pending to accepted after the Allow delay") {
    ManualClock clock;
    ConsentMachine machine(clock);
    machine.offer(request("a"));
    machine.show();
    clock.advance(kAllowDelay);
    CHECK(machine.accept("a").ok());
    CHECK(machine.state("a") == ConsentState::accepted);
    CHECK(machine.current() == nullptr);
    CHECK(machine.confirm_accept("a").ok());
}

TEST_CASE("an accept earlier than the Allow delay is refused and the request stays pending") {
    ManualClock clock;
    ConsentMachine machine(clock);
    machine.offer(request("a"));
    machine.show();
    CHECK(machine.allow_in() == kAllowDelay);
    clock.advance(milliseconds(1499));
    const auto early = machine.accept("a");
    REQUIRE_FALSE(early.ok());
    CHECK(early.error().code == consent_error::kTooEarly);
    CHECK(machine.state("a") == ConsentState::pending);
    CHECK(machine.allow_in() == milliseconds(1));
    clock.advance(milliseconds(1));
    CHECK(machine.accept("a").ok());
}

TEST_CASE("an accept before the dialog was shown is refused") {
    ManualClock clock;
    ConsentMachine machine(clock);
    machine.offer(request("a"));
    clock.advance(seconds(10));  // received long ago, but nobody saw it yet
    const auto unseen = machine.accept("a");
    REQUIRE_FALSE(unseen.ok());
    CHECK(unseen.error().code == consent_error::kNotShown);
    machine.show();
    CHECK(machine.accept("a").error().code ==
          consent_error::kTooEarly);  // the delay starts at show()
}

TEST_CASE("pending to declined, at once and without a delay") {
    ManualClock clock;
    ConsentMachine machine(clock);
    machine.offer(request("a"));
    machine.show();
    CHECK(machine.decline("a").ok());
    CHECK(machine.state("a") == ConsentState::declined);
    CHECK(machine.current() == nullptr);
}

TEST_CASE("pending to expired when the deadline passes, one second before the server's") {
    ManualClock clock;
    ConsentMachine machine(clock);
    machine.offer(request("a", seconds(30)));
    machine.show();
    clock.advance(milliseconds(28'999));
    CHECK(machine.tick().empty());
    CHECK(machine.time_left() == milliseconds(1));
    clock.advance(milliseconds(1));
    const auto changes = machine.tick();
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].id == "a");
    CHECK(changes[0].state == ConsentState::expired);
    CHECK(machine.state("a") == ConsentState::expired);
    CHECK(machine.current() == nullptr);
}

TEST_CASE("an accept after the deadline is refused and expires the request") {
    ManualClock clock;
    ConsentMachine machine(clock);
    machine.offer(request("a", seconds(10)));
    machine.show();
    clock.advance(seconds(9));  // tick() not called: accept() checks the deadline itself
    const auto late = machine.accept("a");
    REQUIRE_FALSE(late.ok());
    CHECK(late.error().code == consent_error::kExpired);
    CHECK(machine.state("a") == ConsentState::expired);
    CHECK(machine.accept("a").error().code == consent_error::kExpired);
}

TEST_CASE("an accepted request whose deadline passes before the answer is sent is not confirmed") {
    ManualClock clock;
    ConsentMachine machine(clock);
    machine.offer(request("a", seconds(10)));
    machine.show();
    clock.advance(seconds(2));
    REQUIRE(machine.accept("a").ok());
    clock.advance(seconds(7));  // the backend took long to start
    const auto confirmed = machine.confirm_accept("a");
    REQUIRE_FALSE(confirmed.ok());
    CHECK(confirmed.error().code == consent_error::kExpired);
    CHECK(machine.state("a") == ConsentState::expired);
}

TEST_CASE("a decline after the deadline reports the request expired") {
    ManualClock clock;
    ConsentMachine machine(clock);
    machine.offer(request("a", seconds(5)));
    clock.advance(seconds(4));
    const auto late = machine.decline("a");
    REQUIRE_FALSE(late.ok());
    CHECK(late.error().code == consent_error::kExpired);
    CHECK(machine.state("a") == ConsentState::expired);
}

TEST_CASE("pending to cancelled when the server withdraws it") {
    ManualClock clock;
    ConsentMachine machine(clock);
    machine.offer(request("a"));
    machine.show();
    CHECK(machine.cancel("a"));
    CHECK(machine.state("a") == ConsentState::cancelled);
    CHECK(machine.current() == nullptr);
    CHECK_FALSE(machine.cancel("a"));
    CHECK(machine.accept("a").error().code == consent_error::kAnswered);
}

TEST_CASE("an answered request cannot be answered again") {
    ManualClock clock;
    ConsentMachine machine(clock);
    machine.offer(request("a"));
    machine.show();
    REQUIRE(machine.decline("a").ok());
    CHECK(machine.accept("a").error().code == consent_error::kAnswered);
    CHECK(machine.decline("a").error().code == consent_error::kAnswered);
    CHECK(machine.confirm_accept("a").error().code == consent_error::kAnswered);
    CHECK_FALSE(machine.cancel("a"));
    CHECK(machine.accept("nobody").error().code == consent_error::kUnknown);
}

TEST_CASE("a request seen before is a duplicate and changes nothing") {
    ManualClock clock;
    ConsentMachine machine(clock);
    CHECK(machine.offer(request("a")) == OfferResult::current);
    CHECK(machine.offer(request("a")) == OfferResult::duplicate);
    CHECK(machine.queued() == 0);
    machine.show();
    REQUIRE(machine.decline("a").ok());
    CHECK(machine.offer(request("a")) == OfferResult::duplicate);  // a replay after a reconnect
    CHECK(machine.current() == nullptr);
}

TEST_CASE("further requests queue in order behind the current one") {
    ManualClock clock;
    ConsentMachine machine(clock);
    CHECK(machine.offer(request("a")) == OfferResult::current);
    CHECK(machine.offer(request("b")) == OfferResult::queued);
    CHECK(machine.offer(request("c")) == OfferResult::queued);
    CHECK(machine.queued() == 2);
    machine.show();
    REQUIRE(machine.decline("a").ok());
    REQUIRE(machine.current() != nullptr);
    CHECK(machine.current()->request.id == "b");
    CHECK_FALSE(machine.current()->shown_at.has_value());
    machine.show();
    clock.advance(kAllowDelay);
    REQUIRE(machine.accept("b").ok());
    CHECK(machine.current()->request.id == "c");
    CHECK(machine.queued() == 0);
}

TEST_CASE("a queued request cannot be accepted before it is shown, but can be declined") {
    ManualClock clock;
    ConsentMachine machine(clock);
    machine.offer(request("a"));
    machine.offer(request("b"));
    machine.show();
    clock.advance(seconds(5));
    CHECK(machine.accept("b").error().code == consent_error::kNotShown);
    CHECK(machine.decline("b").ok());
    CHECK(machine.current()->request.id == "a");
}

TEST_CASE("each queued request keeps its own deadline and expired ones are skipped") {
    ManualClock clock;
    ConsentMachine machine(clock);
    machine.offer(request("a", seconds(60)));
    clock.advance(seconds(1));
    machine.offer(request("b", seconds(10)));  // deadline 10 s after ITS arrival, less the margin
    machine.offer(request("c", seconds(60)));
    machine.show();
    clock.advance(seconds(9));
    const auto changes = machine.tick();
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].id == "b");
    CHECK(machine.state("b") == ConsentState::expired);
    REQUIRE(machine.decline("a").ok());
    REQUIRE(machine.current() != nullptr);
    CHECK(machine.current()->request.id == "c");
    CHECK(machine.time_left() == milliseconds(50'000));
}

TEST_CASE("the Allow delay of a queued request starts when it is shown, not when it arrived") {
    ManualClock clock;
    ConsentMachine machine(clock);
    machine.offer(request("a"));
    machine.offer(request("b"));
    machine.show();
    clock.advance(seconds(20));
    REQUIRE(machine.decline("a").ok());
    machine.show();
    CHECK(machine.accept("b").error().code == consent_error::kTooEarly);
    clock.advance(kAllowDelay);
    CHECK(machine.accept("b").ok());
}

TEST_CASE("cancelling a queued request removes it from the queue") {
    ManualClock clock;
    ConsentMachine machine(clock);
    machine.offer(request("a"));
    machine.offer(request("b"));
    CHECK(machine.cancel("b"));
    CHECK(machine.queued() == 0);
    CHECK(machine.state("b") == ConsentState::cancelled);
    CHECK(machine.current()->request.id == "a");
}

TEST_CASE("the queue is bounded and a flood is ignored") {
    ManualClock clock;
    ConsentOptions options;
    options.max_queue = 3;
    ConsentMachine machine(clock, options);
    CHECK(machine.offer(request("a")) == OfferResult::current);
    CHECK(machine.offer(request("b")) == OfferResult::queued);
    CHECK(machine.offer(request("c")) == OfferResult::queued);
    CHECK(machine.offer(request("d")) == OfferResult::full);
    CHECK_FALSE(machine.state("d").has_value());
}

TEST_CASE("a request that arrives already expired expires at the first tick") {
    ManualClock clock;
    ConsentMachine machine(clock);
    machine.offer(request("a", seconds(0)));
    const auto changes = machine.tick();
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].state == ConsentState::expired);
    CHECK(machine.current() == nullptr);
}
