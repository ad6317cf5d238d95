#include <catch2/catch.hpp>

#include "client/core/event_stream.h"

using namespace helpline::client;

namespace {

SseEvent sse(const std::string& type, const std::string& data) {
    return SseEvent{"5", type, data};
}

}  // namespace

TEST_CASE("a connection-request event becomes a typed request") {
    const auto decoded = decode_device_event(sse(
        "connection-request",
        R"({"id":"9f00aa","operator_name":"Ana","ticket_number":1042,"expires_at":"2026-11-25T03:22:04Z","expires_in_s":60})"));
    REQUIRE(decoded.ok());
    REQUIRE(decoded->has_value());
    const auto& r = std::get<ConnectionRequest>(**decoded);
    CHECK(r.id == "9f00aa");
    CHECK(r.operator_name == "Ana");
    CHECK(r.ticket_number == 1042);
    CHECK(r.expires_in == std::chrono::seconds(60));
}

TEST_CASE("connection-cancelled and ticket-updated events become typed events") {
    const auto ended = decode_device_event(
        sse("connection-cancelled", R"({"id":"ab","reason":"ended","session_id":"cd"})"));
    REQUIRE(ended.ok());
    const auto& c = std::get<Cancelled>(**ended);
    CHECK(c.id == "ab");
    CHECK(c.reason == "ended");
    CHECK(c.session_id == "cd");

    const auto expired =
        decode_device_event(sse("connection-cancelled", R"({"id":"ab","reason":"expired"})"));
    REQUIRE(expired.ok());
    CHECK(std::get<Cancelled>(**expired).session_id.empty());

    const auto updated = decode_device_event(
        sse("ticket-updated", R"({"number":1042,"status":"closed","operator_name":null})"));
    REQUIRE(updated.ok());
    const auto& t = std::get<TicketUpdated>(**updated);
    CHECK(t.number == 1042);
    CHECK(t.status == "closed");
    CHECK(t.operator_name.empty());
}

TEST_CASE("fields a newer server adds are ignored") {
    const auto decoded = decode_device_event(sse(
        "connection-request",
        R"({"id":"a1","operator_name":"Ana","ticket_number":7,"expires_in_s":30,"color":"red"})"));
    REQUIRE(decoded.ok());
    CHECK(std::get<ConnectionRequest>(**decoded).ticket_number == 7);
}

TEST_CASE("an event type this client does not know is dropped without an error") {
    for (const char* type : {"message", "run-command", "CONNECTION-REQUEST", ""}) {
        INFO(type);
        const auto decoded = decode_device_event(sse(type, R"({"id":"a1"})"));
        REQUIRE(decoded.ok());
        CHECK_FALSE(decoded->has_value());
    }
}

TEST_CASE("malformed data of a known event is an error naming what is wrong") {
    struct Case {
        const char* type;
        const char* data;
        const char* mentions;
    };
    const Case cases[] = {
        {"connection-request", "{not json", "not a JSON object"},
        {"connection-request", "[1,2]", "not a JSON object"},
        {"connection-request", R"({"operator_name":"Ana","ticket_number":1,"expires_in_s":5})",
         "id is missing"},
        {"connection-request",
         R"({"id":"a b","operator_name":"Ana","ticket_number":1,"expires_in_s":5})",
         "id is not an identifier"},
        {"connection-request",
         R"({"id":"ab","operator_name":7,"ticket_number":1,"expires_in_s":5})",
         "operator_name is not a string"},
        {"connection-request",
         R"({"id":"ab","operator_name":"A","ticket_number":"1","expires_in_s":5})",
         "ticket_number is not an integer"},
        {"connection-request",
         R"({"id":"ab","operator_name":"A","ticket_number":1,"expires_in_s":5.5})",
         "expires_in_s is not an integer"},
        {"connection-request", R"({"id":"ab","operator_name":"A","ticket_number":1})",
         "expires_in_s is not an integer"},
        {"connection-cancelled", R"({"reason":"expired"})", "id is missing"},
        {"ticket-updated", R"({"number":1})", "status is missing"},
    };
    for (const auto& c : cases) {
        INFO(c.type << " " << c.data);
        const auto decoded = decode_device_event(sse(c.type, c.data));
        REQUIRE_FALSE(decoded.ok());
        CHECK(decoded.error().code == event_error::kBadData);
        CHECK_THAT(decoded.error().message, Catch::Contains(c.mentions));
    }
}

TEST_CASE(
    "control characters and direction overrides are stripped from names before anyone shows them") {
    const auto decoded = decode_device_event(sse(
        "connection-request",
        R"({"id":"ab","operator_name":"An\u001b[2Ja\r\u0085\u202eX","ticket_number":1,"expires_in_s":5})"));
    REQUIRE(decoded.ok());
    CHECK(std::get<ConnectionRequest>(**decoded).operator_name == "An[2JaX");
}

TEST_CASE("a long operator name is cut on a character boundary and expiry is clamped") {
    std::string name;
    for (int i = 0; i < 150; ++i) name += "\xC3\xA9";  // é, two bytes each
    const auto decoded = decode_device_event(sse(
        "connection-request",
        R"({"id":"ab","operator_name":")" + name + R"(","ticket_number":1,"expires_in_s":-4})"));
    REQUIRE(decoded.ok());
    const auto& r = std::get<ConnectionRequest>(**decoded);
    CHECK(r.operator_name.size() == 200);
    CHECK(r.expires_in == std::chrono::seconds(0));
}
