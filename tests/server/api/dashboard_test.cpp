// GET /api/v1/dashboard: counts over the caller's view (docs/protocol.md).
#include "server/api/services.h"
#include "tests/server/api/api_fixture.h"

using namespace helpline::server;
using helpline::server::test::ApiFixture;

namespace {

struct Dashboard : ApiFixture {
    Dashboard() {
        group("first-line");
        group("billing");
        admin = user("boss@team.example", Role::admin, {}, &admin_id);
        op_a = user("ana@team.example", Role::operator_, {"first-line"}, &op_a_id);
        op_b = user("bruno@team.example", Role::operator_, {"billing"}, &op_b_id);
        dev = device();

        config.ticket_ttl = std::chrono::seconds(100);
        expired = submit(dev, "first-line", "medium");
        clock.advance(std::chrono::seconds(101));
        api::sweep(ctx());

        oldest = submit(dev, "first-line", "high");
        clock.advance(std::chrono::seconds(10));
        mine = submit(dev, "first-line", "low");
        assign(mine, op_a_id);
        clock.advance(std::chrono::seconds(10));
        billing = submit(dev, "billing", "urgent");
        assign(billing, op_b_id);
        clock.advance(std::chrono::seconds(10));
        nowhere = submit(dev, "", "medium");
        clock.advance(std::chrono::seconds(10));
        close(submit(dev, "first-line", "medium"), op_a);
        close(submit(dev, "billing", "low"), op_b);
        clock.advance(std::chrono::seconds(5));
    }
    void assign(TicketNumber t, UserId to) {
        REQUIRE(call("PATCH", "/api/v1/tickets/" + std::to_string(t), admin, {{"operator_id", to}}).status == 200);
    }
    void close(TicketNumber t, const std::string& by) {
        REQUIRE(call("POST", "/api/v1/tickets/" + std::to_string(t) + "/close", by).status == 200);
    }
    nlohmann::json dashboard(const std::string& token) {
        auto r = call("GET", "/api/v1/dashboard", token);
        REQUIRE(r.status == 200);
        return r.json;
    }
    std::string admin, op_a, op_b, dev;
    UserId admin_id = 0, op_a_id = 0, op_b_id = 0;
    TicketNumber expired = 0, oldest = 0, mine = 0, billing = 0, nowhere = 0;
};

}  // namespace

TEST_CASE_METHOD(Dashboard, "an admin's dashboard counts every ticket by state, priority, group and operator") {
    const auto d = dashboard(admin);
    CHECK(d["open"] == 4);
    CHECK(d["by_status"] == nlohmann::json{{"open", 4}, {"closed", 2}, {"expired", 1}});
    CHECK(d["unassigned"] == 2);
    CHECK(d["by_priority"] == nlohmann::json{{"low", 1}, {"medium", 1}, {"high", 1}, {"urgent", 1}});
    CHECK(d["by_group"] == nlohmann::json{{"first-line", 2}, {"billing", 1}, {"(none)", 1}});
    // Every active user, by name, idle ones too; closed_today counts the two closes.
    CHECK(d["workload"] == nlohmann::json::array({{{"id", op_a_id}, {"name", "ana"}, {"open", 1}, {"closed_today", 1}},
                                                  {{"id", admin_id}, {"name", "boss"}, {"open", 0}, {"closed_today", 0}},
                                                  {{"id", op_b_id}, {"name", "bruno"}, {"open", 1}, {"closed_today", 1}}}));
    CHECK(d["closed_today"] == 2);
    CHECK(d["oldest_waiting"] == nlohmann::json{{"number", oldest}, {"waiting_s", 45}});
}

TEST_CASE_METHOD(Dashboard, "an operator's dashboard counts only what their queue and history show") {
    const auto a = dashboard(op_a);
    CHECK(a["open"] == 2);
    // History: first-line's closed ticket and its expired one; not billing's.
    CHECK(a["by_status"] == nlohmann::json{{"open", 2}, {"closed", 1}, {"expired", 1}});
    CHECK(a["unassigned"] == 1);
    CHECK(a["by_priority"] == nlohmann::json{{"low", 1}, {"medium", 0}, {"high", 1}, {"urgent", 0}});
    CHECK(a["by_group"] == nlohmann::json{{"first-line", 2}});
    CHECK(a["workload"] == nlohmann::json::array({{{"id", op_a_id}, {"name", "ana"}, {"open", 1}, {"closed_today", 1}}}));
    CHECK(a["closed_today"] == 1);
    CHECK(a["oldest_waiting"]["number"] == oldest);

    const auto b = dashboard(op_b);
    CHECK(b["by_status"] == nlohmann::json{{"open", 1}, {"closed", 1}, {"expired", 0}});
    CHECK(b["oldest_waiting"] == nlohmann::json{{"number", billing}, {"waiting_s", 25}});
    CHECK(b["by_group"] == nlohmann::json{{"billing", 1}});
}

TEST_CASE_METHOD(ApiFixture, "an empty dashboard has zero counts and nobody waiting") {
    UserId boss = 0;
    const auto d = call("GET", "/api/v1/dashboard", user("boss@team.example", Role::admin, {}, &boss)).json;
    CHECK(d["open"] == 0);
    CHECK(d["by_status"] == nlohmann::json{{"open", 0}, {"closed", 0}, {"expired", 0}});
    CHECK(d["by_group"] == nlohmann::json::object());
    CHECK(d["workload"] == nlohmann::json::array({{{"id", boss}, {"name", "boss"}, {"open", 0}, {"closed_today", 0}}}));
    CHECK(d["oldest_waiting"].is_null());
    CHECK(d["closed_today"] == 0);
    CHECK(d["per_hour"].size() == 24);
    CHECK(d["time_to_close_7d"] == nlohmann::json{{"median_s", nullptr}, {"count", 0}});
}

TEST_CASE_METHOD(ApiFixture, "the dashboard counts per hour over 24 h, today from the caller's midnight, and the median time to close") {
    group("first-line");
    UserId op_id = 0;
    const auto admin = user("boss@team.example", Role::admin);
    const auto op = user("ana@team.example", Role::operator_, {"first-line"}, &op_id);
    const auto dev = device();
    config.ticket_ttl = std::chrono::seconds(30 * 86400);
    const Timestamp now0 = *parse_time("2026-11-25T12:30:00Z");
    clock.set(now0);
    // Three tickets closed after 10 min, 20 min and 60 min; one still open.
    std::vector<std::pair<int, int>> plan = {{0, 600}, {0, 1200}, {0, 3600}};
    for (const auto& [start, after] : plan) {
        const auto n = submit(dev, "first-line");
        clock.advance(std::chrono::seconds(after));
        REQUIRE(call("POST", "/api/v1/tickets/" + std::to_string(n) + "/close", op).status == 200);
        clock.set(now0);
        (void)start;
    }
    clock.advance(std::chrono::seconds(2 * 3600));  // 14:30
    submit(dev, "first-line");
    const auto d = call("GET", "/api/v1/dashboard", admin).json;
    CHECK(d["time_to_close_7d"] == nlohmann::json{{"median_s", 1200}, {"count", 3}});
    CHECK(d["per_hour"].back()["start"] == "2026-11-25T14:00:00Z");
    CHECK(d["per_hour"].back()["created"] == 1);
    CHECK(d["per_hour"][21]["start"] == "2026-11-25T12:00:00Z");
    CHECK(d["per_hour"][21]["created"] == 3);
    CHECK(d["per_hour"][21]["closed"] == 2);  // at 12:40 and 12:50
    CHECK(d["per_hour"][22]["closed"] == 1);  // at 13:30
    CHECK(d["closed_today"] == 3);
    CHECK(d["day_start"] == "2026-11-25T00:00:00Z");
    // A day that began at 13:00 UTC (a browser far to the east) holds one of the closes.
    const auto late = call("GET", "/api/v1/dashboard?day_start=2026-11-25T13:00:00Z", admin).json;
    CHECK(late["closed_today"] == 1);
    CHECK(late["workload"][0]["closed_today"] == 1);
    CHECK(call("GET", "/api/v1/dashboard?day_start=2026-11-25T13:00:00.000Z", admin).json["closed_today"] == 1);
    // The day the clocks go back is 25 hours long.
    CHECK(call("GET", "/api/v1/dashboard?day_start=2026-11-24T13:45:00Z", admin).status == 200);
    for (const char* bad : {"yesterday", "2026-11-20T00:00:00Z", "2026-11-26T00:00:00Z", "2026-11-24T13:00:00Z"}) {
        const auto r = call("GET", std::string("/api/v1/dashboard?day_start=") + bad, admin);
        CHECK(r.status == 400);
        CHECK(r.json["errors"][0]["field"] == "day_start");
    }
}
