// The device event stream over the wire: pushes, heartbeats and resuming after a
// reconnect with Last-Event-ID.

#include <catch2/catch.hpp>
#include <sstream>

#include "tests/server/e2e/e2e_fixture.h"

namespace helpline::test::e2e {
namespace {

using Frame = SseFrame;

std::vector<Frame> frames(const std::string& text) { return sse_frames(text); }

/// The connection-request frame for request `id`, if the stream has it.
std::optional<Frame> request_frame(const CurlEventStream& stream, const std::string& id) {
    for (auto& f : frames(stream.text()))
        if (f.event == "connection-request" && f.data.is_object() && f.data.value("id", "") == id)
            return f;
    return std::nullopt;
}

bool streaming(const CurlEventStream& stream) {
    return wait_for([&] { return stream.header("content-type") == "text/event-stream"; },
                    std::chrono::seconds(5));
}

std::string connect(const Team& team, std::int64_t number) {
    const auto r = team.call("POST", "/api/v1/tickets/" + std::to_string(number) + "/connect",
                             team.admin_token());
    INFO(r.body);
    REQUIRE(r.status == 201);
    return body_json(r).at("request_id").get<std::string>();
}

}  // namespace

TEST_CASE("a device's event stream gets a connection request within 2 s of an operator's connect") {
    Team team;
    const auto device = team.register_device();
    const auto number = team.submit(device, ticket_body("Please look at my screen"));
    CurlEventStream stream(team.server().url("/api/v1/events"), bearer(device.token));
    REQUIRE(streaming(stream));

    const auto r = team.call("POST", "/api/v1/tickets/" + std::to_string(number) + "/connect",
                             team.admin_token());
    REQUIRE(r.status == 201);
    CHECK(body_json(r).at("device_online") == true);
    const std::string id = body_json(r).at("request_id").get<std::string>();
    REQUIRE(
        wait_for([&] { return request_frame(stream, id).has_value(); }, std::chrono::seconds(2)));
    const Frame f = *request_frame(stream, id);
    CHECK(!f.id.empty());
    CHECK(f.data.at("ticket_number") == number);
    CHECK(f.data.at("operator_name") == "Admin");
    CHECK(f.data.at("expires_in_s") == 60);
    CHECK(f.data.at("expires_at").get<std::string>().back() == 'Z');

    // Closing the ticket reaches the device too.
    REQUIRE(team.call("POST", "/api/v1/tickets/" + std::to_string(number) + "/close",
                      team.admin_token())
                .status == 200);
    CHECK(wait_for(
        [&] {
            for (const auto& e : frames(stream.text()))
                if (e.event == "ticket-updated" && e.data.value("status", "") == "closed")
                    return true;
            return false;
        },
        std::chrono::seconds(2)));
    stream.stop();
}

TEST_CASE("closing a ticket withdraws its pending connection request from the device's stream") {
    Team team;
    const auto device = team.register_device();
    const auto number = team.submit(device, ticket_body("Never mind, it works now"));
    CurlEventStream stream(team.server().url("/api/v1/events"), bearer(device.token));
    REQUIRE(streaming(stream));
    const std::string id = connect(team, number);
    REQUIRE(
        wait_for([&] { return request_frame(stream, id).has_value(); }, std::chrono::seconds(2)));

    REQUIRE(team.call("POST", "/api/v1/tickets/" + std::to_string(number) + "/close",
                      team.admin_token())
                .status == 200);
    const auto cancelled = [&] {
        for (const auto& f : frames(stream.text()))
            if (f.event == "connection-cancelled" && f.data.is_object() &&
                f.data.value("id", "") == id)
                return std::optional<Frame>(f);
        return std::optional<Frame>();
    };
    REQUIRE(wait_for([&] { return cancelled().has_value(); }, std::chrono::seconds(2)));
    CHECK(cancelled()->data.at("reason") == "cancelled");
    CHECK(std::stoll(cancelled()->id) > std::stoll(request_frame(stream, id)->id));

    // The customer's late Allow finds nothing to accept.
    const auto late = team.call("POST", "/api/v1/connection-requests/" + id + "/accept",
                                device.token, Json{{"vnc_password", "s3cret-pw"}});
    CHECK(late.status == 409);
    CHECK(body_json(team.call("GET", "/api/v1/connection-requests/" + id, team.admin_token()))
              .at("state") == "cancelled");
    stream.stop();
}

TEST_CASE("an idle event stream carries ping comments at the heartbeat interval") {
    auto args = unlimited_args();
    args.insert(args.end(), {"--sse-heartbeat-ms", "200"});
    Team team(args);
    const auto device = team.register_device();
    CurlEventStream stream(team.server().url("/api/v1/events"), bearer(device.token));
    REQUIRE(streaming(stream));
    const auto started = std::chrono::steady_clock::now();
    const auto pings = [&] {
        const std::string text = stream.text();
        std::size_t n = 0;
        for (auto at = text.find(": ping\n"); at != std::string::npos;
             at = text.find(": ping\n", at + 1))
            ++n;
        return n;
    };
    REQUIRE(wait_for([&] { return pings() >= 3; }, std::chrono::seconds(3)));
    // Three intervals of 200 ms, not a flood: the first ping comes after an interval.
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(400));
    CHECK(pings() < 10);
    CHECK(!stream.finished());
    stream.stop();
}

TEST_CASE("a device that reconnects with Last-Event-ID gets the request made while it was away") {
    Team team;
    const auto device = team.register_device();
    const auto number = team.submit(device, ticket_body("Flaky Wi-Fi"));

    CurlEventStream first(team.server().url("/api/v1/events"), bearer(device.token));
    REQUIRE(streaming(first));
    const std::string seen = connect(team, number);
    REQUIRE(
        wait_for([&] { return request_frame(first, seen).has_value(); }, std::chrono::seconds(2)));
    const std::string last_id = request_frame(first, seen)->id;
    REQUIRE(!last_id.empty());
    first.stop();  // the device goes away...

    const std::string missed = connect(team, number);  // ...and misses this one
    const std::string declined = connect(team, number);
    REQUIRE(team.call("POST", "/api/v1/connection-requests/" + declined + "/decline", device.token)
                .status == 204);

    CurlEventStream resumed(team.server().url("/api/v1/events"),
                            bearer(device.token, {"Last-Event-ID: " + last_id}));
    REQUIRE(streaming(resumed));
    REQUIRE(wait_for([&] { return request_frame(resumed, missed).has_value(); },
                     std::chrono::seconds(2)));
    // A live request comes after everything replayed: once it is in, the replay is complete.
    const std::string live = connect(team, number);
    REQUIRE(wait_for([&] { return request_frame(resumed, live).has_value(); },
                     std::chrono::seconds(2)));
    // Replayed from the store: in order, after the id it had, and only what still matters.
    CHECK(std::stoll(request_frame(resumed, missed)->id) > std::stoll(last_id));
    CHECK(!request_frame(resumed, seen));
    CHECK(!request_frame(resumed, declined));
    resumed.stop();

    // Without Last-Event-ID a device gets every pending request, the one it saw included.
    CurlEventStream fresh(team.server().url("/api/v1/events"), bearer(device.token));
    REQUIRE(streaming(fresh));
    REQUIRE(wait_for([&] { return request_frame(fresh, missed) && request_frame(fresh, seen); },
                     std::chrono::seconds(2)));
    const std::string later = connect(team, number);
    REQUIRE(
        wait_for([&] { return request_frame(fresh, later).has_value(); }, std::chrono::seconds(2)));
    CHECK(!request_frame(fresh, declined));
    fresh.stop();
}

}  // namespace helpline::test::e2e
