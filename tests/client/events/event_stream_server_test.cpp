// The event stream against the real helpline-server.

#include <catch2/catch.hpp>

#include "client/core/event_stream.h"
#include "tests/client/events/stream_recorder.h"
#include "tests/client/events/team_server.h"
#include "tests/support/fixtures.h"
#include "tests/support/server_process.h"
#include "tests/support/test_client.h"

using namespace helpline::client;
using namespace helpline::test;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

EventStreamOptions options_for(const ServerProcess& server, const std::string& token) {
    EventStreamOptions o;
    o.endpoint.base_url = server.url();
    o.device_token = token;
    o.connect_timeout = seconds(5);
    o.backoff_base = milliseconds(100);
    o.backoff_cap = milliseconds(500);
    return o;
}

bool has_request(const StreamRecorder& recorder, const std::string& id) {
    const auto requests = recorder.requests();
    return std::any_of(requests.begin(), requests.end(), [&](const auto& r) { return r.id == id; });
}

}  // namespace

TEST_CASE("an operator's connection request reaches the device's stream") {
    TempDir dir;
    ServerProcess server(HELPLINE_SERVER_BIN, dir / "data");
    server.start();
    const auto device = register_device(server);
    const auto ticket = create_ticket(server, device.token);
    const auto admin = admin_token(server);

    StreamRecorder recorder;
    EventStream stream(options_for(server, device.token), recorder.callbacks());
    stream.start();
    REQUIRE(wait_for([&] { return recorder.count(StreamState::connected) == 1; }));
    const auto request_id = connect_ticket(server, admin, ticket);
    REQUIRE(wait_for([&] { return has_request(recorder, request_id); }));
    const auto r = recorder.requests().back();
    CHECK(r.operator_name == "Admin");
    CHECK(r.ticket_number == ticket);
    CHECK(r.expires_in > seconds(50));
    CHECK(r.expires_in <= seconds(60));
    CHECK_FALSE(stream.last_event_id().empty());
}

TEST_CASE("a request made before the device connects is delivered when it connects") {
    TempDir dir;
    ServerProcess server(HELPLINE_SERVER_BIN, dir / "data");
    server.start();
    const auto device = register_device(server);
    const auto ticket = create_ticket(server, device.token);
    const auto request_id = connect_ticket(server, admin_token(server), ticket);

    StreamRecorder recorder;
    EventStream stream(options_for(server, device.token), recorder.callbacks());
    stream.start();
    REQUIRE(wait_for([&] { return has_request(recorder, request_id); }));
}

TEST_CASE(
    "after the server is killed and restarted the stream reconnects and gets a request made "
    "meanwhile") {
    TempDir dir;
    ServerProcess server(HELPLINE_SERVER_BIN, dir / "data");
    server.start();
    const auto device = register_device(server);
    const auto ticket = create_ticket(server, device.token);

    auto options = options_for(server, device.token);
    // Attempts 2.5 s apart: the restart and the new request fit in the gap, so the request
    // is made while the client is away and can only reach it through the resume.
    options.backoff_base = milliseconds(2500);
    options.backoff_cap = milliseconds(2500);
    options.backoff_floor = milliseconds(2500);
    StreamRecorder recorder;
    EventStream stream(options, recorder.callbacks());
    stream.start();
    REQUIRE(wait_for([&] { return recorder.count(StreamState::connected) == 1; }));
    const auto first = connect_ticket(server, admin_token(server), ticket);
    REQUIRE(wait_for([&] { return has_request(recorder, first); }));
    const auto resume_from = stream.last_event_id();
    REQUIRE_FALSE(resume_from.empty());

    server.kill9();
    REQUIRE(wait_for([&] { return recorder.count(StreamState::reconnecting) >= 1; }));
    server.start();  // same data, same port
    const auto meanwhile = connect_ticket(server, admin_token(server), ticket);
    CHECK(recorder.last_state() == StreamState::reconnecting);  // still away when it was made

    REQUIRE(wait_for([&] { return has_request(recorder, meanwhile); }, seconds(15)));
    CHECK(recorder.count(StreamState::connected) >= 2);
    CHECK(stream.last_event_id() != resume_from);
    // The first request was delivered once: the resume starts after it.
    const auto requests = recorder.requests();
    CHECK(std::count_if(requests.begin(), requests.end(),
                        [&](const auto& r) { return r.id == first; }) == 1);
}

TEST_CASE("a ticket change reaches the device as ticket-updated") {
    TempDir dir;
    ServerProcess server(HELPLINE_SERVER_BIN, dir / "data");
    server.start();
    const auto device = register_device(server);
    const auto ticket = create_ticket(server, device.token);
    StreamRecorder recorder;
    EventStream stream(options_for(server, device.token), recorder.callbacks());
    stream.start();
    REQUIRE(wait_for([&] { return recorder.count(StreamState::connected) == 1; }));

    CurlOptions close;
    close.method = "POST";
    close.headers = {"Authorization: Bearer " + admin_token(server)};
    REQUIRE(curl_request(server.url("/api/v1/tickets/" + std::to_string(ticket) + "/close"), close)
                .status == 200);
    REQUIRE(wait_for([&] { return !recorder.events().empty(); }));
    const auto events = recorder.events();
    const auto* updated = std::get_if<TicketUpdated>(&events.back());
    REQUIRE(updated != nullptr);
    CHECK(updated->number == ticket);
    CHECK(updated->status == "closed");
}

TEST_CASE("a device token the server does not know is refused and retried, not trusted") {
    TempDir dir;
    ServerProcess server(HELPLINE_SERVER_BIN, dir / "data");
    server.start();
    StreamRecorder recorder;
    EventStream stream(options_for(server, "not-a-token"), recorder.callbacks());
    stream.start();
    REQUIRE(wait_for([&] { return recorder.count(StreamState::reconnecting) >= 1; }));
    stream.stop();
    CHECK_THAT(recorder.statuses().at(1).reason, Catch::Contains("HTTP 401"));
    CHECK(recorder.count(StreamState::connected) == 0);
}
