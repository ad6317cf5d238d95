// Team administration of organizations through the API: renaming one changes the name
// the queue shows for its requesters, at once, and every console hears of it.
#include "tests/server/api/api_fixture.h"

using namespace helpline::server;
using helpline::server::test::ApiFixture;

namespace {

struct Organizations : ApiFixture {
    Organizations() {
        group("helpdesk");
        admin = user("boss@team.example", Role::admin);
        op = user("ana@team.example", Role::operator_, {"helpdesk"});
        dev = device();
    }
    std::string admin, op, dev;
};

}  // namespace

TEST_CASE_METHOD(Organizations, "a renamed organization is what the queue shows from then on") {
    REQUIRE(call("POST", "/api/v1/organizations", admin, {{"domain", "Acme.Example"}, {"name", "Acme"}}).status == 201);
    const auto n = submit(dev, "helpdesk", "medium", "ana@acme.example");
    auto queue = call("GET", "/api/v1/queue", op).json["tickets"];
    REQUIRE(queue.size() == 1);
    CHECK(queue[0]["requester"]["organization"] == "Acme");

    auto stream = call("GET", "/api/v1/console/events", op).raw.stream;
    REQUIRE(stream);
    (void)stream->drain();  // hello
    auto r = call("PATCH", "/api/v1/organizations/ACME.example", admin, {{"name", "Acme Corporation"}});
    REQUIRE(r.status == 200);
    CHECK(r.json == nlohmann::json({{"domain", "acme.example"}, {"name", "Acme Corporation"}}));
    const auto frames = stream->drain();
    CHECK(std::any_of(frames.begin(), frames.end(),
                      [](const std::string& f) { return f.find("event: queue-changed") != std::string::npos; }));

    queue = call("GET", "/api/v1/queue", op).json["tickets"];
    REQUIRE(queue.size() == 1);
    CHECK(queue[0]["number"] == n);
    CHECK(queue[0]["requester"]["organization"] == "Acme Corporation");
    CHECK(call("GET", "/api/v1/tickets/" + std::to_string(n), op).json["requester"]["organization"] ==
          "Acme Corporation");
    const auto list = call("GET", "/api/v1/organizations", admin).json["organizations"];
    CHECK(list == nlohmann::json::array({{{"domain", "acme.example"}, {"name", "Acme Corporation"}}}));
    const auto last = store().audit_log(1).front();
    CHECK(last.action == "organization-renamed");
    CHECK(nlohmann::json::parse(last.detail) == nlohmann::json({{"domain", "acme.example"}, {"name", "Acme Corporation"}}));
}

TEST_CASE_METHOD(Organizations, "renaming an organization needs a name and an organization that exists") {
    REQUIRE(call("POST", "/api/v1/organizations", admin, {{"domain", "acme.example"}, {"name", "Acme"}}).status == 201);
    auto empty = call("PATCH", "/api/v1/organizations/acme.example", admin, {{"name", ""}});
    CHECK(empty.status == 400);
    CHECK(empty.json["errors"][0]["field"] == "name");
    CHECK(call("PATCH", "/api/v1/organizations/acme.example", admin, {{"domain", "x.example"}}).status == 400);
    auto missing = call("PATCH", "/api/v1/organizations/globex.example", admin, {{"name", "Globex"}});
    CHECK(missing.status == 404);
    CHECK_THAT(missing.json["detail"].get<std::string>(), Catch::Contains("globex.example"));
    CHECK(store().organizations()[0].name == "Acme");
}
