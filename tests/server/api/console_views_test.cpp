// What the console reads besides the queue (docs/protocol.md, "Operator side"): the team,
// a ticket's page and its timeline, history pages with their filters and cursor, the CSV
// export, the requester type-ahead, and ticket-changed events that carry the ticket.
#include "server/api/csv.h"
#include "server/api/services.h"
#include "server/api/ticket_timeline.h"
#include "tests/server/api/api_fixture.h"

using namespace helpline::server;
using helpline::server::test::ApiFixture;
using helpline::server::test::Reply;

namespace {

struct Views : ApiFixture {
    Views() {
        group("first-line");
        group("billing");
        admin = user("boss@team.example", Role::admin, {}, &admin_id);
        op_a = user("ana@team.example", Role::operator_, {"first-line"}, &op_a_id);
        op_b = user("bruno@team.example", Role::operator_, {"billing"}, &op_b_id);
        dev = device(&dev_id);
        config.ticket_ttl = std::chrono::seconds(30 * 86400);
    }
    Reply get(const std::string& path, const std::string& token) { return call("GET", path, token); }
    void close(TicketNumber n, const std::string& by) {
        REQUIRE(call("POST", "/api/v1/tickets/" + std::to_string(n) + "/close", by).status == 200);
    }
    Reply patch(TicketNumber n, const std::string& by, const nlohmann::json& body) {
        return call("PATCH", "/api/v1/tickets/" + std::to_string(n), by, body);
    }
    std::shared_ptr<http::EventSink> console(const std::string& token) {
        auto r = call("GET", "/api/v1/console/events", token);
        REQUIRE(r.raw.stream);
        (void)r.raw.stream->drain();  // hello
        return r.raw.stream;
    }
    /// The data of the frames of `event` in `frames`.
    static std::vector<nlohmann::json> data_of(const std::vector<std::string>& frames, const std::string& event) {
        std::vector<nlohmann::json> out;
        for (const auto& f : frames) {
            if (f.find("event: " + event + "\n") == std::string::npos) continue;
            const auto at = f.find("data: ");
            out.push_back(nlohmann::json::parse(f.substr(at + 6, f.find('\n', at) - at - 6)));
        }
        return out;
    }
    static std::vector<TicketNumber> numbers(const nlohmann::json& answer) {
        std::vector<TicketNumber> out;
        for (const auto& t : answer["tickets"]) out.push_back(t["number"]);
        return out;
    }
    std::string admin, op_a, op_b, dev, dev_id;
    UserId admin_id = 0, op_a_id = 0, op_b_id = 0;
};

}  // namespace

// ---------------------------------------------------------------------------------------
// The team

TEST_CASE_METHOD(Views, "the team lists active users to assign to and the groups, marking the caller's") {
    UserId gone = 0;
    user("zed@team.example", Role::operator_, {}, &gone);
    REQUIRE(call("PATCH", "/api/v1/users/" + std::to_string(gone), admin, {{"disabled", true}}).status == 200);
    const auto r = get("/api/v1/team", op_a);
    REQUIRE(r.status == 200);
    CHECK(r.json["me"] == op_a_id);
    CHECK(r.json["operators"] == nlohmann::json::array({{{"id", op_a_id}, {"name", "ana"}, {"role", "operator"}},
                                                       {{"id", admin_id}, {"name", "boss"}, {"role", "admin"}},
                                                       {{"id", op_b_id}, {"name", "bruno"}, {"role", "operator"}}}));
    CHECK(r.json["groups"] == nlohmann::json::array({{{"id", "billing"}, {"name", "billing team"}, {"member", false}},
                                                    {{"id", "first-line"}, {"name", "first-line team"}, {"member", true}}}));
    CHECK(get("/api/v1/team", dev).status == 403);
    CHECK(get("/api/v1/team", "").status == 401);
}

// ---------------------------------------------------------------------------------------
// A ticket's page

TEST_CASE_METHOD(Views, "a ticket's page has its fields and a timeline of who did what") {
    const auto n = submit(dev, "first-line", "low");
    clock.advance(std::chrono::seconds(5));
    REQUIRE(patch(n, op_a, {{"operator_id", op_a_id}, {"priority", "high"}}).status == 200);
    clock.advance(std::chrono::seconds(5));
    auto connect = call("POST", "/api/v1/tickets/" + std::to_string(n) + "/connect", op_a);
    REQUIRE(connect.status == 201);
    const std::string declined_id = connect.json["request_id"];
    REQUIRE(call("POST", "/api/v1/connection-requests/" + declined_id + "/decline", dev).status == 204);
    connect = call("POST", "/api/v1/tickets/" + std::to_string(n) + "/connect", op_a);
    const std::string accepted_id = connect.json["request_id"];
    auto accepted = call("POST", "/api/v1/connection-requests/" + accepted_id + "/accept", dev, {{"vnc_password", "secret-123"}});
    REQUIRE(accepted.status == 200);
    const std::string session = accepted.json["session_id"];
    clock.advance(std::chrono::seconds(125));
    REQUIRE(call("POST", "/api/v1/sessions/" + session + "/end", dev).status == 204);
    clock.advance(std::chrono::seconds(5));
    REQUIRE(patch(n, op_a, {{"group_id", "billing"}}).status == 200);  // leaves ana's view...
    close(n, admin);                                                    // ...the admin closes it

    const auto r = get("/api/v1/tickets/" + std::to_string(n), admin);
    REQUIRE(r.status == 200);
    const auto& t = r.json;
    CHECK(t["number"] == n);
    CHECK(t["status"] == "closed");
    CHECK(t["closed_by"] == nlohmann::json{{"id", admin_id}, {"name", "boss"}});
    CHECK(t["assigned_at"].is_string());
    CHECK(t["time_to_close_s"] == 140);
    std::vector<std::string> kinds;
    for (const auto& e : t["timeline"]) kinds.push_back(e["kind"]);
    CHECK(kinds == std::vector<std::string>{"created", "assigned", "priority", "connection", "connection", "session",
                                            "group", "closed"});
    const auto& tl = t["timeline"];
    CHECK(tl[0]["actor"] == nlohmann::json{{"type", "customer"}});
    CHECK(tl[0]["priority"] == "low");
    CHECK(tl[0]["group"] == nlohmann::json{{"id", "first-line"}, {"name", "first-line team"}});
    CHECK(tl[1]["operator"] == nlohmann::json{{"id", op_a_id}, {"name", "ana"}});
    CHECK(tl[1]["from"].is_null());
    CHECK(tl[1]["actor"]["name"] == "ana");
    CHECK(tl[2]["from"] == "low");
    CHECK(tl[2]["to"] == "high");
    CHECK(tl[3]["outcome"] == "declined");
    CHECK(tl[4]["outcome"] == "accepted");
    CHECK(tl[5]["duration_s"] == 125);  // no relay here: from the accept to the end
    CHECK(tl[5]["ended_by"] == nlohmann::json{{"type", "customer"}});
    CHECK(tl[6]["from"]["id"] == "first-line");
    CHECK(tl[6]["to"] == nlohmann::json{{"id", "billing"}, {"name", "billing team"}});
    CHECK(tl[7]["actor"]["id"] == admin_id);

    // Ana handled it (assigned, connected): it is in her history, and so is its page.
    CHECK(get("/api/v1/tickets/" + std::to_string(n), op_a).status == 200);
    // Bruno's group had it at the end: history by group.
    CHECK(get("/api/v1/tickets/" + std::to_string(n), op_b).status == 200);
}

TEST_CASE_METHOD(Views, "a ticket outside the caller's view has no page, and says nothing of itself") {
    const auto n = submit(dev, "billing");
    const auto hidden = get("/api/v1/tickets/" + std::to_string(n), op_a);
    const auto missing = get("/api/v1/tickets/999999", op_a);
    CHECK(hidden.status == 404);
    CHECK(missing.status == 404);
    CHECK(get("/api/v1/tickets/abc", op_a).status == 404);
    CHECK(get("/api/v1/tickets/" + std::to_string(n), op_b).status == 200);
    CHECK(get("/api/v1/tickets/" + std::to_string(n), dev).status == 403);
}

TEST_CASE("a timeline from an older audit, without \"from\", says only what changed") {
    api::Directory dir;
    User bruno;
    bruno.id = 3;
    bruno.name = "Bruno";
    dir.users[3] = bruno;
    const auto entry = [](Timestamp at, const std::string& actor, const std::string& action, const std::string& detail) {
        AuditEntry e;
        e.at = at;
        e.actor = actor;
        e.action = action;
        e.detail = detail;
        return e;
    };
    const auto tl = api::ticket_timeline(
        {entry(100, "device:d1", "ticket-created", "{}"),
         entry(110, "user:3", "ticket-updated", R"({"priority":"medium","group_id":null,"operator_id":3})"),
         entry(120, "user:3", "ticket-updated", R"({"priority":"high","group_id":null,"operator_id":3})"),
         entry(130, "cli", "ticket-closed", "{}")},
        dir);
    std::vector<std::string> kinds;
    for (const auto& e : tl) kinds.push_back(e["kind"]);
    // The first update's priority and group were what the ticket had (unknown before); the
    // second changed the priority only.
    CHECK(kinds == std::vector<std::string>{"created", "assigned", "priority", "closed"});
    CHECK(tl[2]["from"] == "medium");
    CHECK(tl[3]["actor"] == nlohmann::json{{"type", "cli"}});
}

// ---------------------------------------------------------------------------------------
// History

TEST_CASE_METHOD(Views, "history filters by requester, by days and by a close-time range, and pages by cursor") {
    std::vector<TicketNumber> closed;
    for (int i = 0; i < 7; ++i) {
        const auto n = submit(dev, "first-line", "medium", i % 2 == 0 ? "Ana@Acme.example" : "bob@acme.example");
        clock.advance(std::chrono::seconds(86400));  // one a day
        close(n, op_a);
        closed.push_back(n);
    }
    clock.advance(std::chrono::seconds(60));  // the last one closed a minute ago
    const std::vector<TicketNumber> newest_first(closed.rbegin(), closed.rend());
    CHECK(numbers(get("/api/v1/history", admin).json) == newest_first);
    CHECK(numbers(get("/api/v1/history?email=ana@acme.example", admin).json) ==
          std::vector<TicketNumber>{closed[6], closed[4], closed[2], closed[0]});
    // Closed within the last 2 days: the last two (closed 0 and 1 days ago).
    CHECK(numbers(get("/api/v1/history?days=2", admin).json) == std::vector<TicketNumber>{closed[6], closed[5]});
    const std::string from = format_time(clock.now() - 3 * 86400);
    const std::string to = format_time(clock.now() - 86400);
    CHECK(numbers(get("/api/v1/history?from=" + from + "&to=" + to, admin).json) ==
          std::vector<TicketNumber>{closed[5], closed[4]});

    std::vector<TicketNumber> walked;
    std::string after;
    for (int pages = 0; pages < 10; ++pages) {
        const auto r = get("/api/v1/history?limit=3" + (after.empty() ? "" : "&after=" + after), op_a);
        REQUIRE(r.status == 200);
        for (const auto n : numbers(r.json)) walked.push_back(n);
        if (r.json["next"].is_null()) break;
        after = r.json["next"];
    }
    CHECK(walked == newest_first);
    CHECK(get("/api/v1/history", op_b).json["tickets"].empty());
}

TEST_CASE_METHOD(Views, "a bad history filter names every bad parameter") {
    const auto r = get("/api/v1/history?days=0&limit=5000&after=nonsense&from=yesterday", admin);
    REQUIRE(r.status == 400);
    std::set<std::string> fields;
    for (const auto& e : r.json["errors"]) fields.insert(e["field"]);
    CHECK(fields == std::set<std::string>{"days", "limit", "after", "from"});
    CHECK(get("/api/v1/history?from=2026-11-25&to=2026-11-24", admin).json["errors"][0]["field"] == "to");
    CHECK(get("/api/v1/history?after=12.0", admin).status == 400);
}

TEST_CASE_METHOD(Views, "the CSV export holds exactly the page's rows, quoted as RFC 4180 says, formulas defused") {
    const auto plain = submit(dev, "first-line", "high", "ana@acme.example");
    clock.advance(std::chrono::seconds(90));
    close(plain, op_a);
    nlohmann::json body = {{"email", "=cmd@acme.example"},
                           {"description", "d"},
                           {"subject", "Printer, \"big\" one\nsecond line"}};
    auto r = call("POST", "/api/v1/tickets", dev, body, {{"Idempotency-Key", uuid()}});
    REQUIRE(r.status == 201);
    const TicketNumber tricky = r.json["number"];
    clock.advance(std::chrono::seconds(10));
    close(tricky, admin);

    const auto csv = get("/api/v1/history/export?limit=1", admin);
    REQUIRE(csv.status == 200);
    CHECK(csv.raw.content_type == "text/csv; charset=utf-8");
    const auto disposition = std::find_if(csv.raw.headers.begin(), csv.raw.headers.end(),
                                          [](const auto& h) { return h.first == "Content-Disposition"; });
    REQUIRE(disposition != csv.raw.headers.end());
    CHECK_THAT(disposition->second, Catch::StartsWith("attachment; filename=\"helpline-history-"));
    const std::string header =
        "number,requester_email,organization,subject,group,operator,priority,status,created_at,closed_at,"
        "time_to_close_s\r\n";
    // limit=1: the newest row only, as GET /history?limit=1 shows.
    CHECK(csv.raw.body == header + std::to_string(tricky) + ",'=cmd@acme.example,,\"Printer, \"\"big\"\" one\nsecond line\",,,medium,closed," +
                              format_time(clock.now() - 10) + "," + format_time(clock.now()) + ",10\r\n");
    const auto next = get("/api/v1/history?limit=1", admin).json["next"].get<std::string>();
    const auto second = get("/api/v1/history/export?limit=1&after=" + next, admin);
    CHECK_THAT(second.raw.body, Catch::Contains(std::to_string(plain) + ",ana@acme.example,,,first-line team,,high,closed,"));
    CHECK_THAT(second.raw.body, Catch::EndsWith(",90\r\n"));
    CHECK(get("/api/v1/history/export?limit=0", admin).status == 400);
}

TEST_CASE("CSV fields are quoted only when they must be") {
    CHECK(api::csv_field("plain") == "plain");
    CHECK(api::csv_field("a,b") == "\"a,b\"");
    CHECK(api::csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(api::csv_field("two\r\nlines") == "\"two\r\nlines\"");
    CHECK(api::csv_field("+1 555") == "'+1 555");
    CHECK(api::csv_field("-5", false) == "-5");
    CHECK(api::csv_field("@SUM(A1)") == "'@SUM(A1)");
    CHECK(api::csv_field("café ☕") == "café ☕");
    CHECK(api::csv_record({"a", "b"}) == "a,b\r\n");
}

TEST_CASE_METHOD(Views, "the requester type-ahead lists history's emails by their first letters, in the caller's view") {
    for (const auto& [email, group] : std::vector<std::pair<std::string, std::string>>{
             {"Ana@acme.example", "first-line"}, {"anabel@acme.example", "billing"}, {"bob@acme.example", "first-line"}}) {
        const auto n = submit(dev, group, "medium", email);
        close(n, admin);
    }
    CHECK(get("/api/v1/history/requesters?prefix=AN", admin).json["emails"] ==
          nlohmann::json::array({"ana@acme.example", "anabel@acme.example"}));
    CHECK(get("/api/v1/history/requesters?prefix=an", op_a).json["emails"] == nlohmann::json::array({"ana@acme.example"}));
    CHECK(get("/api/v1/history/requesters?prefix=an&limit=1", admin).json["emails"].size() == 1);
    CHECK(get("/api/v1/history/requesters?prefix=", admin).status == 400);
    CHECK(get("/api/v1/history/requesters?prefix=a&limit=51", admin).status == 400);
}

// ---------------------------------------------------------------------------------------
// ticket-changed carries the ticket

TEST_CASE_METHOD(Views, "ticket-changed carries the ticket to those who see it, and null to those who stop seeing it") {
    auto a = console(op_a);
    auto b = console(op_b);
    auto boss = console(admin);
    const auto n = submit(dev, "first-line", "low");
    auto seen = data_of(a->drain(), "ticket-changed");
    REQUIRE(seen.size() == 1);
    CHECK(seen[0]["number"] == n);
    CHECK(seen[0]["ticket"]["status"] == "open");
    CHECK(seen[0]["ticket"]["group"]["id"] == "first-line");
    CHECK(b->drain().empty());
    (void)boss->drain();

    REQUIRE(patch(n, op_a, {{"group_id", "billing"}}).json["visible_to_you"] == false);
    seen = data_of(a->drain(), "ticket-changed");
    REQUIRE(seen.size() == 1);
    CHECK(seen[0] == nlohmann::json{{"number", n}, {"ticket", nullptr}});
    seen = data_of(b->drain(), "ticket-changed");
    REQUIRE(seen.size() == 1);
    CHECK(seen[0]["ticket"]["group"]["id"] == "billing");
    CHECK(data_of(boss->drain(), "ticket-changed")[0]["ticket"]["number"] == n);

    close(n, op_b);
    seen = data_of(b->drain(), "ticket-changed");
    REQUIRE(seen.size() == 1);
    CHECK(seen[0]["ticket"]["status"] == "closed");
    CHECK(a->drain().empty());
}

TEST_CASE_METHOD(Views, "a device's stream opening and closing tells consoles its tickets' device_online") {
    const auto n = submit(dev, "first-line");
    auto a = console(op_a);
    std::shared_ptr<http::EventSink> stream;
    {
        auto r = call("GET", "/api/v1/events", dev);
        REQUIRE(r.raw.stream);
        stream = r.raw.stream;
    }
    auto seen = data_of(a->drain(), "ticket-changed");
    REQUIRE(seen.size() == 1);
    CHECK(seen[0]["number"] == n);
    CHECK(seen[0]["ticket"]["device_online"] == true);
    stream->disconnected();  // the client went away
    seen = data_of(a->drain(), "ticket-changed");
    REQUIRE(seen.size() == 1);
    CHECK(seen[0]["ticket"]["device_online"] == false);
}
