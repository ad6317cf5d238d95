// Connection requests: single-use, expiring, bound to one device, one operator, one ticket.
#include "server/api/services.h"
#include "tests/server/api/api_fixture.h"

using namespace helpline::server;
using helpline::server::test::ApiFixture;
using helpline::server::test::Reply;

namespace {

struct Session : ApiFixture {
    Session() {
        group("first-line");
        group("billing");
        op_a = user("ana@team.example", Role::operator_, {"first-line"});
        op_b = user("bruno@team.example", Role::operator_, {"billing"});
        admin = user("boss@team.example", Role::admin);
        dev = device(&dev_id);
        other_dev = device();
        ticket = submit(dev, "first-line");
    }
    std::string connect(const std::string& token) {
        auto r = call("POST", "/api/v1/tickets/" + std::to_string(ticket) + "/connect", token);
        REQUIRE(r.status == 201);
        return r.json["request_id"];
    }
    Reply accept(const std::string& device_token, const std::string& id) {
        return call("POST", "/api/v1/connection-requests/" + id + "/accept", device_token,
                    {{"vnc_password", "s3cret-pw"}});
    }
    std::string op_a, op_b, admin, dev, dev_id, other_dev;
    TicketNumber ticket = 0;
};

std::vector<std::string> frames(http::EventSink& sink) { return sink.drain(); }

}  // namespace

TEST_CASE_METHOD(Session, "a connection request reaches the device's event stream at once") {
    auto stream = call("GET", "/api/v1/events", dev);
    REQUIRE(stream.raw.stream);
    const auto id = connect(op_a);
    const auto got = frames(*stream.raw.stream);
    REQUIRE(got.size() == 1);
    CHECK_THAT(got[0], Catch::Contains("event: connection-request"));
    CHECK_THAT(got[0], Catch::Contains(id));
    CHECK_THAT(got[0], Catch::Contains("\"operator_name\":\"ana\""));
    CHECK(hub.device_online(dev_id));
}

TEST_CASE_METHOD(Session, "accepting gives a session and relay token once and the operator sees the password") {
    const auto id = connect(op_a);
    auto first = accept(dev, id);
    REQUIRE(first.status == 200);
    CHECK(first.json["session_id"].get<std::string>().size() == 32);
    CHECK(first.json["relay_token"].get<std::string>().size() >= 43);
    CHECK(accept(dev, id).status == 409);
    CHECK(call("POST", "/api/v1/connection-requests/" + id + "/decline", dev).status == 409);
    auto state = call("GET", "/api/v1/connection-requests/" + id, op_a);
    CHECK(state.json["state"] == "accepted");
    CHECK(state.json["vnc_password"] == "s3cret-pw");
    // An admin may follow it but never gets the password.
    auto seen_by_admin = call("GET", "/api/v1/connection-requests/" + id, admin);
    CHECK(seen_by_admin.status == 200);
    CHECK_FALSE(seen_by_admin.json.contains("vnc_password"));
    CHECK(call("GET", "/api/v1/connection-requests/" + id, op_b).status == 404);
}

TEST_CASE_METHOD(Session, "a request expires after the timeout and then answers 409") {
    const auto id = connect(op_a);
    clock.advance(std::chrono::seconds(config.default_request_timeout_s));
    CHECK(accept(dev, id).status == 409);
    CHECK(call("GET", "/api/v1/connection-requests/" + id, op_a).json["state"] == "expired");
}

TEST_CASE_METHOD(Session, "the published profile's remote.request_timeout_s sets a request's expiry") {
    REQUIRE(publish_profile(1, [](nlohmann::json& p) {
                p["assistance"]["groups"] = nlohmann::json::array({{{"id", "first-line"}, {"name", {{"en", "First"}}}}});
                p["assistance"]["default_group"] = "first-line";
                p["remote"]["request_timeout_s"] = 20;
            }) == 201);
    auto stream = call("GET", "/api/v1/events", dev);
    const auto t0 = clock.now();
    auto r = call("POST", "/api/v1/tickets/" + std::to_string(ticket) + "/connect", op_a);
    REQUIRE(r.status == 201);
    const std::string id = r.json["request_id"];
    CHECK(store().connection_request(id)->expires_at == t0 + 20);
    CHECK_THAT(stream.raw.stream->drain().at(0), Catch::Contains("\"expires_in_s\":20"));
    clock.advance(std::chrono::seconds(19));
    CHECK(call("GET", "/api/v1/connection-requests/" + id, op_a).json["state"] == "pending");
    clock.advance(std::chrono::seconds(1));
    CHECK(accept(dev, id).status == 409);
    CHECK(call("GET", "/api/v1/connection-requests/" + id, op_a).json["state"] == "expired");
    // The server's own default (60 s) is for devices whose profile is not published.
    CHECK(config.default_request_timeout_s == 60);
}

TEST_CASE_METHOD(Session, "the sweeper expires requests and tells the device") {
    auto stream = call("GET", "/api/v1/events", dev);
    const auto id = connect(op_a);
    (void)stream.raw.stream->drain();
    clock.advance(std::chrono::seconds(config.default_request_timeout_s + 1));
    api::sweep(ctx());
    const auto got = stream.raw.stream->drain();
    REQUIRE(got.size() == 1);
    CHECK_THAT(got[0], Catch::Contains("event: connection-cancelled"));
    CHECK(call("POST", "/api/v1/connection-requests/" + id + "/decline", dev).status == 409);
}

TEST_CASE_METHOD(Session, "only the ticket's device can answer") {
    const auto id = connect(op_a);
    CHECK(accept(other_dev, id).status == 404);
    CHECK(call("POST", "/api/v1/connection-requests/" + id + "/decline", other_dev).status == 404);
    CHECK(accept(dev, id).status == 200);
}

TEST_CASE_METHOD(Session, "only an operator who can see the ticket can connect") {
    CHECK(call("POST", "/api/v1/tickets/" + std::to_string(ticket) + "/connect", op_b).status == 404);
    CHECK(call("POST", "/api/v1/tickets/" + std::to_string(ticket) + "/connect", admin).status == 201);
    CHECK(call("POST", "/api/v1/tickets/" + std::to_string(ticket) + "/connect", dev).status == 403);
}

TEST_CASE_METHOD(Session, "a declined request cannot be accepted afterwards") {
    const auto id = connect(op_a);
    CHECK(call("POST", "/api/v1/connection-requests/" + id + "/decline", dev).status == 204);
    CHECK(accept(dev, id).status == 409);
    CHECK(call("GET", "/api/v1/connection-requests/" + id, op_a).json["state"] == "declined");
}

TEST_CASE_METHOD(Session, "either side ends a session once and the device hears when the operator ends it") {
    auto stream = call("GET", "/api/v1/events", dev);
    const auto id = connect(op_a);
    const std::string session = accept(dev, id).json["session_id"];
    (void)stream.raw.stream->drain();
    CHECK(call("POST", "/api/v1/sessions/" + session + "/end", op_b).status == 404);
    CHECK(call("POST", "/api/v1/sessions/" + session + "/end", op_a).status == 204);
    CHECK(call("POST", "/api/v1/sessions/" + session + "/end", dev).status == 409);
    const auto got = stream.raw.stream->drain();
    REQUIRE(got.size() == 1);
    CHECK_THAT(got[0], Catch::Contains("connection-cancelled"));
    auto state = call("GET", "/api/v1/connection-requests/" + id, op_a);
    CHECK(state.json["state"] == "ended");
    CHECK_FALSE(state.json.contains("vnc_password"));
    // The plaintext password does not outlive the session in the database either.
    CHECK_FALSE(store().connection_request(id)->vnc_password);
}

TEST_CASE_METHOD(Session, "a closed ticket cannot be connected to") {
    REQUIRE(call("POST", "/api/v1/tickets/" + std::to_string(ticket) + "/close", op_a).status == 200);
    CHECK(call("POST", "/api/v1/tickets/" + std::to_string(ticket) + "/connect", op_a).status == 409);
    CHECK(call("POST", "/api/v1/tickets/" + std::to_string(ticket) + "/connect", op_b).status == 404);
}

TEST_CASE_METHOD(Session, "closing a ticket cancels its pending requests and tells the device and consoles") {
    auto stream = call("GET", "/api/v1/events", dev);
    auto console = call("GET", "/api/v1/console/events", op_a);
    const auto id = connect(op_a);
    (void)stream.raw.stream->drain();
    (void)console.raw.stream->drain();

    REQUIRE(call("POST", "/api/v1/tickets/" + std::to_string(ticket) + "/close", op_a).status == 200);
    const auto got = stream.raw.stream->drain();
    REQUIRE(got.size() == 2);
    CHECK_THAT(got[0], Catch::Contains("event: connection-cancelled"));
    CHECK_THAT(got[0], Catch::Contains("{\"id\":\"" + id + "\",\"reason\":\"cancelled\"}"));
    CHECK_THAT(got[1], Catch::Contains("event: ticket-updated"));
    const auto seen = console.raw.stream->drain();
    CHECK(std::any_of(seen.begin(), seen.end(), [&](const std::string& f) {
        return f.find("event: connection-request-changed") != std::string::npos &&
               f.find(id) != std::string::npos && f.find("\"state\":\"cancelled\"") != std::string::npos;
    }));

    auto refused = accept(dev, id);
    CHECK(refused.status == 409);
    CHECK_THAT(refused.json["detail"].get<std::string>(), Catch::Contains("cancelled"));
    CHECK(call("POST", "/api/v1/connection-requests/" + id + "/decline", dev).status == 409);
    CHECK(call("GET", "/api/v1/connection-requests/" + id, op_a).json["state"] == "cancelled");
    bool audited = false;
    for (const auto& e : store().audit_log(50))
        audited = audited || (e.action == "cancelled" && e.request_id == id && e.actor.rfind("user:", 0) == 0 &&
                              nlohmann::json::parse(e.detail)["reason"] == "ticket-closed");
    CHECK(audited);
}

TEST_CASE_METHOD(Session, "a ticket's expiry cancels its pending requests") {
    // A request timeout past the ticket's TTL, so it is the ticket's expiry that ends it.
    config.default_request_timeout_s = static_cast<int>(config.ticket_ttl.count()) * 2;
    auto stream = call("GET", "/api/v1/events", dev);
    const auto id = connect(op_a);
    (void)stream.raw.stream->drain();
    clock.advance(config.ticket_ttl + std::chrono::seconds(1));
    api::sweep(ctx());
    const auto got = stream.raw.stream->drain();
    REQUIRE(!got.empty());
    CHECK_THAT(got[0], Catch::Contains("event: connection-cancelled"));
    CHECK_THAT(got[0], Catch::Contains(id));
    CHECK(accept(dev, id).status == 409);
    CHECK(store().connection_request(id)->state == RequestState::cancelled);
    bool audited = false;
    for (const auto& e : store().audit_log(50))
        audited = audited || (e.action == "cancelled" && e.request_id == id && e.actor == "system" &&
                              nlohmann::json::parse(e.detail)["reason"] == "ticket-expired");
    CHECK(audited);
}

TEST_CASE_METHOD(Session, "a pending request left on a closed ticket answers 409 and becomes cancelled") {
    // As a database written before closing cancelled requests could hold.
    REQUIRE(call("POST", "/api/v1/tickets/" + std::to_string(ticket) + "/close", op_a).status == 200);
    ConnectionRequest r;
    r.id = "left-over";
    r.ticket_number = ticket;
    r.device_id = dev_id;
    r.operator_id = store().user_by_email("ana@team.example")->id;
    r.created_at = clock.now();
    r.expires_at = clock.now() + 60;
    REQUIRE(store().add_connection_request(r).ok());
    auto stream = call("GET", "/api/v1/events", dev, nullptr, {{"Last-Event-ID", "999999"}});
    CHECK(accept(dev, r.id).status == 409);
    CHECK(store().connection_request(r.id)->state == RequestState::cancelled);
    const auto got = stream.raw.stream->drain();
    REQUIRE(got.size() == 1);
    CHECK_THAT(got[0], Catch::Contains("event: connection-cancelled"));
}

TEST_CASE_METHOD(Session, "a reconnecting device resumes after Last-Event-ID and skips answered requests") {
    auto first = call("GET", "/api/v1/events", dev);
    const auto seen = connect(op_a);  // still pending when the device comes back
    const auto answered = connect(op_a);
    REQUIRE(call("POST", "/api/v1/connection-requests/" + answered + "/decline", dev).status == 204);
    const auto got = first.raw.stream->drain();
    REQUIRE(got.size() == 2);
    REQUIRE(got[1].rfind("id: ", 0) == 0);
    CHECK_THAT(got[1], Catch::Contains(answered));
    // "id: N" of the last frame the device received.
    const std::string last_id = got[1].substr(4, got[1].find('\n') - 4);
    first.raw.stream->disconnected();
    clock.advance(std::chrono::seconds(1));  // a fresh stream lists pending requests oldest first
    const auto missed = connect(op_a);

    auto resumed = call("GET", "/api/v1/events", dev, nullptr, {{"Last-Event-ID", last_id}});
    const auto replay = resumed.raw.stream->drain();
    // Only what came after N: not `seen` (before N, though still pending), not `answered`.
    REQUIRE(replay.size() == 1);
    CHECK_THAT(replay[0], Catch::Contains(missed));
    CHECK(std::stoll(replay[0].substr(4)) > std::stoll(last_id));
    resumed.raw.stream->disconnected();

    // From the start of the stored events every pending request comes again, and an
    // answered one never does.
    auto from_zero = call("GET", "/api/v1/events", dev, nullptr, {{"Last-Event-ID", "0"}});
    const auto all = from_zero.raw.stream->drain();
    REQUIRE(all.size() == 2);
    CHECK_THAT(all[0], Catch::Contains(seen));
    CHECK_THAT(all[1], Catch::Contains(missed));

    auto fresh = call("GET", "/api/v1/events", dev);
    const auto initial = fresh.raw.stream->drain();
    REQUIRE(initial.size() == 2);
    CHECK_THAT(initial[0], Catch::Contains(seen));
    CHECK_THAT(initial[1], Catch::Contains(missed));
}

TEST_CASE_METHOD(Session, "connection request state is audited") {
    const auto id = connect(op_a);
    REQUIRE(accept(dev, id).status == 200);
    auto log = call("GET", "/api/v1/audit", admin);
    REQUIRE(log.status == 200);
    std::vector<std::string> actions;
    for (const auto& e : log.json["entries"])
        if (e["request_id"] == id) actions.push_back(e["action"]);
    CHECK(actions == std::vector<std::string>{"accepted", "requested"});  // newest first
}

TEST_CASE_METHOD(Session, "a device's event stream marks it seen, and the next sweep writes that") {
    const Timestamp registered = store().device(dev_id)->last_seen_at;
    clock.advance(std::chrono::seconds(90));
    auto stream = call("GET", "/api/v1/events", dev);
    REQUIRE(stream.raw.stream);
    // Not on the handshake: 10,000 devices reconnecting at once would each take the write lock.
    CHECK(store().device(dev_id)->last_seen_at == registered);
    api::sweep(ctx());
    CHECK(store().device(dev_id)->last_seen_at == registered + 90);
    // Written once: the next sweep has nothing new to write.
    CHECK(ctx().seen_devices->take().empty());
}
