// Team administration of groups through the API: the list with members, tickets and the
// profiles offering each; the id rule; renames; what deleting does (previewed, then done,
// with its counts); the refusal while a published profile offers the group.
#include "server/api/services.h"
#include "tests/server/api/api_fixture.h"

using namespace helpline::server;
using helpline::server::test::ApiFixture;
using helpline::server::test::Reply;

namespace {

struct Groups : ApiFixture {
    Groups() {
        group("helpdesk");
        group("billing");
        group("sales");
        admin = user("boss@team.example", Role::admin);
        op = user("ana@team.example", Role::operator_, {"sales", "billing"}, &op_id);
        dev = device();
    }
    nlohmann::json listed(const std::string& id) {
        const auto r = call("GET", "/api/v1/groups", admin);
        for (const auto& g : r.json["groups"])
            if (g["id"] == id) return g;
        return nullptr;
    }
    void close(TicketNumber n) {
        REQUIRE(call("POST", "/api/v1/tickets/" + std::to_string(n) + "/close", admin).status == 200);
    }
    std::string admin, op, dev;
    UserId op_id = 0;
};

}  // namespace

TEST_CASE_METHOD(Groups, "groups are listed with members, open and history tickets, and the profiles offering them") {
    submit(dev, "sales");
    submit(dev, "sales");
    close(submit(dev, "sales"));
    REQUIRE(publish_profile(3) == 201);  // the demo profile offers helpdesk and billing

    auto r = call("GET", "/api/v1/groups", admin);
    REQUIRE(r.status == 200);
    REQUIRE(r.json["groups"].size() == 3);
    CHECK(r.json["groups"][0]["id"] == "billing");  // by id
    const auto sales = listed("sales");
    CHECK(sales["name"] == "sales team");
    CHECK(sales["members"] == nlohmann::json::array({op_id}));
    CHECK(sales["open_tickets"] == 2);
    CHECK(sales["history_tickets"] == 1);
    CHECK(sales["offered_by"] == nlohmann::json::array());
    const auto helpdesk = listed("helpdesk");
    CHECK(helpdesk["open_tickets"] == 0);
    CHECK(helpdesk["history_tickets"] == 0);
    CHECK(helpdesk["members"] == nlohmann::json::array());
    CHECK(helpdesk["offered_by"] == nlohmann::json::array({"demo-support"}));
    CHECK(listed("billing")["offered_by"] == nlohmann::json::array({"demo-support"}));
}

TEST_CASE_METHOD(Groups, "a group id breaking the rule is refused with the rule said") {
    for (const std::string& id : std::vector<std::string>{"First_Line", "x", std::string(41, 'a'), "dé-pt", "has space"}) {
        INFO(id);
        auto r = call("POST", "/api/v1/groups", admin, {{"id", id}, {"name", "Some group"}});
        CHECK(r.status == 400);
        REQUIRE(r.json["errors"].size() == 1);
        CHECK(r.json["errors"][0]["field"] == "id");
        CHECK_THAT(r.json["errors"][0]["message"].get<std::string>(), Catch::Contains("[a-z0-9-]{2,40}"));
        CHECK_THAT(r.json["errors"][0]["message"].get<std::string>(),
                   Catch::Contains("2 to 40 lowercase letters, digits and '-'"));
    }
    auto ok = call("POST", "/api/v1/groups", admin, {{"id", "second-line-2"}, {"name", "Second line"}});
    REQUIRE(ok.status == 201);
    CHECK(ok.json["id"] == "second-line-2");
    CHECK(ok.json["name"] == "Second line");
    CHECK(ok.json["members"] == nlohmann::json::array());
    CHECK(ok.json["open_tickets"] == 0);
    CHECK(ok.json["offered_by"] == nlohmann::json::array());
    auto taken = call("POST", "/api/v1/groups", admin, {{"id", "second-line-2"}, {"name", "Again"}});
    CHECK(taken.status == 409);
    CHECK_THAT(taken.json["detail"].get<std::string>(), Catch::Contains("already exists"));
    CHECK(call("POST", "/api/v1/groups", admin, {{"id", "ok-id"}, {"name", ""}}).status == 400);
}

TEST_CASE_METHOD(Groups, "a renamed group shows its new name in the queue and the audit says from what") {
    const auto n = submit(dev, "sales");
    auto r = call("PATCH", "/api/v1/groups/sales", admin, {{"name", "Sales & renewals"}});
    REQUIRE(r.status == 200);
    CHECK(r.json["name"] == "Sales & renewals");
    CHECK(r.json["open_tickets"] == 1);
    const auto queue = call("GET", "/api/v1/queue", op).json["tickets"];
    REQUIRE(queue.size() == 1);
    CHECK(queue[0]["number"] == n);
    CHECK(queue[0]["group"]["name"] == "Sales & renewals");
    const auto last = store().audit_log(1).front();
    CHECK(last.action == "group-renamed");
    CHECK(nlohmann::json::parse(last.detail) ==
          nlohmann::json({{"group_id", "sales"}, {"from", "sales team"}, {"to", "Sales & renewals"}}));
    CHECK(call("PATCH", "/api/v1/groups/sales", admin, {{"name", ""}}).status == 400);
}

TEST_CASE_METHOD(Groups, "deleting a group unassigns its open tickets and deletes its history, with the counts") {
    const auto open1 = submit(dev, "sales");
    const auto open2 = submit(dev, "sales");
    const auto closed1 = submit(dev, "sales");
    const auto closed2 = submit(dev, "sales");
    const auto other = submit(dev, "billing");
    close(closed1);
    close(closed2);
    close(other);
    // One more expires: unclosed past the TTL.
    clock.advance(std::chrono::hours(23));
    const auto fresh = submit(dev, "sales");
    clock.advance(std::chrono::hours(2));
    api::sweep(ctx());
    REQUIRE(store().ticket(open1)->status == TicketStatus::expired);
    REQUIRE(store().ticket(open2)->status == TicketStatus::expired);
    REQUIRE(store().ticket(fresh)->status == TicketStatus::open);
    const auto still_open = submit(dev, "sales");

    // The preview says what the deletion will do.
    auto preview = call("GET", "/api/v1/groups/sales/deletion", admin);
    REQUIRE(preview.status == 200);
    CHECK(preview.json == nlohmann::json({{"open_tickets", 2}, {"history_tickets", 4}, {"offered_by", nlohmann::json::array()}}));
    CHECK(store().group("sales"));  // a preview changes nothing
    CHECK(call("GET", "/api/v1/groups/nope/deletion", admin).status == 404);

    auto done = call("DELETE", "/api/v1/groups/sales", admin);
    REQUIRE(done.status == 200);
    CHECK(done.json == nlohmann::json({{"unassigned", 2}, {"deleted_history", 4}}));
    CHECK_FALSE(store().group("sales"));
    for (const auto n : {fresh, still_open}) {
        const auto t = store().ticket(n);
        REQUIRE(t);
        CHECK(t->status == TicketStatus::open);
        CHECK_FALSE(t->group_id);
    }
    for (const auto n : {open1, open2, closed1, closed2}) CHECK_FALSE(store().ticket(n));
    CHECK(store().ticket(other));
    // History's kept totals agree with what history holds: the other group's ticket.
    const auto dashboard = call("GET", "/api/v1/dashboard", admin).json;
    CHECK(dashboard["by_status"]["closed"] == 1);
    CHECK(dashboard["by_status"]["expired"] == 0);
    CHECK(call("GET", "/api/v1/history", admin).json["tickets"].size() == 1);
    CHECK(store().groups_of(op_id) == std::vector<std::string>{"billing"});
    const auto last = store().audit_log(1).front();
    CHECK(last.action == "group-deleted");
    CHECK(nlohmann::json::parse(last.detail) ==
          nlohmann::json({{"group_id", "sales"}, {"unassigned", 2}, {"deleted_history", 4}}));
}

TEST_CASE_METHOD(Groups, "a group a published profile offers cannot be deleted, and the answer names the profile and the way") {
    REQUIRE(publish_profile(1) == 201);  // helpdesk and billing
    const auto n = submit(dev, "billing");
    auto preview = call("GET", "/api/v1/groups/billing/deletion", admin);
    REQUIRE(preview.status == 200);
    CHECK(preview.json["offered_by"] == nlohmann::json::array({{{"id", "demo-support"}, {"revision", 1}}}));
    CHECK(preview.json["open_tickets"] == 1);

    auto refused = call("DELETE", "/api/v1/groups/billing", admin);
    CHECK(refused.status == 409);
    CHECK(refused.json["code"] == "group_offered");
    CHECK(refused.json["offered_by"] == nlohmann::json::array({{{"id", "demo-support"}, {"revision", 1}}}));
    const std::string detail = refused.json["detail"];
    CHECK_THAT(detail, Catch::Contains("demo-support (revision 1)"));
    CHECK_THAT(detail, Catch::Contains("Publish a revision of demo-support without it first"));
    CHECK(store().group("billing"));
    CHECK(store().ticket(n)->group_id == "billing");  // nothing happened

    REQUIRE(publish_profile(2, [](nlohmann::json& p) {
                p["assistance"]["groups"] = nlohmann::json::array({p["assistance"]["groups"][0]});
            }) == 201);
    CHECK(listed("billing")["offered_by"] == nlohmann::json::array());
    auto done = call("DELETE", "/api/v1/groups/billing", admin);
    CHECK(done.status == 200);
    CHECK(done.json["unassigned"] == 1);
}

TEST_CASE_METHOD(Groups, "members are set by user_ids or users, and an unknown user is named") {
    auto r = call("PUT", "/api/v1/groups/helpdesk/members", admin, {{"users", {op_id, op_id}}});
    REQUIRE(r.status == 200);
    CHECK(r.json["user_ids"] == nlohmann::json::array({op_id}));
    CHECK(call("GET", "/api/v1/groups/helpdesk/members", admin).json["user_ids"] == nlohmann::json::array({op_id}));
    CHECK(listed("helpdesk")["members"] == nlohmann::json::array({op_id}));
    auto unknown = call("PUT", "/api/v1/groups/helpdesk/members", admin, {{"users", {9999}}});
    CHECK(unknown.status == 400);
    CHECK(unknown.json["errors"][0]["field"] == "users");
    CHECK(unknown.json["errors"][0]["message"] == "user 9999 does not exist");
    CHECK(call("PUT", "/api/v1/groups/helpdesk/members", admin, {{"users", {op_id}}, {"user_ids", {op_id}}}).status ==
          400);
    REQUIRE(call("PUT", "/api/v1/groups/helpdesk/members", admin, {{"user_ids", nlohmann::json::array()}}).status == 200);
    CHECK(store().group_members("helpdesk").empty());
}
