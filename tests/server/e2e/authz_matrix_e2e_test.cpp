// Authorization over the wire: every endpoint × every kind of caller, every way of
// writing its path, and the credential rules around them (docs/protocol.md).

#include <catch2/catch.hpp>

#include "tests/server/e2e/authz_world.h"

namespace helpline::test::e2e {

TEST_CASE("every endpoint answers each kind of caller as its access rule says") {
    World world;
    for (const Endpoint& endpoint : endpoints()) {
        for (Caller caller : kCallers) {
            std::string body;
            const long status = world.perform(endpoint, caller, Variant::canonical, &body);
            INFO(endpoint.method << " " << endpoint.pattern << " as " << caller_name(caller) << ": "
                                 << body);
            CHECK(status == endpoint.expected_for(caller));
        }
    }
}

TEST_CASE("a path written another way never gives a caller more than the canonical path") {
    World world;
    for (const Endpoint& endpoint : endpoints()) {
        for (Caller caller : kCallers) {
            const int canonical = endpoint.expected_for(caller);
            // The callers the route refuses, and the admin, who is allowed the most.
            if (canonical < 400 && caller != Caller::admin) continue;
            for (Variant variant : kVariants) {
                std::string body;
                const long status = world.perform(endpoint, caller, variant, &body);
                INFO(endpoint.method << " " << endpoint.pattern << " written with "
                                     << variant_name(variant) << " as " << caller_name(caller)
                                     << " (canonical " << canonical << "): " << body);
                CHECK(status == expected_for(variant, canonical));
            }
        }
    }
}

TEST_CASE("the path variants are the ones the protocol names") {
    CHECK(render_path("/api/v1/queue", {}, Variant::trailing_slash) == "/api/v1/queue/");
    CHECK(render_path("/api/v1/queue", {}, Variant::doubled_slash) == "/api//v1/queue");
    CHECK(render_path("/api/v1/queue", {}, Variant::encoded_segment) == "/api/v1/%71ueue");
    CHECK(render_path("/api/v1/queue", {}, Variant::encoded_slash) == "/api/v1/q%2Fueue");
    CHECK(render_path("/api/v1/queue", {}, Variant::dot_dot) == "/api/v1/x/%2E%2E/queue");
    CHECK(render_path("/api/v1/tickets/{n}/close", {"1001"}, Variant::upper_case) ==
          "/API/V1/TICKETS/1001/CLOSE");
}

TEST_CASE("a device reaches only its own tickets, connection requests and sessions") {
    Team team;
    const auto mine = team.register_device();
    const auto other = team.register_device();
    const auto number = team.submit(mine, ticket_body("Mine"));
    team.submit(other, ticket_body("Theirs"));

    const auto listed = body_json(team.call("GET", "/api/v1/devices/me/tickets", other.token));
    REQUIRE(listed.at("tickets").size() == 1);
    CHECK(listed["tickets"][0].at("number") != number);

    const auto connect = [&] {
        const auto r = team.call("POST", "/api/v1/tickets/" + std::to_string(number) + "/connect",
                                 team.admin_token());
        REQUIRE(r.status == 201);
        return body_json(r).at("request_id").get<std::string>();
    };
    const std::string request = connect();
    const Json password = {{"vnc_password", "secret-1234"}};
    CHECK(team.call("POST", "/api/v1/connection-requests/" + request + "/accept", other.token,
                    password)
              .status == 404);
    CHECK(team.call("POST", "/api/v1/connection-requests/" + request + "/decline", other.token)
              .status == 404);
    const auto accepted = team.call("POST", "/api/v1/connection-requests/" + request + "/accept",
                                    mine.token, password);
    REQUIRE(accepted.status == 200);
    const std::string session = body_json(accepted).at("session_id").get<std::string>();
    CHECK(team.call("POST", "/api/v1/sessions/" + session + "/end", other.token).status == 404);
    CHECK(team.call("POST", "/api/v1/sessions/" + session + "/end", mine.token).status == 204);
    CHECK(team.call("POST", "/api/v1/sessions/" + session + "/end", mine.token).status == 409);
    // Answered once: a second answer is refused.
    CHECK(team.call("POST", "/api/v1/connection-requests/" + request + "/decline", mine.token)
              .status == 409);
}

TEST_CASE("a bearer token that matches nothing is 401 even where anyone may call") {
    Team team;
    const std::string junk = "not-a-token-of-this-server";
    const auto r = team.call("POST", "/api/v1/devices", junk, Json{{"profile_id", kDemoProfile}});
    CHECK(r.status == 401);
    CHECK(r.header("www-authenticate") == "Bearer");
    CHECK(team.call("GET", "/api/v1/queue", junk).status == 401);
    CHECK(team.call("GET", "/api/v1/events", junk).status == 401);
    // A signed-out session is such a token.
    const std::string token =
        team.login(team.server().admin_email(), team.server().admin_password());
    CHECK(team.call("POST", "/api/v1/auth/logout", token).status == 204);
    CHECK(team.call("GET", "/api/v1/auth/me", token).status == 401);
}

TEST_CASE("a cookie session needs the CSRF header for changes but not for reads") {
    Team team;
    const auto login = team.call(
        "POST", "/api/v1/auth/login", {},
        Json{{"email", team.server().admin_email()}, {"password", team.server().admin_password()}});
    REQUIRE(login.status == 200);
    const Json j = body_json(login);
    const std::string cookie = "Cookie: helpline_session=" + j.at("token").get<std::string>();
    const std::string csrf = "X-CSRF-Token: " + j.at("csrf_token").get<std::string>();
    CHECK(login.header("set-cookie").find("HttpOnly") != std::string::npos);
    CHECK(login.header("set-cookie").find("SameSite=Strict") != std::string::npos);

    CHECK(team.call("GET", "/api/v1/queue", {}, {}, {cookie}).status == 200);
    const Json group = {{"id", "night-shift"}, {"name", "Night shift"}};
    CHECK(team.call("POST", "/api/v1/groups", {}, group, {cookie}).status == 403);
    CHECK(team.call("POST", "/api/v1/groups", {}, group, {cookie, "X-CSRF-Token: wrong"}).status ==
          403);
    CHECK(team.call("POST", "/api/v1/groups", {}, group, {cookie, csrf}).status == 201);
}

TEST_CASE("a known path with another method is 405 and lists the allowed methods") {
    Team team;
    const auto r = team.call("DELETE", "/api/v1/queue", team.admin_token());
    CHECK(r.status == 405);
    CHECK(r.header("allow") == "GET");
    const auto members = team.call("POST", "/api/v1/groups/helpdesk/members", team.admin_token());
    CHECK(members.status == 405);
    CHECK(members.header("allow") == "GET, PUT");
    CHECK(team.call("GET", "/api/v1/no-such-thing", team.admin_token()).status == 404);
}

// [single]: plain HTTP over a raw socket to the server's own port.
TEST_CASE("literal dot segments, NUL and bad escapes in a path are refused, not resolved", "[single]") {
    // curl resolves "." and ".." itself, so these go over a raw socket, with the admin's
    // token: even the caller allowed the most gets nothing through them.
    Team team;
    for (const std::string target :
         {"/api/v1/x/../queue", "/api/v1/./queue", "/api/v1/queue/..", "/api/v1/%00queue",
          "/api/v1/q%zzueue", "/api/v1/users/..%2Fqueue"}) {
        RawSocket socket("127.0.0.1", team.server().port());
        REQUIRE(socket.connected());
        REQUIRE(socket.send("GET " + target +
                            " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                            team.admin_token() + "\r\nConnection: close\r\n\r\n"));
        CHECK(socket.wait_closed(std::chrono::seconds(5)));
        INFO(target << " -> " << socket.received());
        CHECK(socket.received().rfind("HTTP/1.1 400 ", 0) == 0);
        CHECK(socket.received().find("application/problem+json") != std::string::npos);
    }
}

TEST_CASE("operator B's queue, history, dashboard and console stream show nothing of group A") {
    Team team;
    const auto a = team.add_user("ana.op@team.example", "Ana", "operator-a-password");
    const auto b = team.add_user("bruno.op@team.example", "Bruno", "operator-b-password");
    team.set_members("helpdesk", {a});
    team.set_members("billing", {b});
    const std::string token_a = team.login("ana.op@team.example", "operator-a-password");
    const std::string token_b = team.login("bruno.op@team.example", "operator-b-password");
    CurlEventStream console_b(team.server().url("/api/v1/console/events"), bearer(token_b));
    REQUIRE(wait_for([&] { return console_b.text().find("event: hello") != std::string::npos; }));

    const auto device = team.register_device();
    const auto in_a = team.submit(device, ticket_body("Group A's", "helpdesk"));
    const auto in_b = team.submit(device, ticket_body("Group B's", "billing"));
    const auto numbers = [&](const std::string& path, const std::string& token) {
        std::vector<std::int64_t> out;
        const Json doc = body_json(team.call("GET", path, token));
        for (const auto& t : doc.at("tickets")) out.push_back(t.at("number").get<std::int64_t>());
        return out;
    };
    CHECK(numbers("/api/v1/queue", token_b) == std::vector<std::int64_t>{in_b});
    CHECK(numbers("/api/v1/queue", token_a) == std::vector<std::int64_t>{in_a});
    CHECK(numbers("/api/v1/queue", team.admin_token()).size() == 2);
    CHECK(body_json(team.call("GET", "/api/v1/dashboard", token_b)).at("open") == 1);

    REQUIRE(
        team.call("POST", "/api/v1/tickets/" + std::to_string(in_a) + "/close", token_a).status ==
        200);
    CHECK(numbers("/api/v1/history", token_a) == std::vector<std::int64_t>{in_a});
    CHECK(numbers("/api/v1/history", token_b).empty());

    // Assigned to B, a ticket of group A enters B's view; unassigned, it leaves it.
    const auto moved = team.submit(device, ticket_body("Group A's, for Bruno", "helpdesk"));
    const std::string path = "/api/v1/tickets/" + std::to_string(moved);
    REQUIRE(team.call("PATCH", path, team.admin_token(), Json{{"operator_id", b}}).status == 200);
    CHECK(numbers("/api/v1/queue", token_b) == std::vector<std::int64_t>{in_b, moved});
    const auto unassigned = team.call("PATCH", path, token_b, Json{{"operator_id", nullptr}});
    CHECK(unassigned.status == 200);
    CHECK(body_json(unassigned).at("visible_to_you") == false);
    CHECK(team.call("GET", "/api/v1/queue", token_b)
              .body.find("\"number\":" + std::to_string(moved)) == std::string::npos);

    // The console stream told B about B's tickets and about the one while it was B's (its
    // assignment and unassignment, the last changes B may see), never about group A's.
    const auto mentions = [&](std::int64_t number) {
        const std::string text = console_b.text();
        const std::string needle = "\"number\":" + std::to_string(number);
        int n = 0;
        for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
            ++n;
        return n;
    };
    CHECK(wait_for([&] { return mentions(moved) >= 2; }));
    CHECK(mentions(in_b) >= 1);
    CHECK(mentions(in_a) == 0);
    console_b.stop();
}

}  // namespace helpline::test::e2e
