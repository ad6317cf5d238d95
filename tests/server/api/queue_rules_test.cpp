// DESIGN.md §6, one test per rule, through the real handlers (no sockets).
#include "server/api/services.h"
#include "tests/server/api/api_fixture.h"

using namespace helpline::server;
using helpline::server::test::ApiFixture;
using helpline::server::test::Reply;

namespace {

bool contains(const std::vector<TicketNumber>& v, TicketNumber n) { return std::find(v.begin(), v.end(), n) != v.end(); }

struct Team : ApiFixture {
    Team() {
        group("first-line");
        group("billing");
        admin = user("boss@team.example", Role::admin);
        op_a = user("ana@team.example", Role::operator_, {"first-line"}, &op_a_id);
        op_b = user("bruno@team.example", Role::operator_, {"billing"}, &op_b_id);
        loner = user("lia@team.example", Role::operator_, {}, &loner_id);
        dev = device(&dev_id);
    }
    std::string admin, op_a, op_b, loner, dev, dev_id;
    UserId op_a_id = 0, op_b_id = 0, loner_id = 0;
};

}  // namespace

TEST_CASE_METHOD(Team, "an admin sees every ticket with or without a group") {
    const auto t1 = submit(dev, "first-line");
    const auto t2 = submit(dev, "billing");
    const auto t3 = submit(dev);
    const auto q = queue_numbers(admin);
    CHECK(contains(q, t1));
    CHECK(contains(q, t2));
    CHECK(contains(q, t3));
}

TEST_CASE_METHOD(Team, "an operator sees the tickets of their groups only") {
    const auto mine = submit(dev, "first-line");
    const auto other = submit(dev, "billing");
    const auto none = submit(dev);
    const auto q = queue_numbers(op_a);
    CHECK(contains(q, mine));
    CHECK_FALSE(contains(q, other));
    CHECK_FALSE(contains(q, none));
    CHECK(call("POST", "/api/v1/tickets/" + std::to_string(other) + "/close", op_a).status == 404);
}

TEST_CASE_METHOD(Team, "a ticket assigned directly to an operator is in their view outside their groups") {
    const auto t = submit(dev, "billing");
    CHECK_FALSE(contains(queue_numbers(op_a), t));
    REQUIRE(call("PATCH", "/api/v1/tickets/" + std::to_string(t), admin, {{"operator_id", op_a_id}}).status == 200);
    CHECK(contains(queue_numbers(op_a), t));
    CHECK(contains(queue_numbers(op_b), t));  // still in billing
}

TEST_CASE_METHOD(Team, "a ticket assigned to an operator with no group is seen only by them and admins") {
    const auto t = submit(dev);
    REQUIRE(call("PATCH", "/api/v1/tickets/" + std::to_string(t), admin, {{"operator_id", loner_id}}).status == 200);
    CHECK(contains(queue_numbers(loner), t));
    CHECK(contains(queue_numbers(admin), t));
    CHECK_FALSE(contains(queue_numbers(op_a), t));
    CHECK_FALSE(contains(queue_numbers(op_b), t));
}

TEST_CASE_METHOD(Team, "a ticket moved to a group the operator is not in leaves their view") {
    const auto t = submit(dev, "first-line");
    REQUIRE(contains(queue_numbers(op_a), t));
    auto r = call("PATCH", "/api/v1/tickets/" + std::to_string(t), op_a, {{"group_id", "billing"}});
    REQUIRE(r.status == 200);
    CHECK(r.json["visible_to_you"] == false);
    CHECK_FALSE(contains(queue_numbers(op_a), t));
    CHECK(contains(queue_numbers(op_b), t));
    // And unassigning the group takes it out of billing's view too.
    REQUIRE(call("PATCH", "/api/v1/tickets/" + std::to_string(t), op_b, {{"group_id", nullptr}}).status == 200);
    CHECK_FALSE(contains(queue_numbers(op_b), t));
}

TEST_CASE_METHOD(Team, "history shows an operator what they or their groups handled") {
    const auto ours = submit(dev, "first-line");
    const auto handled = submit(dev, "billing");
    const auto foreign = submit(dev, "billing");
    REQUIRE(call("POST", "/api/v1/tickets/" + std::to_string(ours) + "/close", op_a).status == 200);
    // op_a was assigned a billing ticket once, then it moved on; they handled it.
    REQUIRE(call("PATCH", "/api/v1/tickets/" + std::to_string(handled), admin, {{"operator_id", op_a_id}}).status == 200);
    REQUIRE(call("PATCH", "/api/v1/tickets/" + std::to_string(handled), admin, {{"operator_id", op_b_id}}).status == 200);
    REQUIRE(call("POST", "/api/v1/tickets/" + std::to_string(handled) + "/close", op_b).status == 200);
    REQUIRE(call("POST", "/api/v1/tickets/" + std::to_string(foreign) + "/close", op_b).status == 200);

    const auto numbers = [&](const std::string& token) {
        auto r = call("GET", "/api/v1/history", token);
        REQUIRE(r.status == 200);
        std::vector<TicketNumber> out;
        for (const auto& t : r.json["tickets"]) out.push_back(t["number"]);
        return out;
    };
    const auto a = numbers(op_a);
    CHECK(contains(a, ours));
    CHECK(contains(a, handled));
    CHECK_FALSE(contains(a, foreign));
    const auto all = numbers(admin);
    CHECK(all.size() == 3);
    CHECK(numbers(loner).empty());
}

TEST_CASE_METHOD(Team, "tickets not closed expire into history after 24 hours") {
    const auto t = submit(dev, "first-line");
    clock.advance(std::chrono::hours(23));
    api::sweep(ctx());
    CHECK(contains(queue_numbers(op_a), t));
    clock.advance(std::chrono::hours(1) + std::chrono::seconds(1));
    api::sweep(ctx());
    CHECK_FALSE(contains(queue_numbers(op_a), t));
    auto h = call("GET", "/api/v1/history", op_a);
    REQUIRE(h.json["tickets"].size() == 1);
    CHECK(h.json["tickets"][0]["status"] == "expired");
    // The customer sees it expired too.
    auto mine = call("GET", "/api/v1/devices/me/tickets", dev);
    CHECK(mine.json["tickets"][0]["status"] == "expired");
}

TEST_CASE_METHOD(Team, "the ticket lifetime is configurable") {
    config.ticket_ttl = std::chrono::seconds(60);
    const auto t = submit(dev, "first-line");
    clock.advance(std::chrono::seconds(61));
    api::sweep(ctx());
    CHECK_FALSE(contains(queue_numbers(op_a), t));
}

TEST_CASE_METHOD(Team, "deleting a group unassigns its open tickets and deletes its closed ones") {
    const auto open_t = submit(dev, "billing");
    const auto closed_t = submit(dev, "billing");
    REQUIRE(call("POST", "/api/v1/tickets/" + std::to_string(closed_t) + "/close", op_b).status == 200);
    REQUIRE(call("DELETE", "/api/v1/groups/billing", admin).status == 200);
    auto q = call("GET", "/api/v1/queue", admin);
    REQUIRE(q.json["tickets"].size() == 1);
    CHECK(q.json["tickets"][0]["number"] == open_t);
    CHECK(q.json["tickets"][0]["group"].is_null());
    CHECK(call("GET", "/api/v1/history", admin).json["tickets"].empty());
    CHECK_FALSE(contains(queue_numbers(op_b), open_t));
}

TEST_CASE_METHOD(Team, "organizations are found by the requester's email domain") {
    REQUIRE(call("POST", "/api/v1/organizations", admin, {{"domain", "Acme.Example"}, {"name", "Acme Corp"}}).status == 201);
    submit(dev, "first-line", "medium", "carla@ACME.example");
    submit(dev, "first-line", "medium", "dan@other.example");
    auto q = call("GET", "/api/v1/queue", op_a);
    REQUIRE(q.json["tickets"].size() == 2);
    CHECK(q.json["tickets"][0]["requester"]["organization"] == "Acme Corp");
    CHECK(q.json["tickets"][0]["requester"]["email"] == "carla@ACME.example");
    CHECK(q.json["tickets"][1]["requester"]["organization"].is_null());
}

TEST_CASE_METHOD(Team, "the queue is ordered by priority, then by age") {
    const auto low_old = submit(dev, "first-line", "low");
    clock.advance(std::chrono::seconds(10));
    const auto high_new = submit(dev, "first-line", "high");
    clock.advance(std::chrono::seconds(10));
    const auto urgent = submit(dev, "first-line", "urgent");
    clock.advance(std::chrono::seconds(10));
    const auto high_newer = submit(dev, "first-line", "high");
    CHECK(queue_numbers(op_a) == std::vector<TicketNumber>{urgent, high_new, high_newer, low_old});
    auto q = call("GET", "/api/v1/queue", op_a);
    CHECK(q.json["tickets"][3]["waiting_s"] == 30);
}

TEST_CASE_METHOD(Team, "operators re-prioritise and bad values name the field") {
    const auto t = submit(dev, "first-line", "low");
    auto r = call("PATCH", "/api/v1/tickets/" + std::to_string(t), op_a, {{"priority", "urgent"}});
    REQUIRE(r.status == 200);
    CHECK(r.json["priority"] == "urgent");
    auto bad = call("PATCH", "/api/v1/tickets/" + std::to_string(t), op_a,
                    {{"priority", "asap"}, {"group_id", "nope"}, {"colour", 1}});
    REQUIRE(bad.status == 400);
    std::set<std::string> fields;
    for (const auto& e : bad.json["errors"]) fields.insert(e["field"]);
    CHECK(fields == std::set<std::string>{"priority", "group_id", "colour"});
}
