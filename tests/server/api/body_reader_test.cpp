// Reading request inputs strictly: the JSON content type as a media type, and numbers
// without trailing junk — through the handlers, naming what is wrong.
#include "server/api/body_reader.h"
#include "tests/server/api/api_fixture.h"

using namespace helpline::server;
using helpline::server::test::ApiFixture;
using helpline::server::test::Reply;

namespace {

http::Request typed(const std::string& content_type) {
    http::Request r;
    r.headers.add("Content-Type", content_type);
    return r;
}

struct Inputs : ApiFixture {
    Inputs() {
        group("helpdesk");
        dev = device();
        admin = user("boss@team.example", Role::admin);
    }
    std::string dev, admin;
};

}  // namespace

TEST_CASE("the JSON content type is a media type: any case, parameters, UTF-8 only") {
    for (const char* ok : {"application/json", "Application/JSON", "application/json; charset=utf-8",
                           "application/json;charset=UTF-8", "application/json ; charset=\"utf-8\"",
                           "application/json; foo=bar", "application/json;"}) {
        INFO(ok);
        CHECK_FALSE(api::unless_json_content(typed(ok)));
    }
    for (const char* bad : {"text/json", "application/jsonx", "application/json-seq", "text/plain",
                            "application/json; charset=latin1", "application/json; charset=utf-16",
                            "application/json; charset", "application/json; =utf-8", ""}) {
        INFO(bad);
        const auto refused = api::unless_json_content(typed(bad));
        REQUIRE(refused);
        CHECK(refused->status == 415);
    }
    CHECK(api::unless_json_content(http::Request{})->status == 415);
    CHECK_THAT(api::unless_json_content(typed("application/json; charset=latin1"))->body,
               Catch::Contains("must be UTF-8, not charset=latin1"));
}

// Found by fuzz/http_request_fuzzer.cpp: the 415's detail quotes the Content-Type, whose
// bytes (obs-text, RFC 9110 §5.5) need not be UTF-8; dump() threw and the server answered
// 500 instead.
TEST_CASE("a Content-Type that is not UTF-8 is still a 415 with a JSON problem") {
    for (const char* bad : {"\xff", "application/\xc3\x28json", "application/json; charset=\xfe"}) {
        INFO(bad);
        std::optional<http::Response> refused;
        REQUIRE_NOTHROW(refused = api::unless_json_content(typed(bad)));
        REQUIRE(refused);
        CHECK(refused->status == 415);
        CHECK(nlohmann::json::accept(refused->body));
    }
}

TEST_CASE("decimal numbers are digits only") {
    CHECK(api::parse_decimal("0") == 0);
    CHECK(api::parse_decimal("1042") == 1042);
    CHECK(api::parse_decimal("999999999999999999") == 999999999999999999);
    for (const char* bad : {"", "5abc", "5 ", " 5", "+5", "-5", "0x10", "1e3", "9999999999999999999"}) {
        INFO(bad);
        CHECK_FALSE(api::parse_decimal(bad));
    }
}

TEST_CASE_METHOD(Inputs, "handlers take JSON in any spelling of its media type and refuse other charsets") {
    const nlohmann::json body = {{"email", "ana@example.com"}, {"description", "Help"}};
    const auto send = [&](const std::string& type) {
        return call("POST", "/api/v1/tickets", dev, body, {{"Idempotency-Key", uuid()}, {"Content-Type", type}}).status;
    };
    CHECK(send("Application/JSON") == 201);
    CHECK(send("application/json ;charset=utf-8") == 201);
    CHECK(send("application/json; charset=iso-8859-1") == 415);
    CHECK(send("text/plain") == 415);
}

TEST_CASE_METHOD(Inputs, "limits and Last-Event-ID with trailing junk are 400 naming the field") {
    for (const char* bad : {"10abc", "5 ", "-1", "0", "1001", "1e2"}) {
        INFO(bad);
        auto history = call("GET", std::string("/api/v1/history?limit=") + bad, admin);
        CHECK(history.status == 400);
        CHECK(history.json["errors"][0]["field"] == "limit");
    }
    CHECK(call("GET", "/api/v1/history?limit=1000", admin).status == 200);
    for (const char* bad : {"10abc", "0", "501"}) {
        INFO(bad);
        auto mine = call("GET", std::string("/api/v1/devices/me/tickets?limit=") + bad, dev);
        CHECK(mine.status == 400);
        CHECK(mine.json["errors"][0]["field"] == "limit");
    }
    CHECK(call("GET", "/api/v1/devices/me/tickets?limit=500", dev).status == 200);
    for (const char* bad : {"17abc", "-1", "x", "1.5"}) {
        INFO(bad);
        auto stream = call("GET", "/api/v1/events", dev, nullptr, {{"Last-Event-ID", bad}});
        CHECK(stream.status == 400);
        CHECK_FALSE(stream.raw.stream);
        CHECK(stream.json["errors"][0]["field"] == "Last-Event-ID");
    }
    CHECK(call("GET", "/api/v1/events", dev, nullptr, {{"Last-Event-ID", "17"}}).raw.stream);
}

TEST_CASE_METHOD(Inputs, "publishing a profile takes the same JSON content types") {
    auto key = helpline::SigningKey::load(helpline::test::fixture("keys/test-signing-key.pem"));
    REQUIRE(key.ok());
    auto profile = nlohmann::json::parse(
        helpline::test::read_text(helpline::test::source_path("branding/profiles/demo/profile.json")));
    profile["assistance"]["groups"] = nlohmann::json::array({profile["assistance"]["groups"][0]});
    const std::string envelope = helpline::make_envelope("demo-support", 1, profile.dump(), {}, *key);
    const auto publish = [&](const std::string& type) {
        return call("POST", "/api/v1/profiles", admin, nlohmann::json::parse(envelope), {{"Content-Type", type}}).status;
    };
    CHECK(publish("application/json; charset=latin1") == 415);
    CHECK(publish("APPLICATION/JSON; Charset=UTF-8") == 201);
}
