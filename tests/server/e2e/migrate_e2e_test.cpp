// `helpline-server migrate --from sqlite:PATH --to postgresql://...` (issue 16): a team that
// started on SQLite moves to PostgreSQL with one command and carries on there as it was.
// Only in the PostgreSQL pass ([postgres]): the target is a database of the test cluster.

#include <catch2/catch.hpp>

#include "tests/server/e2e/e2e_fixture.h"
#include "tests/support/pg_test_database.h"

namespace helpline::test::e2e {
namespace {

using namespace std::chrono_literals;

/// A team on SQLite with something in every corner: users, groups, a device, tickets open
/// and closed, a connection request, the audit log.
struct SqliteTeam {
    TempDir dir;
    ServerProcess server{kServerBin, dir / "data", {"helpdesk", "billing"}, ""};
    std::string admin_token;
    DeviceCredentials device;
    std::int64_t open_ticket = 0;
    std::int64_t closed_ticket = 0;

    SqliteTeam() {
        server.start(unlimited_args());
        REQUIRE(server.database().empty());
        admin_token = login(server.url(), server.admin_email(), server.admin_password());
        CurlOptions reg;
        reg.method = "POST";
        reg.headers = {"Content-Type: application/json"};
        reg.body = Json{{"profile_id", kDemoProfile}, {"hostname", "pc-1"}}.dump();
        const auto registered = body_json(curl_request(server.url("/api/v1/devices"), reg));
        device = {registered.at("device_id").get<std::string>(), registered.at("device_token").get<std::string>()};
        open_ticket = submit("Still open");
        closed_ticket = submit("Done with");
        REQUIRE(call("POST", "/api/v1/tickets/" + std::to_string(closed_ticket) + "/close").status == 200);
        REQUIRE(call("POST", "/api/v1/tickets/" + std::to_string(open_ticket) + "/connect").status == 201);
        REQUIRE(server.admin({"user", "add", "--email", "op@team.example", "--name", "Op"}).exit_code == 0);
        REQUIRE(server.admin({"org", "add", "acme.example", "Acme"}).exit_code == 0);
    }

    static std::string login(const std::string& base, const std::string& email, const std::string& password) {
        CurlOptions o;
        o.method = "POST";
        o.headers = {"Content-Type: application/json"};
        o.body = Json{{"email", email}, {"password", password}}.dump();
        const auto r = curl_request(base + "/api/v1/auth/login", o);
        INFO(r.body);
        REQUIRE(r.status == 200);
        return body_json(r).at("token").get<std::string>();
    }
    CurlResponse call(const std::string& method, const std::string& path) const {
        CurlOptions o;
        o.method = method;
        o.headers = {"Authorization: Bearer " + admin_token};
        return curl_request(server.url(path), o);
    }
    std::int64_t submit(const std::string& description) const {
        CurlOptions o;
        o.method = "POST";
        o.headers = {"Authorization: Bearer " + device.token, "Content-Type: application/json",
                     "Idempotency-Key: " + new_uuid()};
        o.body = ticket_body(description).dump();
        const auto r = curl_request(server.url("/api/v1/tickets"), o);
        REQUIRE(r.status == 201);
        return body_json(r).at("number").get<std::int64_t>();
    }
};

ProgramResult migrate(const std::string& from, const std::string& to) {
    return run_program({kServerBin, "migrate", "--from", from, "--to", to});
}

}  // namespace

TEST_CASE("migrate copies a SQLite team into PostgreSQL, where it carries on as it was", "[postgres]") {
    SqliteTeam old;
    const Json queue_before = body_json(old.call("GET", "/api/v1/queue"));
    const Json history_before = body_json(old.call("GET", "/api/v1/history"));
    const Json audit_before = body_json(old.call("GET", "/api/v1/audit"));
    REQUIRE(old.server.terminate() == 0);

    const std::string url = fresh_postgres_url();
    const auto copied = migrate("sqlite:" + (old.server.data() / "helpline.db").string(), url);
    INFO(copied.out << copied.err);
    REQUIRE(copied.exit_code == 0);
    CHECK_THAT(copied.out, Catch::Contains("every table's count matches"));
    CHECK_THAT(copied.out, Catch::Contains("tickets"));

    // A server on the copy: the same admin password, queue, history, audit and device.
    TempDir dir;
    ServerProcess moved(kServerBin, dir / "data", {}, url);
    moved.start(unlimited_args());
    const std::string admin = SqliteTeam::login(moved.url(), old.server.admin_email(), old.server.admin_password());
    const auto get = [&](const std::string& path, const std::string& token) {
        CurlOptions o;
        o.headers = {"Authorization: Bearer " + token};
        return curl_request(moved.url(path), o);
    };
    const Json queue_after = body_json(get("/api/v1/queue", admin));
    REQUIRE(queue_after.at("tickets").size() == queue_before.at("tickets").size());
    CHECK(queue_after.at("tickets").at(0).at("number") == old.open_ticket);
    CHECK(body_json(get("/api/v1/history", admin)).at("tickets").size() == history_before.at("tickets").size());
    CHECK(body_json(get("/api/v1/audit", admin)).at("entries").size() >= audit_before.at("entries").size());
    const Json mine = body_json(get("/api/v1/devices/me/tickets", old.device.token));
    INFO(mine.dump());
    CHECK(mine.dump().find(std::to_string(old.closed_ticket)) != std::string::npos);
    // New rows continue the numbering: the next ticket after the copied ones, a new user.
    CurlOptions submit;
    submit.method = "POST";
    submit.headers = {"Authorization: Bearer " + old.device.token, "Content-Type: application/json",
                      "Idempotency-Key: " + new_uuid()};
    submit.body = ticket_body("After the move").dump();
    const auto next = curl_request(moved.url("/api/v1/tickets"), submit);
    REQUIRE(next.status == 201);
    CHECK(body_json(next).at("number") == old.closed_ticket + 1);
    CHECK(moved.admin({"user", "add", "--email", "new@team.example", "--name", "New"}).exit_code == 0);
}

TEST_CASE("migrate refuses a target that holds a team, and changes nothing", "[postgres]") {
    SqliteTeam old;
    REQUIRE(old.server.terminate() == 0);
    TempDir dir;
    const std::string url = fresh_postgres_url();
    ServerProcess other(kServerBin, dir / "data", {"elsewhere"}, url);
    const auto refused = migrate("sqlite:" + (old.server.data() / "helpline.db").string(), url);
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.err, Catch::Contains("already holds a team"));
    CHECK(query_rows(url, "SELECT COUNT(*) FROM tickets").at(0).at(0) == "0");
    CHECK(query_rows(url, "SELECT id FROM team_groups").size() == 1);
}

TEST_CASE("migrate says what is wrong with its arguments") {
    TempDir dir;
    auto missing = migrate("sqlite:" + (dir / "none.db").string(), "postgresql://helpline@/x?host=/nowhere");
    CHECK(missing.exit_code == 1);
    CHECK_THAT(missing.err, Catch::Contains("there is no SQLite database"));
    auto not_pg = migrate("sqlite:" + (dir / "none.db").string(), (dir / "other.db").string());
    CHECK(not_pg.exit_code == 1);
    CHECK_THAT(not_pg.err, Catch::Contains("--to takes the PostgreSQL database"));
    auto usage = run_program({kServerBin, "migrate", "--from", "x.db"});
    CHECK(usage.exit_code == 2);
}

}  // namespace helpline::test::e2e
