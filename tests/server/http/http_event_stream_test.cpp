// Server-Sent Events through the HTTP server: order, heartbeats, disconnects, producers
// closing streams, clients that stop reading, and streams ended by a stop.

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "server_fixture.h"
#include "tests/support/test_client.h"
#include "tests/support/fixtures.h"

using namespace helpline::server::http;
using namespace helpline::test;
using namespace std::chrono_literals;

namespace {

/// The producer side of the tests: every /events request subscribes a sink here.
struct Hub {
    std::mutex mutex;
    std::vector<std::shared_ptr<EventSink>> sinks;
    std::atomic<int> disconnects{0};
    std::size_t max_queued = 256;

    std::shared_ptr<EventSink> sink(std::size_t i) {
        std::lock_guard lock(mutex);
        return i < sinks.size() ? sinks[i] : nullptr;
    }
    std::size_t size() {
        std::lock_guard lock(mutex);
        return sinks.size();
    }
};

std::shared_ptr<Router> event_router(const std::shared_ptr<Hub>& hub) {
    auto router = std::make_shared<Router>();
    router->add("GET", "/events", [hub](const Request&) {
        auto sink = std::make_shared<EventSink>(hub->max_queued);
        sink->on_disconnect([hub] { ++hub->disconnects; });
        // Pushed before the response is written: it must still come first.
        sink->push(EventSink::frame("welcome", "{}"));
        {
            std::lock_guard lock(hub->mutex);
            hub->sinks.push_back(sink);
        }
        Response response;
        response.stream = sink;
        return response;
    });
    router->add("GET", "/hello", [](const Request&) { return text_response("hello"); });
    return router;
}

/// The ids of the "tick" frames in `text`, in order.
std::vector<int> tick_ids(const std::string& text) {
    std::vector<int> ids;
    for (auto at = text.find("id: "); at != std::string::npos; at = text.find("id: ", at + 1))
        ids.push_back(std::stoi(text.substr(at + 4)));
    return ids;
}

}  // namespace

TEST_CASE("frames pushed from another thread arrive in order", "[http][sse]") {
    auto hub = std::make_shared<Hub>();
    TestServer s(test_options(), event_router(hub));
    CurlEventStream stream(s.url("/events"));
    REQUIRE(wait_for([&] { return hub->size() == 1; }));
    REQUIRE(wait_for([&] { return stream.text().find("event: welcome") != std::string::npos; }));
    CHECK(stream.header("content-type") == "text/event-stream");
    CHECK(stream.header("cache-control") == "no-store");
    CHECK(stream.header("content-length").empty());

    std::thread producer([sink = hub->sink(0)] {
        for (int i = 1; i <= 200; ++i) sink->push(EventSink::frame("tick", "{\"n\":1}", i));
    });
    producer.join();
    REQUIRE(wait_for([&] { return stream.text().find("id: 200\n") != std::string::npos; }));
    const auto text = stream.text();
    CHECK(text.rfind("event: welcome\ndata: {}\n\n", 0) == 0);
    std::vector<int> expected(200);
    for (int i = 0; i < 200; ++i) expected[static_cast<std::size_t>(i)] = i + 1;
    CHECK(tick_ids(text) == expected);
    CHECK_FALSE(stream.finished());
}

TEST_CASE("an idle event stream carries a ping comment every heartbeat", "[http][sse]") {
    auto hub = std::make_shared<Hub>();
    auto options = test_options();
    options.sse_heartbeat = 200ms;
    TestServer s(options, event_router(hub));
    CurlEventStream stream(s.url("/events"));
    CHECK(wait_for([&] { return stream.text().find(": ping\n\n") != std::string::npos; }));
    CHECK(wait_for([&] {
        const auto text = stream.text();
        return text.find(": ping\n\n", text.find(": ping\n\n") + 1) != std::string::npos;
    }));
}

TEST_CASE("a client that goes away is noticed, and the producer told once", "[http][sse]") {
    auto hub = std::make_shared<Hub>();
    TestServer s(test_options(), event_router(hub));
    {
        RawSocket socket("127.0.0.1", s.port());
        REQUIRE(socket.send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n"));
        const auto text = socket.receive_until(
            [](const std::string& t) { return t.find("event: welcome") != std::string::npos; },
            10s);
        CHECK(text.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
        CHECK(text.find("Transfer-Encoding: chunked") != std::string::npos);
    }
    CHECK(wait_for([&] { return hub->disconnects == 1; }));
    CHECK(wait_for([&] { return s.server().open_connections() == 0; }));
    CHECK_FALSE(hub->sink(0)->push("data: late\n\n"));

    // With curl too, and the count stays at one per stream.
    {
        CurlEventStream stream(s.url("/events"));
        REQUIRE(wait_for([&] { return stream.text().find("welcome") != std::string::npos; }));
    }
    CHECK(wait_for([&] { return hub->disconnects == 2; }));
    CHECK(wait_for([&] { return s.server().open_connections() == 0; }));
    CHECK(hub->disconnects == 2);
}

TEST_CASE("a stream closed by its producer delivers what is queued, then ends", "[http][sse]") {
    auto hub = std::make_shared<Hub>();
    TestServer s(test_options(), event_router(hub));
    CurlEventStream stream(s.url("/events"));
    REQUIRE(wait_for([&] { return hub->size() == 1; }));
    auto sink = hub->sink(0);
    for (int i = 1; i <= 3; ++i) sink->push(EventSink::frame("tick", "x", i));
    sink->close();
    REQUIRE(wait_for([&] { return stream.finished(); }));
    CHECK(stream.result() == CURLE_OK);  // the last chunk arrived: a clean end
    CHECK(tick_ids(stream.text()) == std::vector<int>{1, 2, 3});
    CHECK(wait_for([&] { return hub->disconnects == 1; }));
    CHECK(wait_for([&] { return s.server().open_connections() == 0; }));
}

TEST_CASE("a client that stops reading is dropped without the queue growing", "[http][sse]") {
    auto hub = std::make_shared<Hub>();
    hub->max_queued = 16;
    auto options = test_options();
    options.write_timeout = 300ms;
    TestServer s(options, event_router(hub));
    RawSocket socket("127.0.0.1", s.port(), 4096);
    REQUIRE(socket.send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n"));
    REQUIRE(wait_for([&] { return hub->size() == 1; }));
    auto sink = hub->sink(0);

    const std::string payload(16 * 1024, 'p');
    int pushed = 0;
    bool refused = false;
    // Bounded: 2,000 frames of 16 KiB at most; the sink refuses long before.
    for (int i = 0; i < 2000 && !refused && hub->disconnects == 0; ++i) {
        refused = !sink->push(EventSink::frame("big", payload, i));
        if (!refused) ++pushed;
    }
    CHECK((refused || hub->disconnects == 1));
    CHECK(wait_for([&] { return hub->disconnects == 1; }));
    CHECK(wait_for([&] { return s.server().open_connections() == 0; }));
    CHECK(sink->drain().size() <= hub->max_queued);
    CHECK(pushed < 2000);
}

TEST_CASE("a client that stops reading is dropped after the write timeout", "[http][sse]") {
    auto hub = std::make_shared<Hub>();
    hub->max_queued = 100'000;  // never reached here: the write timeout decides
    auto options = test_options();
    options.write_timeout = 300ms;
    TestServer s(options, event_router(hub));
    RawSocket socket("127.0.0.1", s.port(), 4096);
    REQUIRE(socket.send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n"));
    REQUIRE(wait_for([&] { return hub->size() == 1; }));
    auto sink = hub->sink(0);

    // 32 MiB at most, far more than the socket buffers take: the write stalls.
    const std::string payload(16 * 1024, 'p');
    for (int i = 0; i < 2000 && hub->disconnects == 0; ++i)
        if (!sink->push(EventSink::frame("big", payload, i))) break;
    CHECK(wait_for([&] { return hub->disconnects == 1; }));
    CHECK(sink->closed());
    CHECK(wait_for([&] { return s.server().open_connections() == 0; }));
}

TEST_CASE("a graceful stop ends event streams", "[http][sse][stop]") {
    auto hub = std::make_shared<Hub>();
    auto s = std::make_unique<TestServer>(test_options(), event_router(hub));
    CurlEventStream stream(s->url("/events"));
    REQUIRE(wait_for([&] { return stream.text().find("welcome") != std::string::npos; }));
    hub->sink(0)->push(EventSink::frame("last", "before stop"));
    const auto started = std::chrono::steady_clock::now();
    s->server().stop(5s);
    CHECK(std::chrono::steady_clock::now() - started < 4s);
    REQUIRE(wait_for([&] { return stream.finished(); }));
    CHECK(stream.result() == CURLE_OK);
    CHECK(stream.text().find("event: last") != std::string::npos);
    CHECK(hub->disconnects == 1);
    CHECK(s->server().open_connections() == 0);
}
