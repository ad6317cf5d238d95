// Team management through the admin API: what each change refuses, and its audit.
#include "tests/server/api/api_fixture.h"

using namespace helpline::server;
using helpline::server::test::ApiFixture;
using helpline::server::test::Reply;

namespace {

struct Admin : ApiFixture {
    Admin() {
        group("helpdesk");
        group("billing");
        group("sales");
        admin = user("boss@team.example", Role::admin);
    }
    std::string admin;
};

}  // namespace

TEST_CASE_METHOD(Admin, "a group the published profile offers to customers cannot be deleted") {
    REQUIRE(publish_profile(1) == 201);  // the demo profile: helpdesk and billing
    auto refused = call("DELETE", "/api/v1/groups/billing", admin);
    CHECK(refused.status == 409);
    const std::string detail = refused.json["detail"];
    CHECK_THAT(detail, Catch::Contains("demo-support (revision 1)"));
    CHECK_THAT(detail, Catch::Contains("\"billing\""));
    CHECK_THAT(detail, Catch::Contains("Publish a revision of demo-support without it first"));
    CHECK(store().group("billing"));

    CHECK(call("DELETE", "/api/v1/groups/sales", admin).status == 200);  // not in the profile
    CHECK(call("DELETE", "/api/v1/groups/sales", admin).status == 404);

    // Once a revision without it is published, the group can go.
    REQUIRE(publish_profile(2, [](nlohmann::json& p) {
                p["assistance"]["groups"] = nlohmann::json::array({p["assistance"]["groups"][0]});
            }) == 201);
    CHECK(call("DELETE", "/api/v1/groups/billing", admin).status == 200);
    CHECK_FALSE(store().group("billing"));
}

TEST_CASE_METHOD(Admin, "admin endpoints answer 404 and 409 as docs/protocol.md lists them") {
    CHECK(call("PATCH", "/api/v1/users/9999", admin, {{"name", "x"}}).status == 404);
    CHECK(call("PATCH", "/api/v1/users/abc", admin, {{"name", "x"}}).status == 404);
    CHECK(call("POST", "/api/v1/users", admin, {{"email", "BOSS@team.example"}, {"name", "Again"}}).status == 409);
    CHECK(call("POST", "/api/v1/groups", admin, {{"id", "helpdesk"}, {"name", "Again"}}).status == 409);
    CHECK(call("PATCH", "/api/v1/groups/nope", admin, {{"name", "x"}}).status == 404);
    CHECK(call("DELETE", "/api/v1/groups/nope", admin).status == 404);
    CHECK(call("GET", "/api/v1/groups/nope/members", admin).status == 404);
    CHECK(call("PUT", "/api/v1/groups/nope/members", admin, {{"user_ids", nlohmann::json::array()}}).status == 404);
    auto unknown_member = call("PUT", "/api/v1/groups/helpdesk/members", admin, {{"user_ids", {9999}}});
    CHECK(unknown_member.status == 400);
    CHECK(unknown_member.json["errors"][0]["field"] == "user_ids");
    REQUIRE(call("POST", "/api/v1/organizations", admin, {{"domain", "acme.example"}, {"name", "Acme"}}).status == 201);
    CHECK(call("POST", "/api/v1/organizations", admin, {{"domain", "ACME.example"}, {"name", "Acme"}}).status == 409);
    CHECK(call("DELETE", "/api/v1/organizations/ACME.example", admin).status == 204);
    CHECK(call("DELETE", "/api/v1/organizations/acme.example", admin).status == 404);
    CHECK(call("PATCH", "/api/v1/organizations/acme.example", admin, {{"name", "Acme"}}).status == 404);
    CHECK(call("GET", "/api/v1/groups/nope/deletion", admin).status == 404);
    CHECK(call("POST", "/api/v1/users/9999/reset-password", admin).status == 404);
}

TEST_CASE_METHOD(Admin, "connecting to a ticket that no device made is a conflict") {
    NewTicket t;
    t.email = "walk-in@acme.example";
    t.description = "Came to the desk";
    t.created_at = clock.now();
    auto made = store().submit_ticket(t, "walk-in-key", "hash");
    REQUIRE(made.ok());
    auto r = call("POST", "/api/v1/tickets/" + std::to_string(made->ticket.number) + "/connect", admin);
    CHECK(r.status == 409);
    CHECK_THAT(r.json["detail"].get<std::string>(), Catch::Contains("did not come from a Helpline client"));
}
