// The HTTP server against real clients on 127.0.0.1: keep-alive, the worker pool, limits,
// timeouts, connection accounting and graceful stop.

#include <algorithm>
#include <catch2/catch.hpp>
#include <future>
#include <stdexcept>

#include "server_fixture.h"
#include "tests/support/test_client.h"
#include "tests/support/fixtures.h"

using namespace helpline::server::http;
using namespace helpline::test;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<Router> basic_router() {
    auto router = std::make_shared<Router>();
    router->add("GET", "/hello", [](const Request&) { return text_response("hello"); });
    router->add("POST", "/echo",
                [](const Request& request) { return text_response(request.body); });
    router->add("GET", "/throw",
                [](const Request&) -> Response { throw std::runtime_error("a handler bug"); });
    return router;
}

const std::string kHello = "GET /hello HTTP/1.1\r\nHost: test\r\n\r\n";

bool complete_response(const std::string& text, std::string_view body) {
    return text.find("\r\n\r\n") != std::string::npos &&
           text.size() >= text.find("\r\n\r\n") + 4 + body.size() &&
           text.find(body, text.find("\r\n\r\n")) != std::string::npos;
}

std::size_t count(const std::string& text, std::string_view what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("a keep-alive connection carries several requests", "[http]") {
    TestServer s(test_options(), basic_router());
    CurlClient client;
    const auto first = client.request(s.url("/hello"));
    CHECK(first.status == 200);
    CHECK(first.body == "hello");
    CHECK(first.header("content-type") == "text/plain");
    CHECK(first.new_connections == 1);

    CurlOptions post;
    post.method = "POST";
    post.body = std::string(10'000, 'x');
    post.expect_100_timeout = 5s;  // answered at once by "100 Continue", not waited out
    const auto started = std::chrono::steady_clock::now();
    const auto second = client.request(s.url("/echo"), post);
    CHECK(std::chrono::steady_clock::now() - started < 4s);
    CHECK(second.status == 200);
    CHECK(second.body == post.body);
    CHECK(second.new_connections == 0);

    const auto third = client.request(s.url("/hello"));
    CHECK(third.status == 200);
    CHECK(third.new_connections == 0);
    CHECK(s.server().open_connections() == 1);
}

TEST_CASE("pipelined requests are answered in order", "[http]") {
    TestServer s(test_options(), basic_router());
    RawSocket socket("127.0.0.1", s.port());
    REQUIRE(socket.send(kHello + kHello + "GET /nothing HTTP/1.1\r\nHost: t\r\n\r\n"));
    const auto text = socket.receive_until(
        [](const std::string& t) {
            return count(t, "HTTP/1.1 ") == 3 && t.find("Not Found") != std::string::npos;
        },
        10s);
    CHECK(count(text, "HTTP/1.1 200 OK") == 2);
    CHECK(text.rfind("HTTP/1.1 404 Not Found") > text.rfind("HTTP/1.1 200 OK"));
}

TEST_CASE("a HEAD response has the GET's Content-Length and no body", "[http]") {
    auto router = basic_router();
    router->add("HEAD", "/hello", [](const Request&) { return text_response("hello"); });
    TestServer s(test_options(), router);
    RawSocket socket("127.0.0.1", s.port());
    REQUIRE(socket.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n" + kHello));
    const auto text = socket.receive_until(
        [](const std::string& t) {
            return count(t, "HTTP/1.1 200") == 2 && complete_response(t, "hello");
        },
        10s);
    const auto second = text.find("HTTP/1.1 200", 1);
    REQUIRE(second != std::string::npos);
    const auto head = text.substr(0, second);
    CHECK(head.find("Content-Length: 5\r\n") != std::string::npos);
    CHECK(head.size() == head.find("\r\n\r\n") + 4);  // nothing after the header
    CHECK(text.substr(text.size() - 5) == "hello");
}

TEST_CASE("a request with Connection: close is answered, then the connection closes", "[http]") {
    TestServer s(test_options(), basic_router());
    RawSocket socket("127.0.0.1", s.port());
    REQUIRE(socket.send("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
    CHECK(socket.wait_closed(10s));
    CHECK(socket.received().rfind("HTTP/1.1 200 OK", 0) == 0);
    CHECK(complete_response(socket.received(), "hello"));
}

TEST_CASE("handlers run on the worker pool, so a blocked one stalls no other client", "[http]") {
    auto gate = std::make_shared<Gate>();
    auto router = basic_router();
    router->add("GET", "/blocked", [gate](const Request&) {
        gate->wait();
        return text_response("done");
    });
    auto options = test_options();
    options.io_threads = 1;
    options.worker_threads = 4;
    TestServer s(options, router);

    std::vector<std::future<CurlResponse>> blocked;
    for (int i = 0; i < 3; ++i)
        blocked.push_back(
            std::async(std::launch::async, [&s] { return curl_request(s.url("/blocked")); }));
    REQUIRE(wait_for([&] { return gate->waiting() == 3; }));
    // Three handlers block three workers; the one I/O thread still serves the fourth.
    const auto quick = curl_request(s.url("/hello"));
    CHECK(quick.status == 200);
    gate->open();
    for (auto& f : blocked) {
        const auto r = f.get();
        CHECK(r.status == 200);
        CHECK(r.body == "done");
    }
}

TEST_CASE("background requests queue on their own pool, never in front of the others", "[http]") {
    auto gate = std::make_shared<Gate>();
    auto router = basic_router();
    router->add("GET", "/stream", [gate](const Request&) {
        gate->wait();
        return text_response("streaming");
    });
    auto options = test_options();
    options.worker_threads = 1;
    options.background_threads = 1;
    options.background = [](std::string_view method, std::string_view path) {
        return method == "GET" && path == "/stream";
    };
    TestServer s(options, router);

    // A storm: the one background thread blocked, more handshakes queued behind it.
    std::vector<std::future<CurlResponse>> storm;
    for (int i = 0; i < 4; ++i)
        storm.push_back(
            std::async(std::launch::async, [&s] { return curl_request(s.url("/stream")); }));
    REQUIRE(wait_for([&] { return gate->waiting() == 1; }));
    // The one worker is free: other requests are answered at once, several times over.
    for (int i = 0; i < 3; ++i) CHECK(curl_request(s.url("/hello")).status == 200);
    CHECK(gate->waiting() == 1);  // the handshakes never ran on the worker
    gate->open();
    for (auto& f : storm) CHECK(f.get().body == "streaming");
}

TEST_CASE("a handler that throws gets a 500 problem and the server goes on", "[http]") {
    TestServer s(test_options(), basic_router());
    const auto failed = curl_request(s.url("/throw"));
    CHECK(failed.status == 500);
    CHECK(failed.header("content-type") == "application/problem+json");
    CHECK(failed.body.find("\"status\":500") != std::string::npos);
    CHECK(failed.body.find("a handler bug") == std::string::npos);  // internals stay inside
    CHECK(curl_request(s.url("/hello")).status == 200);
}

TEST_CASE("the handler sees the request normalised and complete", "[http]") {
    auto seen = std::make_shared<std::pair<std::mutex, Request>>();
    auto router = std::make_shared<Router>();
    router->add("POST", "/inspect/{id}", [seen](const Request& request) {
        std::lock_guard lock(seen->first);
        seen->second = request;
        return text_response("ok");
    });
    TestServer s(test_options(), router);
    CurlOptions options;
    options.method = "POST";
    options.body = "payload";
    options.headers = {"X-Custom: yes", "Content-Type: text/plain"};
    const auto response = curl_request(s.url("//inspect//%31%32/?q=two+words&x=%2F"), options);
    REQUIRE(response.status == 200);

    std::lock_guard lock(seen->first);
    const auto& r = seen->second;
    CHECK(r.method == "POST");
    CHECK(r.target == "//inspect//%31%32/?q=two+words&x=%2F");
    CHECK(r.path == "/inspect/12");
    CHECK(r.segments == std::vector<std::string>{"inspect", "12"});
    CHECK(r.params.at("id") == "12");
    CHECK(r.query.at("q") == "two words");
    CHECK(r.query.at("x") == "/");
    CHECK(r.header("x-custom") == "yes");
    CHECK(r.body == "payload");
    CHECK(r.remote_address == "127.0.0.1");
    CHECK_FALSE(r.tls);
}

TEST_CASE("a target that fails normalisation gets a 400 problem", "[http]") {
    TestServer s(test_options(), basic_router());
    RawSocket socket("127.0.0.1", s.port());
    REQUIRE(socket.send("GET /api/%2e%2e/hello HTTP/1.1\r\nHost: t\r\n\r\n"));
    socket.wait_closed(10s);
    CHECK(socket.received().rfind("HTTP/1.1 400 Bad Request", 0) == 0);
    CHECK(socket.received().find("application/problem+json") != std::string::npos);
}

TEST_CASE("malformed HTTP gets a 400, then the connection closes", "[http]") {
    TestServer s(test_options(), basic_router());
    for (const std::string request :
         {"THIS IS NOT HTTP\r\n\r\n", "GET /hello HTTP/1.1\r\nHost: t\r\nBad Header\r\n\r\n",
          "GET /hello HTTP/1.1\r\nContent-Length: x\r\n\r\n"}) {
        INFO(request);
        RawSocket socket("127.0.0.1", s.port());
        REQUIRE(socket.send(request));
        CHECK(socket.wait_closed(10s));
        CHECK(socket.received().rfind("HTTP/1.1 400 Bad Request", 0) == 0);
        CHECK(socket.received().find("application/problem+json") != std::string::npos);
    }
    CHECK(curl_request(s.url("/hello")).status == 200);
}

TEST_CASE("a header past the limit gets a 431 problem", "[http]") {
    TestServer s(test_options(), basic_router());
    CurlOptions options;
    options.headers = {"X-Big: " + std::string(10'000, 'a')};
    const auto response = curl_request(s.url("/hello"), options);
    CHECK(response.status == 431);
    CHECK(response.header("content-type") == "application/problem+json");
    options.headers = {"X-Small: " + std::string(4'000, 'a')};
    CHECK(curl_request(s.url("/hello"), options).status == 200);
}

TEST_CASE("a body past the route's limit gets a 413 problem", "[http]") {
    auto calls = std::make_shared<std::atomic<int>>(0);
    auto router = std::make_shared<Router>();
    for (const auto* path : {"/echo", "/profiles"})
        router->add("POST", path, [calls](const Request& request) {
            ++*calls;
            return text_response(request.body);
        });
    auto options = test_options();
    options.body_limit = [](std::string_view, std::string_view path) -> std::size_t {
        return path == "/profiles" ? 1024 * 1024 : 64 * 1024;
    };
    TestServer s(options, router);

    CurlOptions big;
    big.method = "POST";
    big.body = std::string(100 * 1024, 'b');
    const auto refused = curl_request(s.url("/echo"), big);
    CHECK(refused.status == 413);
    CHECK(refused.header("content-type") == "application/problem+json");
    CHECK(*calls == 0);

    const auto accepted = curl_request(s.url("/profiles"), big);
    CHECK(accepted.status == 200);
    CHECK(accepted.body.size() == big.body.size());

    SECTION("decided from Content-Length, before any of the body is sent") {
        RawSocket socket("127.0.0.1", s.port());
        REQUIRE(socket.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\n\r\n"));
        const auto text = socket.receive_until(
            [](const std::string& t) { return t.find("\r\n\r\n") != std::string::npos; }, 10s);
        CHECK(text.rfind("HTTP/1.1 413", 0) == 0);
    }
    SECTION("enforced while a chunked body is read") {
        RawSocket socket("127.0.0.1", s.port());
        REQUIRE(
            socket.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"));
        const std::string chunk = "2000\r\n" + std::string(0x2000, 'c') + "\r\n";
        for (int i = 0; i < 10; ++i)
            if (!socket.send(chunk)) break;  // the server may stop reading once refused
        socket.send("0\r\n\r\n");
        const auto text = socket.receive_until(
            [](const std::string& t) { return t.find("\r\n\r\n") != std::string::npos; }, 10s);
        CHECK(text.rfind("HTTP/1.1 413", 0) == 0);
    }
    CHECK(*calls == 1);
}

TEST_CASE("a request that arrives too slowly is dropped", "[http][timeouts]") {
    auto options = test_options();
    options.request_timeout = 300ms;
    TestServer s(options, basic_router());
    RawSocket socket("127.0.0.1", s.port());
    const auto started = std::chrono::steady_clock::now();
    REQUIRE(socket.send("GET /hello HTTP/1.1\r\nX-Slow: "));
    bool closed = false;
    // One byte every 50 ms (at most 100): each byte arrives in time, the request never does.
    for (int i = 0; i < 100 && !closed; ++i) closed = !socket.send("x") || socket.wait_closed(50ms);
    CHECK(closed);
    CHECK(std::chrono::steady_clock::now() - started >= 250ms);
    CHECK(socket.received().empty());
    CHECK(wait_for([&] { return s.server().open_connections() == 0; }));
}

TEST_CASE("an idle keep-alive connection is closed after the idle timeout", "[http][timeouts]") {
    auto options = test_options();
    options.idle_timeout = 300ms;
    TestServer s(options, basic_router());
    RawSocket socket("127.0.0.1", s.port());
    REQUIRE(socket.send(kHello));
    socket.receive_until([](const std::string& t) { return complete_response(t, "hello"); }, 10s);
    REQUIRE(complete_response(socket.received(), "hello"));
    const auto served = std::chrono::steady_clock::now();
    CHECK(socket.wait_closed(10s));
    CHECK(std::chrono::steady_clock::now() - served >= 250ms);
    CHECK(count(socket.received(), "HTTP/1.1") == 1);
}

TEST_CASE("a client that does not read its response is dropped after the write timeout",
          "[http][timeouts]") {
    auto router = basic_router();
    router->add("GET", "/big",
                [](const Request&) { return text_response(std::string(32 << 20, 'z')); });
    auto options = test_options();
    options.write_timeout = 300ms;
    TestServer s(options, router);
    RawSocket socket("127.0.0.1", s.port(), 4096);
    REQUIRE(socket.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n"));
    REQUIRE(wait_for([&] { return s.server().open_connections() == 1; }));
    CHECK(wait_for([&] { return s.server().open_connections() == 0; }, 15s));
    CHECK(curl_request(s.url("/hello")).status == 200);
}

TEST_CASE("connections past max_connections are closed at once", "[http]") {
    auto options = test_options();
    options.max_connections = 2;
    TestServer s(options, basic_router());
    auto a = std::make_unique<RawSocket>("127.0.0.1", s.port());
    auto b = std::make_unique<RawSocket>("127.0.0.1", s.port());
    REQUIRE(wait_for([&] { return s.server().open_connections() == 2; }));

    RawSocket third("127.0.0.1", s.port());
    CHECK(third.wait_closed(10s));
    CHECK(third.received().empty());
    CHECK(s.server().open_connections() == 2);

    a.reset();
    b.reset();
    CHECK(wait_for([&] { return s.server().open_connections() == 0; }));
    CHECK(curl_request(s.url("/hello")).status == 200);
    CHECK(wait_for([&] { return s.server().open_connections() == 0; }));
}

TEST_CASE("on_request is called once per written response, with its status", "[http]") {
    struct Seen {
        std::mutex mutex;
        std::vector<std::pair<std::string, int>> calls;
    };
    auto seen = std::make_shared<Seen>();
    auto options = test_options();
    options.on_request = [seen](const Request& request, int status, std::chrono::microseconds) {
        std::lock_guard lock(seen->mutex);
        seen->calls.emplace_back(request.path, status);
    };
    TestServer s(options, basic_router());
    CurlClient client;
    CHECK(client.request(s.url("/hello")).status == 200);
    CHECK(client.request(s.url("/nothing")).status == 404);
    CHECK(client.request(s.url("/throw")).status == 500);
    const auto calls = [&] {
        std::lock_guard lock(seen->mutex);
        return seen->calls;
    };
    REQUIRE(wait_for([&] { return calls().size() >= 3; }));
    auto got = calls();
    std::sort(got.begin(), got.end());
    CHECK(got == std::vector<std::pair<std::string, int>>{
                     {"/hello", 200}, {"/nothing", 404}, {"/throw", 500}});
}

TEST_CASE("a graceful stop lets a running handler answer, then closes everything", "[http][stop]") {
    auto entered = std::make_shared<std::atomic<bool>>(false);
    auto router = basic_router();
    router->add("GET", "/slow", [entered](const Request&) {
        *entered = true;
        std::this_thread::sleep_for(200ms);  // the handler's own work, not synchronisation
        return text_response("slow done");
    });
    auto s = std::make_unique<TestServer>(test_options(), router);
    const auto port = s->port();

    RawSocket idle("127.0.0.1", port);
    REQUIRE(idle.send(kHello));
    idle.receive_until([](const std::string& t) { return complete_response(t, "hello"); }, 10s);
    REQUIRE(complete_response(idle.received(), "hello"));

    auto slow = std::async(std::launch::async, [&] { return curl_request(s->url("/slow")); });
    REQUIRE(wait_for([&] { return entered->load(); }));
    const auto started = std::chrono::steady_clock::now();
    s->server().stop(5s);
    CHECK(std::chrono::steady_clock::now() - started < 4s);

    const auto response = slow.get();
    CHECK(response.status == 200);
    CHECK(response.body == "slow done");
    CHECK(response.header("connection") == "close");
    CHECK(idle.wait_closed(2s));
    CHECK(s->server().open_connections() == 0);
    CHECK_FALSE(RawSocket("127.0.0.1", port).connected());

    s->server().stop();  // a second stop does nothing
    s.reset();           // nor does the destructor's
}

TEST_CASE("a stop closes connections whose handler outlives the grace", "[http][stop]") {
    auto gate = std::make_shared<Gate>();
    auto router = basic_router();
    router->add("GET", "/stuck", [gate](const Request&) {
        gate->wait();
        return text_response("too late");
    });
    auto s = std::make_unique<TestServer>(test_options(), router);
    auto stuck = std::async(std::launch::async, [&] { return curl_request(s->url("/stuck")); });
    REQUIRE(wait_for([&] { return gate->waiting() == 1; }));

    auto stopping = std::async(std::launch::async, [&] { s->server().stop(100ms); });
    // Past the grace the connection is closed; stop() then waits for the handler itself.
    const auto response = stuck.get();
    CHECK(response.code != CURLE_OK);
    CHECK(response.status == 0);
    CHECK(stopping.wait_for(0s) == std::future_status::timeout);
    gate->open();
    CHECK(stopping.wait_for(10s) == std::future_status::ready);
    CHECK(s->server().open_connections() == 0);
}

TEST_CASE("plain HTTP is refused on a non-loopback address, and nothing is bound", "[http]") {
    const auto port = free_port();
    REQUIRE(port != 0);
    for (const std::string address : {"0.0.0.0", "::", "192.0.2.1"}) {
        INFO(address);
        auto options = test_options();
        options.address = address;
        options.port = port;
        HttpServer server(options, [](const Request&) { return text_response("x"); });
        const auto started = server.start();
        REQUIRE_FALSE(started.ok());
        CHECK(started.error().code == "http.insecure");
        CHECK(port_is_free(port));
    }
}

TEST_CASE("the server answers on ::1", "[http][ipv6]") {
    if (!has_ipv6_loopback()) {
        WARN("this machine has no ::1; IPv6 not tested");
        return;
    }
    auto seen = std::make_shared<std::pair<std::mutex, std::string>>();
    auto router = basic_router();
    router->add("GET", "/who", [seen](const Request& request) {
        std::lock_guard lock(seen->first);
        seen->second = request.remote_address;
        return text_response("ok");
    });
    auto options = test_options();
    options.address = "::1";
    TestServer s(options, router);
    CHECK(curl_request(s.url("/hello")).body == "hello");
    CHECK(curl_request(s.url("/who")).status == 200);
    std::lock_guard lock(seen->first);
    CHECK(seen->second == "::1");
}

TEST_CASE("loopback addresses are recognised", "[http]") {
    for (const auto* address :
         {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "::ffff:127.0.0.1"})
        CHECK(is_loopback_address(address));
    for (const auto* address : {"0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "::2", "example.org", "",
                                "localhost.example", "::ffff:10.0.0.1"})
        CHECK_FALSE(is_loopback_address(address));
}
