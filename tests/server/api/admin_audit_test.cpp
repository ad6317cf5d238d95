// The audit log through the API: filters, keyset pages, the CSV export, and that admin
// changes are audited and reach every console at once.
#include "tests/server/api/api_fixture.h"

using namespace helpline::server;
using helpline::server::test::ApiFixture;

namespace {

struct Audit : ApiFixture {
    Audit() {
        group("helpdesk");
        group("billing");
        admin = user("boss@team.example", Role::admin, {}, &admin_id);
        op = user("ana@team.example", Role::operator_, {"helpdesk"}, &op_id);
    }
    void write(Timestamp at, const std::string& actor, const std::string& action,
               std::optional<TicketNumber> ticket = std::nullopt, const std::string& detail = "{}") {
        REQUIRE(store().audit(AuditEntry{0, at, actor, action, ticket, "", "", detail}).ok());
    }
    std::vector<std::string> actions(const std::string& query) {
        auto r = call("GET", "/api/v1/audit" + query, admin);
        REQUIRE(r.status == 200);
        std::vector<std::string> out;
        for (const auto& e : r.json["entries"]) out.push_back(e["action"]);
        return out;
    }
    std::string admin, op;
    UserId admin_id = 0, op_id = 0;
};

std::vector<std::string> lines(const std::string& csv) {
    std::vector<std::string> out;
    for (std::size_t start = 0; start < csv.size();) {
        const auto end = csv.find("\r\n", start);
        REQUIRE(end != std::string::npos);
        out.push_back(csv.substr(start, end - start));
        start = end + 2;
    }
    return out;
}

}  // namespace

TEST_CASE_METHOD(Audit, "the audit log is filtered by actor, action, ticket and date range") {
    const Timestamp day = 1'780'000'000 - 1'780'000'000 % 86400;  // a midnight UTC
    write(day - 10, "user:1", "login");
    write(day + 10, "user:1", "ticket-updated", 1001);
    write(day + 20, "user:2", "ticket-updated", 1002);
    write(day + 86400 + 5, "cli", "group-created");
    const std::string d1 = format_time(day).substr(0, 10);
    const std::string d2 = format_time(day + 86400).substr(0, 10);

    CHECK(actions("?actor=user:1") == std::vector<std::string>{"ticket-updated", "login"});
    CHECK(actions("?action=ticket-updated&ticket=1002").size() == 1);
    CHECK(actions("?ticket=1001") == std::vector<std::string>{"ticket-updated"});
    CHECK(actions("?from=" + d1 + "&to=" + d2) == std::vector<std::string>{"ticket-updated", "ticket-updated"});
    CHECK(actions("?from=" + d2) == std::vector<std::string>{"group-created"});
    CHECK(actions("?to=" + format_time(day)) == std::vector<std::string>{"login"});
    CHECK(actions("?actor=nobody").empty());
    CHECK(actions("?actor=&action=").size() == 4);  // empty means no filter
}

TEST_CASE_METHOD(Audit, "audit entries name their actor and carry their detail") {
    REQUIRE(call("POST", "/api/v1/groups", admin, {{"id", "sales"}, {"name", "Sales"}}).status == 201);
    auto r = call("GET", "/api/v1/audit?limit=1", admin);
    REQUIRE(r.status == 200);
    const auto& e = r.json["entries"][0];
    CHECK(e["action"] == "group-created");
    CHECK(e["actor"] == "user:" + std::to_string(admin_id));
    CHECK(e["actor_name"] == "boss");
    CHECK(e["detail"] == nlohmann::json({{"group_id", "sales"}}));
    CHECK(e["ticket_number"].is_null());
    CHECK(e["at"] == format_time(clock.now()));
    write(clock.now(), "system", "expired");
    CHECK(call("GET", "/api/v1/audit?limit=1", admin).json["entries"][0]["actor_name"].is_null());
}

TEST_CASE_METHOD(Audit, "audit pages run newest first and meet without repeats or gaps") {
    for (int i = 0; i < 7; ++i) write(1000 + i, "cli", "step-" + std::to_string(i));
    std::vector<std::string> seen;
    std::string query = "?action=&limit=3";
    std::vector<std::size_t> sizes;
    for (;;) {
        auto r = call("GET", "/api/v1/audit" + query, admin);
        REQUIRE(r.status == 200);
        sizes.push_back(r.json["entries"].size());
        for (const auto& e : r.json["entries"]) seen.push_back(e["action"]);
        if (r.json["next"].is_null()) break;
        REQUIRE(r.json["next"].is_string());
        query = "?limit=3&after=" + r.json["next"].get<std::string>();
        write(9000, "cli", "written-meanwhile");  // newer: never on a later page
    }
    CHECK(sizes == std::vector<std::size_t>{3, 3, 1});
    CHECK(seen == std::vector<std::string>{"step-6", "step-5", "step-4", "step-3", "step-2", "step-1", "step-0"});
}

TEST_CASE_METHOD(Audit, "bad audit filters are refused, each named") {
    auto r = call("GET", "/api/v1/audit?limit=0&after=abc&from=yesterday&ticket=x12&actor=" + std::string(101, 'a'),
                  admin);
    CHECK(r.status == 400);
    std::set<std::string> fields;
    for (const auto& e : r.json["errors"]) fields.insert(e["field"]);
    CHECK(fields == std::set<std::string>{"limit", "after", "from", "ticket", "actor"});
    CHECK(call("GET", "/api/v1/audit?limit=1001", admin).status == 400);
    CHECK(call("GET", "/api/v1/audit?from=2026-12-02&to=2026-12-01", admin).status == 400);
    CHECK(call("GET", "/api/v1/audit/export?after=-1", admin).status == 400);
}

TEST_CASE_METHOD(Audit, "the CSV export holds every entry the filters select, past one page, safe for spreadsheets") {
    UserId sly = 0;
    const auto sly_token = user("sly@team.example", Role::admin, {}, &sly);
    auto u = *store().user(sly);
    u.name = "=HYPERLINK(\"http://evil.example\")";
    REQUIRE(store().update_user(u).ok());
    REQUIRE(call("POST", "/api/v1/organizations", sly_token, {{"domain", "acme.example"}, {"name", "Acme, Inc."}}).status ==
            201);
    for (int i = 0; i < 1005; ++i) write(2000 + i, "system", "expired", 1001 + i);

    auto all = call("GET", "/api/v1/audit/export?action=expired", admin);
    REQUIRE(all.status == 200);
    CHECK(all.raw.content_type == "text/csv; charset=utf-8");
    const auto disposition = std::find_if(all.raw.headers.begin(), all.raw.headers.end(),
                                          [](const auto& h) { return h.first == "Content-Disposition"; });
    REQUIRE(disposition != all.raw.headers.end());
    CHECK_THAT(disposition->second, Catch::Matches("attachment; filename=\"helpline-audit-\\d{8}-\\d{6}\\.csv\""));
    const auto rows = lines(all.raw.body);
    REQUIRE(rows.size() == 1 + 1005);
    CHECK(rows[0] == "id,at,actor,actor_name,action,ticket_number,request_id,session_id,detail");
    CHECK_THAT(rows[1], Catch::Contains(",system,,expired,2005,,,{}"));
    CHECK_THAT(rows.back(), Catch::Contains(",system,,expired,1001,,,{}"));

    auto mine = call("GET", "/api/v1/audit/export?action=organization-created", admin);
    const auto org = lines(mine.raw.body);
    REQUIRE(org.size() == 2);
    // The name that looks like a formula is text; the detail is one quoted field.
    CHECK_THAT(org[1], Catch::Contains(",user:" + std::to_string(sly) + ",\"'=HYPERLINK(\"\"http://evil.example\"\")\","));
    CHECK_THAT(org[1], Catch::EndsWith(",\"{\"\"domain\"\":\"\"acme.example\"\"}\""));
}

TEST_CASE_METHOD(Audit, "every admin change is audited and tells every console at once") {
    auto stream = call("GET", "/api/v1/console/events", op).raw.stream;
    REQUIRE(stream);
    (void)stream->drain();
    REQUIRE(store().add_organization({"acme.example", "Acme"}).ok());
    const auto heard = [&] {
        const auto frames = stream->drain();
        return std::any_of(frames.begin(), frames.end(),
                           [](const std::string& f) { return f.find("event: queue-changed") != std::string::npos; });
    };
    (void)heard();
    const std::string other = [&] {
        auto r = call("POST", "/api/v1/users", admin, {{"email", "bo@team.example"}, {"name", "Bo"}});
        REQUIRE(r.status == 201);
        return std::to_string(r.json["user"]["id"].get<UserId>());
    }();
    CHECK(heard());
    const std::vector<std::tuple<std::string, std::string, nlohmann::json, std::string>> changes = {
        {"PATCH", "/api/v1/users/" + other, {{"name", "Bo B."}}, "user-updated"},
        {"POST", "/api/v1/users/" + other + "/reset-password", nullptr, "user-password-reset"},
        {"POST", "/api/v1/groups", {{"id", "sales"}, {"name", "Sales"}}, "group-created"},
        {"PATCH", "/api/v1/groups/sales", {{"name", "Sales team"}}, "group-renamed"},
        {"PUT", "/api/v1/groups/sales/members", {{"user_ids", {op_id}}}, "group-members-set"},
        {"DELETE", "/api/v1/groups/sales", nullptr, "group-deleted"},
        {"POST", "/api/v1/organizations", {{"domain", "globex.example"}, {"name", "Globex"}}, "organization-created"},
        {"PATCH", "/api/v1/organizations/globex.example", {{"name", "Globex Corp"}}, "organization-renamed"},
        {"DELETE", "/api/v1/organizations/globex.example", nullptr, "organization-removed"},
    };
    for (const auto& [method, target, body, action] : changes) {
        INFO(method << " " << target);
        const auto r = call(method, target, admin, body);
        CHECK(r.status < 300);
        const auto last = store().audit_log(1).front();
        CHECK(last.action == action);
        CHECK(last.actor == "user:" + std::to_string(admin_id));
        CHECK(heard());
    }
    REQUIRE(publish_profile(1) == 201);
    CHECK(store().audit_log(1).front().action == "profile-published");
    CHECK(heard());
    // Reading changes nothing and tells nobody.
    (void)call("GET", "/api/v1/users", admin);
    (void)call("GET", "/api/v1/audit", admin);
    CHECK_FALSE(heard());
}
