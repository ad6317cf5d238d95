// Ticket submission from devices: validation per field, idempotency, limits.
#include <thread>

#include "tests/server/api/api_fixture.h"

using namespace helpline;
using namespace helpline::server;
using helpline::server::test::ApiFixture;
using helpline::server::test::Reply;

namespace {

std::set<std::string> error_fields(const nlohmann::json& problem) {
    std::set<std::string> out;
    for (const auto& e : problem["errors"]) out.insert(e["field"]);
    return out;
}

struct Submitting : ApiFixture {
    Submitting() {
        group("helpdesk");
        dev = device();
    }
    Reply post(const nlohmann::json& body, const std::string& key) {
        return call("POST", "/api/v1/tickets", dev, body, {{"Idempotency-Key", key}});
    }
    std::string dev;
    const nlohmann::json good = {{"email", "ana@example.com"}, {"description", "The printer is on fire"},
                                 {"group_id", "helpdesk"}, {"subject", "Printer"}};
};

}  // namespace

TEST_CASE_METHOD(Submitting, "a submission creates an open ticket with the given fields") {
    auto r = post(good, uuid());
    REQUIRE(r.status == 201);
    CHECK(r.json["status"] == "open");
    CHECK(r.json["number"].get<TicketNumber>() >= 1001);
    auto t = store().ticket(r.json["number"]);
    REQUIRE(t);
    CHECK(t->email == "ana@example.com");
    CHECK(t->subject == "Printer");
    CHECK(t->group_id == "helpdesk");
    CHECK(t->priority == Priority::medium);
}

TEST_CASE_METHOD(Submitting, "a retried submission with the same key returns the first ticket") {
    const std::string key = uuid();
    auto first = post(good, key);
    auto again = post(good, key);
    REQUIRE(first.status == 201);
    REQUIRE(again.status == 200);
    CHECK(again.json == first.json);
    CHECK(store().open_tickets().size() == 1);
}

TEST_CASE_METHOD(Submitting, "the same key with another body is refused with 422") {
    const std::string key = uuid();
    REQUIRE(post(good, key).status == 201);
    auto other = good;
    other["description"] = "Something else";
    CHECK(post(other, key).status == 422);
    CHECK(store().open_tickets().size() == 1);
}

TEST_CASE_METHOD(Submitting, "fifty concurrent submissions with one key make exactly one ticket") {
    const std::string key = uuid();
    std::vector<int> statuses(50);
    std::vector<std::thread> threads;
    for (int i = 0; i < 50; ++i) threads.emplace_back([&, i] { statuses[static_cast<std::size_t>(i)] = post(good, key).status; });
    for (auto& t : threads) t.join();
    CHECK(std::count(statuses.begin(), statuses.end(), 201) == 1);
    CHECK(std::count(statuses.begin(), statuses.end(), 200) == 49);
    CHECK(store().open_tickets().size() == 1);
}

TEST_CASE_METHOD(Submitting, "invalid submissions name each bad field") {
    struct Case {
        const char* name;
        nlohmann::json body;
        std::set<std::string> fields;
    };
    const std::vector<Case> cases = {
        {"invalid email", {{"email", "not-an-email"}, {"description", "x"}}, {"email"}},
        // A right-to-left override would show "invoice\u202Egnp.exe" as "invoiceexe.png".
        {"email with a direction override", {{"email", "invoice\u202Egnp.exe@acme.example"}, {"description", "x"}}, {"email"}},
        {"missing everything", nlohmann::json::object(), {"email", "description"}},
        {"empty description", {{"email", "a@b.example"}, {"description", "   "}}, {"description"}},
        {"unknown group", {{"email", "a@b.example"}, {"description", "x"}, {"group_id", "sales"}}, {"group_id"}},
        {"bad priority", {{"email", "a@b.example"}, {"description", "x"}, {"priority", "asap"}}, {"priority"}},
        {"wrong types", {{"email", 5}, {"description", true}}, {"email", "description"}},
        {"unknown field", {{"email", "a@b.example"}, {"description", "x"}, {"colour", "red"}}, {"colour"}},
        {"description too long", {{"email", "a@b.example"}, {"description", std::string(kMaxDescriptionLimit + 1, 'x')}},
         {"description"}},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        auto r = post(c.body, uuid());
        REQUIRE(r.status == 400);
        CHECK(r.raw.content_type == "application/problem+json");
        CHECK(error_fields(r.json) == c.fields);
    }
    CHECK(store().open_tickets().empty());
}

TEST_CASE_METHOD(Submitting, "the idempotency key is required and must be a UUID") {
    CHECK(call("POST", "/api/v1/tickets", dev, good).status == 400);
    auto r = post(good, "12345");
    CHECK(r.status == 400);
    CHECK(error_fields(r.json) == std::set<std::string>{"Idempotency-Key"});
}

TEST_CASE_METHOD(Submitting, "bodies that are not JSON objects are refused") {
    http::Request r;
    auto wrong_type = call("POST", "/api/v1/tickets", dev, nullptr,
                           {{"Idempotency-Key", uuid()}, {"Content-Type", "text/plain"}});
    CHECK(wrong_type.status == 415);
    auto array = call("POST", "/api/v1/tickets", dev, nlohmann::json::array({1, 2}), {{"Idempotency-Key", uuid()}});
    CHECK(array.status == 400);
}

TEST_CASE_METHOD(Submitting, "submissions are rate-limited per device with Retry-After") {
    config.submissions_per_minute = 3;
    for (int i = 0; i < 3; ++i) REQUIRE(post(good, uuid()).status == 201);
    auto limited = post(good, uuid());
    CHECK(limited.status == 429);
    bool has_retry = false;
    for (const auto& [n, v] : limited.raw.headers) has_retry = has_retry || n == "Retry-After";
    CHECK(has_retry);
    clock.advance(std::chrono::seconds(61));
    CHECK(post(good, uuid()).status == 201);
}

TEST_CASE_METHOD(Submitting, "a device lists its own tickets only with status and operator") {
    const auto other = device();
    REQUIRE(post(good, uuid()).status == 201);
    REQUIRE(call("POST", "/api/v1/tickets", other, good, {{"Idempotency-Key", uuid()}}).status == 201);
    auto mine = call("GET", "/api/v1/devices/me/tickets", dev);
    REQUIRE(mine.status == 200);
    REQUIRE(mine.json["tickets"].size() == 1);
    CHECK(mine.json["tickets"][0]["status"] == "open");
    CHECK(mine.json["tickets"][0]["operator_name"].is_null());
}

TEST_CASE_METHOD(Submitting, "a created ticket is audited in its own transaction and a retry is not audited again") {
    const std::string key = uuid();
    auto first = post(good, key);
    REQUIRE(first.status == 201);
    REQUIRE(post(good, key).status == 200);
    int created = 0;
    for (const auto& e : store().audit_log(100))
        if (e.action == "ticket-created" && e.ticket_number == first.json["number"].get<TicketNumber>()) ++created;
    CHECK(created == 1);
}

TEST_CASE_METHOD(Submitting, "a retry of a stored submission gets its answer even after its group was deleted") {
    const std::string admin = user("boss@team.example", Role::admin);
    const std::string key = uuid();
    auto first = post(good, key);
    REQUIRE(first.status == 201);
    REQUIRE(call("DELETE", "/api/v1/groups/helpdesk", admin).status == 200);

    auto retry = post(good, key);
    CHECK(retry.status == 200);
    CHECK(retry.json == first.json);
    // A new submission to the group that is gone is refused, naming the field; with another
    // bad field, both are named at once.
    auto fresh = post(good, uuid());
    CHECK(fresh.status == 400);
    CHECK(error_fields(fresh.json) == std::set<std::string>{"group_id"});
    CHECK_THAT(fresh.json["detail"].get<std::string>(), Catch::Contains("\"helpdesk\" is not a group of this team"));
    auto both = good;
    both["email"] = "nope";
    CHECK(error_fields(post(both, uuid()).json) == std::set<std::string>{"email", "group_id"});
    CHECK(store().open_tickets().size() == 1);
}

namespace {

/// The demo profile with only the helpdesk group (the Submitting team's one).
std::function<void(nlohmann::json&)> assistance(const std::string& default_priority, bool customer_sets_priority) {
    return [=](nlohmann::json& p) {
        p["assistance"]["groups"] = nlohmann::json::array({p["assistance"]["groups"][0]});
        p["assistance"]["default_priority"] = default_priority;
        p["assistance"]["customer_sets_priority"] = customer_sets_priority;
    };
}

}  // namespace

TEST_CASE_METHOD(Submitting, "without a published profile the customer's priority is taken, else medium") {
    auto chosen = good;
    chosen["priority"] = "urgent";
    CHECK(store().ticket(post(chosen, uuid()).json["number"])->priority == Priority::urgent);
    CHECK(store().ticket(post(good, uuid()).json["number"])->priority == Priority::medium);
}

TEST_CASE_METHOD(Submitting, "a profile that does not let customers set the priority imposes its default") {
    REQUIRE(publish_profile(1, assistance("high", false)) == 201);
    auto asked_low = good;
    asked_low["priority"] = "low";
    auto r = post(asked_low, uuid());
    REQUIRE(r.status == 201);
    CHECK(store().ticket(r.json["number"])->priority == Priority::high);
    CHECK(store().ticket(post(good, uuid()).json["number"])->priority == Priority::high);
    // A priority the profile ignores must still be one: the body is checked all the same.
    auto bad = good;
    bad["priority"] = "asap";
    CHECK(post(bad, uuid()).status == 400);
}

TEST_CASE_METHOD(Submitting, "a profile that lets customers set the priority defaults to its own when they do not") {
    REQUIRE(publish_profile(1, assistance("low", true)) == 201);
    CHECK(store().ticket(post(good, uuid()).json["number"])->priority == Priority::low);
    auto chosen = good;
    chosen["priority"] = "urgent";
    CHECK(store().ticket(post(chosen, uuid()).json["number"])->priority == Priority::urgent);
    // Devices of another profile are not bound by it.
    auto other = call("POST", "/api/v1/devices", {}, {{"profile_id", "other-support"}});
    REQUIRE(other.status == 201);
    auto r = call("POST", "/api/v1/tickets", other.json["device_token"], good, {{"Idempotency-Key", uuid()}});
    REQUIRE(r.status == 201);
    CHECK(store().ticket(r.json["number"])->priority == Priority::medium);
}
