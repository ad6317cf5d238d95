// Why a connection request was declined: the device says (the customer's No, the desktop's
// sharing dialog cancelled, no screen-sharing program could start), and the operator reads
// it everywhere the request's state is shown — its own view, the console stream, the
// ticket's timeline — and the audit keeps it.
#include "tests/server/api/api_fixture.h"

using namespace helpline::server;
using helpline::server::test::ApiFixture;
using helpline::server::test::Reply;

namespace {

struct Declines : ApiFixture {
    Declines() {
        group("first-line");
        op = user("ana@team.example", Role::operator_, {"first-line"});
        admin = user("boss@team.example", Role::admin);
        dev = device();
        ticket = submit(dev, "first-line");
    }
    std::string connect() {
        auto r = call("POST", "/api/v1/tickets/" + std::to_string(ticket) + "/connect", op);
        REQUIRE(r.status == 201);
        return r.json["request_id"];
    }
    Reply decline(const std::string& id, const nlohmann::json& body = nullptr,
                  std::vector<std::pair<std::string, std::string>> headers = {}) {
        return call("POST", "/api/v1/connection-requests/" + id + "/decline", dev, body,
                    std::move(headers));
    }
    nlohmann::json request(const std::string& id) {
        auto r = call("GET", "/api/v1/connection-requests/" + id, op);
        REQUIRE(r.status == 200);
        return r.json;
    }
    /// The ticket page's timeline entry of connection request `id`.
    nlohmann::json timeline_entry(const std::string& id) {
        auto r = call("GET", "/api/v1/tickets/" + std::to_string(ticket), op);
        REQUIRE(r.status == 200);
        for (const auto& e : r.json["timeline"])
            if (e["kind"] == "connection" && e["request_id"] == id) return e;
        FAIL("no timeline entry for request " << id);
        return {};
    }
    /// The detail of the "declined" audit entry of request `id`, or null without one.
    nlohmann::json declined_detail(const std::string& id) {
        for (const auto& e : store().ticket_audit(ticket))
            if (e.action == "declined" && e.request_id == id)
                return nlohmann::json::parse(e.detail);
        return nullptr;
    }
    std::string op, admin, dev;
    TicketNumber ticket = 0;
};

}  // namespace

TEST_CASE_METHOD(Declines,
                 "each reason a device gives reaches the operator's view, the console, the "
                 "timeline and the audit") {
    for (const std::string reason : {"customer", "desktop_dialog", "no_backend"}) {
        DYNAMIC_SECTION(reason) {
            auto console = call("GET", "/api/v1/console/events", op);
            REQUIRE(console.raw.stream);
            const auto id = connect();
            CHECK_FALSE(request(id).contains("decline_reason"));  // pending: no reason yet
            (void)console.raw.stream->drain();

            REQUIRE(decline(id, {{"reason", reason}}).status == 204);
            const auto seen = request(id);
            CHECK(seen["state"] == "declined");
            CHECK(seen["decline_reason"] == reason);
            // An admin following the request reads the same.
            CHECK(call("GET", "/api/v1/connection-requests/" + id, admin).json["decline_reason"] ==
                  reason);
            const auto frames = console.raw.stream->drain();
            REQUIRE(frames.size() == 1);
            CHECK_THAT(frames[0], Catch::Contains("event: connection-request-changed"));
            CHECK_THAT(frames[0],
                       Catch::Contains("\"decline_reason\":\"" + reason + "\",\"id\":\"" + id +
                                       "\",\"state\":\"declined\""));
            const auto entry = timeline_entry(id);
            CHECK(entry["outcome"] == "declined");
            CHECK(entry["decline_reason"] == reason);
            CHECK(entry["answered_at"].is_string());
            CHECK(declined_detail(id) == nlohmann::json{{"reason", reason}});
            CHECK(store().connection_request(id)->decline_reason == parse_decline_reason(reason));
        }
    }
}

TEST_CASE_METHOD(
    Declines,
    "a decline without a body or without a reason is the customer's, as from older clients") {
    const auto no_body = connect();
    REQUIRE(decline(no_body).status == 204);
    CHECK(request(no_body)["decline_reason"] == "customer");
    CHECK(declined_detail(no_body) == nlohmann::json{{"reason", "customer"}});

    const auto empty_object = connect();
    REQUIRE(decline(empty_object, nlohmann::json::object()).status == 204);
    CHECK(request(empty_object)["decline_reason"] == "customer");

    const auto null_reason = connect();
    REQUIRE(decline(null_reason, {{"reason", nullptr}}).status == 204);
    CHECK(request(null_reason)["decline_reason"] == "customer");
    CHECK(timeline_entry(null_reason)["decline_reason"] == "customer");
}

TEST_CASE_METHOD(Declines,
                 "a reason the server does not know is refused and the request stays pending") {
    auto console = call("GET", "/api/v1/console/events", op);
    const auto id = connect();
    (void)console.raw.stream->drain();

    for (const nlohmann::json& bad :
         {nlohmann::json("bored"), nlohmann::json("Customer"), nlohmann::json(""),
          nlohmann::json(3), nlohmann::json::array({"customer"})}) {
        INFO(bad.dump());
        const auto r = decline(id, {{"reason", bad}});
        CHECK(r.status == 400);
        CHECK(r.raw.content_type == "application/problem+json");
        REQUIRE(r.json["errors"].size() == 1);
        CHECK(r.json["errors"][0]["field"] == "reason");
        CHECK(r.json["errors"][0]["message"] ==
              "must be one of customer, desktop_dialog, no_backend");
    }
    // Bodies are read as on every device endpoint: unknown fields, a body that is not an
    // object, and one that is not sent as JSON are refused too.
    const auto unknown = decline(id, {{"reason", "customer"}, {"why", "busy"}});
    CHECK(unknown.status == 400);
    REQUIRE(unknown.json["errors"].size() == 1);
    CHECK(unknown.json["errors"][0]["field"] == "why");
    CHECK(decline(id, nlohmann::json("customer")).status == 400);
    CHECK(decline(id, {{"reason", "customer"}}, {{"Content-Type", "text/plain"}}).status == 415);

    // Nothing changed: still pending, no event, no audit entry; the client declines again
    // without a reason and that is taken.
    CHECK(request(id)["state"] == "pending");
    CHECK(console.raw.stream->drain().empty());
    CHECK(declined_detail(id).is_null());
    CHECK(timeline_entry(id)["outcome"] == "pending");
    REQUIRE(decline(id).status == 204);
    CHECK(request(id)["decline_reason"] == "customer");
}

TEST_CASE_METHOD(
    Declines,
    "only a declined request has a reason, and an accepted one cannot be declined afterwards") {
    const auto id = connect();
    REQUIRE(call("POST", "/api/v1/connection-requests/" + id + "/accept", dev,
                 {{"vnc_password", "s3cret-pw"}})
                .status == 200);
    CHECK(decline(id, {{"reason", "no_backend"}}).status == 409);
    CHECK_FALSE(request(id).contains("decline_reason"));
    CHECK_FALSE(timeline_entry(id).contains("decline_reason"));

    // Declined already: another decline is the same answer again (a lost reply's retry) and
    // does not change the reason.
    const auto declined = connect();
    REQUIRE(decline(declined, {{"reason", "desktop_dialog"}}).status == 204);
    CHECK(decline(declined, {{"reason", "no_backend"}}).status == 204);
    CHECK(request(declined)["decline_reason"] == "desktop_dialog");
}

TEST_CASE_METHOD(
    Declines,
    "a decline audited before reasons were recorded reads as the customer's in the timeline") {
    // As the audit of a server before this change: "declined" with an empty detail.
    const std::string id = "old-request";
    const UserId ana = store().user_by_email("ana@team.example")->id;
    REQUIRE(store()
                .audit(AuditEntry{0, clock.now(), "user:" + std::to_string(ana), "requested",
                                  ticket, id, "", "{}"})
                .ok());
    REQUIRE(store()
                .audit(AuditEntry{0, clock.now(), "device:x", "declined", ticket, id, "", "{}"})
                .ok());
    const auto entry = timeline_entry(id);
    CHECK(entry["outcome"] == "declined");
    CHECK(entry["decline_reason"] == "customer");
}

TEST_CASE_METHOD(Declines,
                 "a decline sent again, its answer lost on the way, is taken once and keeps "
                 "the first reason") {
    auto console = call("GET", "/api/v1/console/events", op);
    const auto id = connect();
    (void)console.raw.stream->drain();
    REQUIRE(decline(id, {{"reason", "desktop_dialog"}}).status == 204);
    CHECK(console.raw.stream->drain().size() == 1);

    // The client did not hear the first answer and sends its decline again, the same or
    // (an older client's fallback) without a reason: the same answer, nothing else happens.
    CHECK(decline(id, {{"reason", "desktop_dialog"}}).status == 204);
    CHECK(decline(id).status == 204);
    CHECK(request(id)["decline_reason"] == "desktop_dialog");
    CHECK(console.raw.stream->drain().empty());
    int declined_entries = 0;
    for (const auto& e : store().ticket_audit(ticket))
        declined_entries += e.action == "declined" && e.request_id == id ? 1 : 0;
    CHECK(declined_entries == 1);

    // Other answers stay refused once declined: a late Allow, and a bad body still.
    CHECK(call("POST", "/api/v1/connection-requests/" + id + "/accept", dev,
               {{"vnc_password", "s3cret-pw"}})
              .status == 409);
    CHECK(decline(id, {{"reason", "bored"}}).status == 400);
}
