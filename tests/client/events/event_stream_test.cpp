// The event stream against a scripted loopback server that misbehaves on purpose.

#include "client/core/event_stream.h"

#include <catch2/catch.hpp>

#include "tests/client/events/scripted_sse_server.h"
#include "tests/client/events/stream_recorder.h"
#include "tests/support/fixtures.h"

using namespace helpline::client;
using helpline::test::ScriptedConnection;
using helpline::test::ScriptedSseServer;
using helpline::test::StreamRecorder;
using helpline::test::wait_for;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

EventStreamOptions options_for(const ScriptedSseServer& server) {
    EventStreamOptions o;
    o.endpoint.base_url = server.url();
    o.device_token = "test-token";
    o.connect_timeout = seconds(5);
    o.backoff_base = milliseconds(100);
    o.backoff_cap = milliseconds(400);
    o.backoff_floor = milliseconds(50);
    return o;
}

const char* kValidRequest =
    "id: 4\nevent: connection-request\n"
    R"(data: {"id":"good","operator_name":"Ana","ticket_number":1042,"expires_at":"2026-11-25T03:22:04Z","expires_in_s":60})"
    "\n\n";

}  // namespace

TEST_CASE("unknown event types and malformed data are dropped, logged, and the stream goes on") {
    ScriptedSseServer server([](ScriptedConnection& c) {
        c.send_stream_head();
        c.send("id: 1\nevent: run-command\ndata: {\"argv\":[\"rm\",\"-rf\",\"/\"]}\n\n");
        c.send("id: 2\nevent: connection-request\ndata: {not json\n\n");
        c.send(
            "id: 3\nevent: connection-request\ndata: {\"id\":\"x "
            "y\",\"operator_name\":\"A\",\"ticket_number\":1,"
            "\"expires_in_s\":5}\n\n");
        c.send(kValidRequest);
        c.send(": ping\n\n");
        c.hold_silently(seconds(10));
    });
    StreamRecorder recorder;
    EventStream stream(options_for(server), recorder.callbacks());
    stream.start();
    REQUIRE(wait_for([&] { return recorder.requests().size() == 1; }));
    CHECK(recorder.requests()[0].id == "good");
    CHECK(recorder.requests()[0].operator_name == "Ana");
    CHECK(recorder.events().size() == 1);
    CHECK(recorder.logged("unknown type 'run-command'"));
    CHECK(recorder.logged("not a JSON object"));
    CHECK(recorder.logged("id is not an identifier"));
    CHECK(stream.last_event_id() == "4");
    CHECK(recorder.count(StreamState::connected) == 1);
    CHECK(recorder.count(StreamState::reconnecting) == 0);
    stream.stop();
    CHECK(recorder.last_state() == StreamState::stopped);
}

TEST_CASE("the request sends the bearer token and asks for an event stream") {
    ScriptedSseServer server([](ScriptedConnection& c) {
        c.send_stream_head();
        c.hold_silently(seconds(10));
    });
    StreamRecorder recorder;
    EventStream stream(options_for(server), recorder.callbacks());
    stream.start();
    REQUIRE(wait_for([&] { return recorder.count(StreamState::connected) == 1; }));
    const auto head = server.requests().at(0);
    CHECK_THAT(head, Catch::StartsWith("GET /api/v1/events HTTP/1.1\r\n"));
    CHECK_THAT(head, Catch::Contains("Authorization: Bearer test-token\r\n"));
    CHECK_THAT(head, Catch::Contains("Accept: text/event-stream\r\n"));
    CHECK_THAT(head, !Catch::Contains("Last-Event-ID"));
}

TEST_CASE(
    "a silent server is noticed after the heartbeat tolerance and the stream resumes with "
    "Last-Event-ID") {
    ScriptedSseServer server([](ScriptedConnection& c) {
        c.send_stream_head();
        if (c.index() == 0) {
            c.send(
                "id: 7\nevent: ticket-updated\ndata: "
                "{\"number\":1042,\"status\":\"open\",\"operator_name\":\"Ana\"}\n\n");
            c.send(": ping\n\n");
        }
        c.hold_silently(seconds(10));  // then nothing at all, not even a ping
    });
    auto options = options_for(server);
    options.heartbeat = milliseconds(200);  // silence limit 500 ms
    StreamRecorder recorder;
    EventStream stream(options, recorder.callbacks());
    const auto started = std::chrono::steady_clock::now();
    stream.start();
    REQUIRE(wait_for(
        [&] { return server.connections() >= 2 && recorder.count(StreamState::connected) >= 2; },
        seconds(5)));
    CHECK(std::chrono::steady_clock::now() - started >= milliseconds(500));
    const auto statuses = recorder.statuses();
    const auto lost = std::find_if(statuses.begin(), statuses.end(), [](const auto& s) {
        return s.state == StreamState::reconnecting;
    });
    REQUIRE(lost != statuses.end());
    CHECK_THAT(lost->reason, Catch::Contains("sent nothing"));
    CHECK_THAT(server.requests().at(1), Catch::Contains("Last-Event-ID: 7\r\n"));
    REQUIRE(recorder.events().size() == 1);
    CHECK(std::get<TicketUpdated>(recorder.events()[0]).status == "open");
}

TEST_CASE("heartbeats keep a quiet stream alive") {
    // Pings every 100 ms for 3 s, three times the silence limit (two 500 ms intervals):
    // wide enough that a loaded machine's late pings (CI runs several suites at once) still
    // keep the stream up, so only the silence after them can end it.
    ScriptedSseServer server([](ScriptedConnection& c) {
        c.send_stream_head();
        for (int i = 0; i < 30; ++i) {
            if (!c.send(": ping\n\n") || c.hold_silently(milliseconds(100))) return;
        }
        c.hold_silently(seconds(10));
    });
    auto options = options_for(server);
    options.heartbeat = milliseconds(500);
    StreamRecorder recorder;
    EventStream stream(options, recorder.callbacks());
    const auto started = std::chrono::steady_clock::now();
    stream.start();
    REQUIRE(wait_for([&] { return recorder.count(StreamState::reconnecting) >= 1; }, seconds(8)));
    CHECK(std::chrono::steady_clock::now() - started >= milliseconds(3000));
    CHECK_THAT(recorder.statuses().at(2).reason, Catch::Contains("sent nothing"));
    stream.stop();
}

TEST_CASE("a refused stream is retried with growing backoff and the reason names the answer") {
    ScriptedSseServer server([](ScriptedConnection& c) {
        const std::string body =
            R"({"type":"about:blank","title":"Unauthorized","status":401,"detail":"Unknown token."})";
        c.send(
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: "
            "application/problem+json\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    });
    StreamRecorder recorder;
    EventStream stream(options_for(server), recorder.callbacks());
    stream.start();
    REQUIRE(wait_for([&] { return recorder.count(StreamState::reconnecting) >= 3; }));
    stream.stop();
    const auto statuses = recorder.statuses();
    std::vector<StreamStatus> retries;
    for (const auto& s : statuses)
        if (s.state == StreamState::reconnecting) retries.push_back(s);
    CHECK_THAT(retries[0].reason, Catch::Contains("HTTP 401") && Catch::Contains("Unknown token."));
    CHECK(retries[0].attempt == 1);
    CHECK(retries[1].attempt == 2);
    CHECK(retries[2].attempt == 3);
    for (const auto& r : retries) {
        CHECK(r.retry_in >= milliseconds(50));
        CHECK(r.retry_in <= milliseconds(400));
    }
    CHECK(recorder.count(StreamState::connected) == 0);
}

TEST_CASE("an answer that is not an event stream is refused") {
    ScriptedSseServer server([](ScriptedConnection& c) {
        c.send(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: "
            "close\r\n\r\n<html>hello</html>");
    });
    StreamRecorder recorder;
    EventStream stream(options_for(server), recorder.callbacks());
    stream.start();
    REQUIRE(wait_for([&] { return recorder.count(StreamState::reconnecting) >= 1; }));
    stream.stop();
    CHECK_THAT(recorder.statuses().at(1).reason,
               Catch::Contains("'text/html' instead of an event stream"));
    CHECK(recorder.events().empty());
}

TEST_CASE("a stream the server closes is reopened") {
    ScriptedSseServer server([](ScriptedConnection& c) {
        c.send_stream_head();
        if (c.index() == 0) {
            c.send(kValidRequest);
            return;  // closes
        }
        c.hold_silently(seconds(10));
    });
    StreamRecorder recorder;
    EventStream stream(options_for(server), recorder.callbacks());
    stream.start();
    REQUIRE(wait_for([&] { return recorder.count(StreamState::connected) >= 2; }));
    const auto statuses = recorder.statuses();
    const auto lost = std::find_if(statuses.begin(), statuses.end(), [](const auto& s) {
        return s.state == StreamState::reconnecting;
    });
    REQUIRE(lost != statuses.end());
    CHECK_THAT(lost->reason, Catch::Contains("closed the event stream"));
    CHECK_THAT(server.requests().at(1), Catch::Contains("Last-Event-ID: 4\r\n"));
}

TEST_CASE("an unreachable server is retried and the reason says it cannot be reached") {
    std::uint16_t port = 0;
    {
        ScriptedSseServer closed([](ScriptedConnection&) {});
        port = closed.port();
    }  // nothing listens there any more
    EventStreamOptions options;
    options.endpoint.base_url = "http://127.0.0.1:" + std::to_string(port);
    options.device_token = "t";
    options.backoff_base = milliseconds(50);
    options.backoff_cap = milliseconds(100);
    options.backoff_floor = milliseconds(20);
    StreamRecorder recorder;
    EventStream stream(options, recorder.callbacks());
    stream.start();
    REQUIRE(wait_for([&] { return recorder.count(StreamState::reconnecting) >= 2; }));
    stream.stop();
    CHECK_THAT(recorder.statuses().at(1).reason, Catch::Contains("cannot be reached"));
}

TEST_CASE("stop ends an idle connection promptly") {
    ScriptedSseServer server([](ScriptedConnection& c) {
        c.send_stream_head();
        c.hold_silently(seconds(20));
    });
    auto options = options_for(server);
    options.heartbeat = seconds(25);
    StreamRecorder recorder;
    EventStream stream(options, recorder.callbacks());
    stream.start();
    REQUIRE(wait_for([&] { return recorder.count(StreamState::connected) == 1; }));
    const auto before = std::chrono::steady_clock::now();
    stream.stop();
    CHECK(std::chrono::steady_clock::now() - before < milliseconds(1000));
    CHECK(recorder.last_state() == StreamState::stopped);
    stream.stop();  // idempotent
}

TEST_CASE("stop ends the wait between attempts promptly") {
    ScriptedSseServer server(
        [](ScriptedConnection& c) { c.send("HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n"); });
    auto options = options_for(server);
    options.backoff_base = seconds(30);
    options.backoff_cap = seconds(30);
    options.backoff_floor = seconds(30);
    StreamRecorder recorder;
    EventStream stream(options, recorder.callbacks());
    stream.start();
    REQUIRE(wait_for([&] { return recorder.count(StreamState::reconnecting) == 1; }));
    const auto before = std::chrono::steady_clock::now();
    stream.stop();
    CHECK(std::chrono::steady_clock::now() - before < milliseconds(1000));
    CHECK(recorder.last_state() == StreamState::stopped);
}
