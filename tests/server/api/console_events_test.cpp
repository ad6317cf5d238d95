// The operators' console stream: what it is told, and that it follows the user's current
// view — through the API at once, and from the CLI (another connection on the same
// database) at the next sweep.
#include "server/api/services.h"
#include "tests/server/api/api_fixture.h"

using namespace helpline::server;
using helpline::server::test::ApiFixture;
using helpline::server::test::Reply;

namespace {

struct Consoles : ApiFixture {
    Consoles() {
        group("first-line");
        group("billing");
        admin = user("boss@team.example", Role::admin);
        op_a = user("ana@team.example", Role::operator_, {"first-line"}, &op_a_id);
        op_b = user("bruno@team.example", Role::operator_, {"billing"}, &op_b_id);
        dev = device(&dev_id);
    }
    /// A console stream for `token`, its "hello" already read.
    std::shared_ptr<http::EventSink> console(const std::string& token) {
        auto r = call("GET", "/api/v1/console/events", token);
        REQUIRE(r.raw.stream);
        const auto hello = r.raw.stream->drain();
        REQUIRE(hello.size() == 1);
        CHECK_THAT(hello[0], Catch::Contains("event: hello"));
        return r.raw.stream;
    }
    std::string admin, op_a, op_b, dev, dev_id;
    UserId op_a_id = 0, op_b_id = 0;
};

bool has(const std::vector<std::string>& frames, const std::string& event, const std::string& part = {}) {
    return std::any_of(frames.begin(), frames.end(), [&](const std::string& f) {
        return f.find("event: " + event + "\n") != std::string::npos && f.find(part) != std::string::npos;
    });
}

}  // namespace

TEST_CASE_METHOD(Consoles, "consoles that see a ticket hear of its connection requests' states") {
    const auto ticket = submit(dev, "first-line");
    auto a = console(op_a);
    auto b = console(op_b);
    auto boss = console(admin);
    auto r = call("POST", "/api/v1/tickets/" + std::to_string(ticket) + "/connect", op_a);
    REQUIRE(r.status == 201);
    const std::string id = r.json["request_id"];
    const auto pending = "{\"id\":\"" + id + "\",\"state\":\"pending\",\"ticket_number\":" + std::to_string(ticket) + "}";
    CHECK(has(a->drain(), "connection-request-changed", pending));
    CHECK(has(boss->drain(), "connection-request-changed", pending));
    CHECK(b->drain().empty());  // not in billing's view

    REQUIRE(call("POST", "/api/v1/connection-requests/" + id + "/decline", dev).status == 204);
    CHECK(has(a->drain(), "connection-request-changed", "\"state\":\"declined\""));
    CHECK(b->drain().empty());
}

TEST_CASE_METHOD(Consoles, "deleting a group tells every console the queue changed") {
    submit(dev, "billing");
    auto a = console(op_a);
    auto b = console(op_b);
    REQUIRE(call("DELETE", "/api/v1/groups/billing", admin).status == 200);
    CHECK(has(a->drain(), "queue-changed", "{}"));
    CHECK(has(b->drain(), "queue-changed", "{}"));
}

TEST_CASE_METHOD(Consoles, "a console's view follows its user's groups as they change") {
    const auto ticket = submit(dev, "billing");
    auto a = console(op_a);
    const auto patch = [&] {
        REQUIRE(call("PATCH", "/api/v1/tickets/" + std::to_string(ticket), admin, {{"priority", "high"}}).status == 200);
    };
    patch();
    CHECK(a->drain().empty());  // billing is not Ana's

    REQUIRE(call("PUT", "/api/v1/groups/billing/members", admin, {{"user_ids", {op_a_id, op_b_id}}}).status == 200);
    CHECK(has(a->drain(), "queue-changed"));  // at once: her queue has a new ticket
    patch();
    CHECK(has(a->drain(), "ticket-changed", std::to_string(ticket)));

    REQUIRE(call("PUT", "/api/v1/groups/billing/members", admin, {{"user_ids", {op_b_id}}}).status == 200);
    CHECK(has(a->drain(), "queue-changed"));
    patch();
    CHECK(a->drain().empty());
}

TEST_CASE_METHOD(Consoles, "a console stream ends when its user is disabled or signs out") {
    auto a = console(op_a);
    auto b = console(op_b);
    REQUIRE(call("PATCH", "/api/v1/users/" + std::to_string(op_a_id), admin, {{"disabled", true}}).status == 200);
    CHECK(a->closed());
    CHECK_FALSE(b->closed());
    CHECK(hub.console_streams() >= 1);
    CHECK(has(b->drain(), "queue-changed"));  // the team changed: Ana is disabled
    REQUIRE(call("POST", "/api/v1/auth/logout", op_b).status == 204);
    CHECK(b->closed());
    // A closed stream is told nothing more.
    submit(dev, "billing");
    CHECK(b->drain().empty());
}

TEST_CASE_METHOD(Consoles, "changes another process makes on the database reach consoles at the next sweep") {
    const auto ticket = submit(dev, "billing");
    auto a = console(op_a);
    auto b = console(op_b);
    auto cli = open_store(database());  // what `helpline-server org add` etc. do
    REQUIRE(cli.ok());
    auto& other = **cli;

    api::sweep(ctx());
    CHECK(a->drain().empty());  // nothing changed, nothing said

    REQUIRE(other.add_organization({"acme.example", "Acme Corp"}).ok());
    api::sweep(ctx());
    CHECK(has(a->drain(), "queue-changed"));
    CHECK(has(b->drain(), "queue-changed"));

    // Membership: Ana joins billing and starts hearing of its tickets.
    REQUIRE(other.set_group_members("billing", {op_a_id, op_b_id}).ok());
    api::sweep(ctx());
    CHECK(has(a->drain(), "queue-changed"));
    (void)b->drain();
    REQUIRE(call("PATCH", "/api/v1/tickets/" + std::to_string(ticket), admin, {{"priority", "urgent"}}).status == 200);
    CHECK(has(a->drain(), "ticket-changed", std::to_string(ticket)));

    // Disabled by `user disable` (which also ends the user's sessions).
    auto bruno = *other.user(op_b_id);
    bruno.disabled = true;
    REQUIRE(other.update_user(bruno).ok());
    REQUIRE(other.delete_user_sessions(op_b_id).ok());
    CHECK_FALSE(b->closed());
    api::sweep(ctx());
    CHECK(b->closed());
    CHECK_FALSE(a->closed());
}
