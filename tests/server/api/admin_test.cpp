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

    CHECK(call("DELETE", "/api/v1/groups/sales", admin).status == 204);  // not in the profile
    CHECK(call("DELETE", "/api/v1/groups/sales", admin).status == 404);

    // Once a revision without it is published, the group can go.
    REQUIRE(publish_profile(2, [](nlohmann::json& p) {
                p["assistance"]["groups"] = nlohmann::json::array({p["assistance"]["groups"][0]});
            }) == 201);
    CHECK(call("DELETE", "/api/v1/groups/billing", admin).status == 204);
    CHECK_FALSE(store().group("billing"));
}
