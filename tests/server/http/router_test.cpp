#include "server/http/router.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "server/http/problem.h"

using namespace helpline::server::http;

namespace {

NormalizedTarget normalized(std::string_view target) {
    auto result = normalize_target(target);
    INFO(target);
    REQUIRE(result.ok());
    return result.value();
}

Request request_for(std::string method, std::string_view target) {
    Request request;
    request.method = std::move(method);
    request.target = std::string(target);
    auto n = normalized(target);
    request.path = n.path;
    request.segments = n.segments;
    request.query = n.query;
    return request;
}

Handler answer(std::string body) {
    return [body = std::move(body)](const Request& request) {
        Response response;
        response.body = body;
        for (const auto& [name, value] : request.params) response.body += " " + name + "=" + value;
        return response;
    };
}

std::optional<std::string> header(const Response& response, std::string_view name) {
    for (const auto& [n, v] : response.headers)
        if (n == name) return v;
    return std::nullopt;
}

}  // namespace

TEST_CASE("targets that name the same resource normalise to one path", "[router]") {
    struct Row {
        std::string_view target;
        std::string_view path;
    };
    const Row rows[] = {
        {"/api/v1/queue", "/api/v1/queue"},
        {"//api//v1/queue/", "/api/v1/queue"},
        {"/api/v1/%71ueue", "/api/v1/queue"},
        {"/api/v1/%71ueue?x=1", "/api/v1/queue"},
        {"/", "/"},
        {"//", "/"},
        {"/a+b/c%20d", "/a+b/c d"},
        {"/%41PI", "/API"},
    };
    for (const auto& row : rows) {
        INFO(row.target);
        CHECK(normalized(row.target).path == row.path);
    }
    const auto n = normalized("//api//v1/tickets/%31042/");
    CHECK(n.segments == std::vector<std::string>{"api", "v1", "tickets", "1042"});
}

TEST_CASE("targets that could escape their route are refused", "[router]") {
    const std::string_view bad[] = {
        "/api/v1/a%2Fb",    // '/' inside a segment
        "/api/v1/a%2fb",    // lower-case escape too
        "/api/v1/a%00b",    // NUL
        "/api/./v1",        // '.'
        "/api/../v1",       // '..'
        "/api/%2e%2E/v1",   // '..' spelled with escapes
        "/api/%2e",         // '.' spelled with an escape
        "/api/%G1",         // not hex
        "/api/%4",          // one digit
        "/api/%",           // no digits
        "/q?x=%4",          // bad escape in the query
        "/q?x=%00",         // NUL in the query
        "api/v1/queue",     // not starting with '/'
        "",                 // empty
        "http://host/api",  // absolute form
        "*",                // asterisk form
    };
    for (const auto target : bad) {
        INFO(target);
        auto result = normalize_target(target);
        REQUIRE_FALSE(result.ok());
        CHECK(result.error().code == "http.bad_target");
    }
}

TEST_CASE("segments that merely contain dots are ordinary names", "[router]") {
    CHECK(normalized("/files/.hidden").segments.back() == ".hidden");
    CHECK(normalized("/files/a..b").segments.back() == "a..b");
    CHECK(normalized("/files/...").segments.back() == "...");
}

TEST_CASE("the query is decoded, '+' is a space, and the last value wins", "[router]") {
    const auto n =
        normalized("/history?email=a%40b.example&q=two+words&limit=5&limit=10&flag&=x&&");
    CHECK(n.query.at("email") == "a@b.example");
    CHECK(n.query.at("q") == "two words");
    CHECK(n.query.at("limit") == "10");
    CHECK(n.query.at("flag").empty());
    CHECK(n.query.at("") == "x");
    CHECK(normalized("/x?a=%2F%3F%26").query.at("a") == "/?&");
    CHECK(normalized("/x?").query.empty());
}

TEST_CASE("the router fills parameters and prefers literal segments", "[router]") {
    Router router;
    router.add("GET", "/api/v1/tickets/{number}", answer("ticket"));
    router.add("POST", "/api/v1/tickets/{number}/close", answer("close"));
    router.add("GET", "/api/v1/devices/{id}", answer("device"));
    router.add("GET", "/api/v1/devices/me/tickets", answer("my tickets"));
    router.add("GET", "/api/v1/devices/me", answer("me"));

    auto request = request_for("GET", "/api/v1/tickets/1042");
    auto response = router.route(request);
    CHECK(response.status == 200);
    CHECK(response.body == "ticket number=1042");

    request = request_for("POST", "//api/v1/tickets/%31042/close/");
    CHECK(router.route(request).body == "close number=1042");

    request = request_for("GET", "/api/v1/devices/me");
    CHECK(router.route(request).body == "me");
    request = request_for("GET", "/api/v1/devices/abc");
    CHECK(router.route(request).body == "device id=abc");
    request = request_for("GET", "/api/v1/devices/me/tickets");
    CHECK(router.route(request).body == "my tickets");
}

TEST_CASE("the router answers 404 for unknown paths and 405 with Allow", "[router]") {
    Router router;
    router.add("GET", "/api/v1/queue", answer("queue"));
    router.add("PATCH", "/api/v1/tickets/{number}", answer("patch"));
    router.add("GET", "/api/v1/tickets/{number}", answer("get"));
    router.add("GET", "/api/v1/x/me", answer("me"));
    router.add("DELETE", "/api/v1/x/{id}", answer("delete"));

    auto request = request_for("GET", "/api/v1/nothing");
    auto response = router.route(request);
    CHECK(response.status == 404);
    CHECK(response.content_type == "application/problem+json");

    // Paths are case-sensitive.
    request = request_for("GET", "/API/v1/queue");
    CHECK(router.route(request).status == 404);
    request = request_for("GET", "/api/v1/Queue");
    CHECK(router.route(request).status == 404);

    request = request_for("DELETE", "/api/v1/queue");
    response = router.route(request);
    CHECK(response.status == 405);
    CHECK(header(response, "Allow") == "GET");

    request = request_for("POST", "/api/v1/tickets/7");
    response = router.route(request);
    CHECK(response.status == 405);
    CHECK(header(response, "Allow") == "PATCH, GET");

    // "me" is never taken as an id, even for a method only the parameter route has.
    request = request_for("DELETE", "/api/v1/x/me");
    response = router.route(request);
    CHECK(response.status == 405);
    CHECK(header(response, "Allow") == "GET");
    request = request_for("DELETE", "/api/v1/x/other");
    CHECK(router.route(request).body == "delete id=other");
}

// Found by fuzz/http_request_fuzzer.cpp: the 404's detail quotes the decoded path, and
// nlohmann's dump() threw on its invalid UTF-8, so the server answered 500 instead.
TEST_CASE("a path that decodes to invalid UTF-8 is still a 404 with a JSON problem", "[router]") {
    Router router;
    router.add("GET", "/api/v1/queue", answer("queue"));
    for (const char* target : {"/%ff", "/api/v1/%C3%28", "/%80/queue"}) {
        INFO(target);
        auto request = request_for("GET", target);
        Response response;
        REQUIRE_NOTHROW(response = router.route(request));
        CHECK(response.status == 404);
        CHECK(response.content_type == "application/problem+json");
        CHECK(nlohmann::json::accept(response.body));
        CHECK_THAT(response.body, Catch::Contains("\xEF\xBF\xBD"));  // U+FFFD for the bad byte
    }
    auto request = request_for("POST", "/api/v1/queue?x=%ff");
    CHECK(router.route(request).status == 405);
}

TEST_CASE("parameters of a previous match do not leak into the next", "[router]") {
    Router router;
    router.add("GET", "/a/{x}", answer("a"));
    router.add("GET", "/b", answer("b"));
    auto request = request_for("GET", "/a/1");
    CHECK(router.route(request).body == "a x=1");
    auto other = request_for("GET", "/b");
    other.params = request.params;
    CHECK(router.route(other).body == "b");
}

TEST_CASE("a trailing {name...} takes the rest of the path, after every narrower pattern",
          "[router]") {
    Router router;
    router.add("GET", "/files/{rest...}", answer("files"));
    router.add("GET", "/files/{id}", answer("one"));
    router.add("GET", "/files/special/{rest...}", answer("special"));
    router.add("GET", "/files/index", answer("index"));

    auto request = request_for("GET", "/files/a/b%20c/d.js");
    CHECK(router.route(request).body == "files rest=a/b c/d.js");
    request = request_for("GET", "/files/x");
    CHECK(router.route(request).body == "one id=x");
    request = request_for("GET", "/files/index");
    CHECK(router.route(request).body == "index");
    request = request_for("GET", "/files/special/y/z");
    CHECK(router.route(request).body == "special rest=y/z");
    request = request_for("GET", "/files/index/more");
    CHECK(router.route(request).body == "files rest=index/more");

    // It needs at least one segment, and other methods are a 405 naming the ones it has.
    request = request_for("GET", "/files");
    CHECK(router.route(request).status == 404);
    request = request_for("DELETE", "/files/a/b");
    const auto response = router.route(request);
    CHECK(response.status == 405);
    CHECK(header(response, "Allow") == "GET");

    CHECK_THROWS_AS(router.add("GET", "/x/{rest...}/y", answer("bad")), std::invalid_argument);
}
