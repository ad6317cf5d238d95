// Rate limits over the wire: 429 with Retry-After, and a retried submission is never
// refused for the limit (docs/protocol.md).

#include <catch2/catch.hpp>

#include "tests/server/e2e/e2e_fixture.h"

namespace helpline::test::e2e {

TEST_CASE("sign-in attempts past the limit are 429 with Retry-After even with the right password") {
    Team team({"--login-limit", "3"});  // the Team's own sign-in is the first attempt
    const Json wrong = {{"email", team.server().admin_email()}, {"password", "wrong-password"}};
    CHECK(team.call("POST", "/api/v1/auth/login", {}, wrong).status == 401);
    CHECK(team.call("POST", "/api/v1/auth/login", {}, wrong).status == 401);
    const auto limited = team.call(
        "POST", "/api/v1/auth/login", {},
        Json{{"email", team.server().admin_email()}, {"password", team.server().admin_password()}});
    CHECK(limited.status == 429);
    CHECK(std::stoi(limited.header("retry-after")) >= 1);
    CHECK(limited.header("content-type") == "application/problem+json");
    // Signed-in users are not affected.
    CHECK(team.call("GET", "/api/v1/auth/me", team.admin_token()).status == 200);
}

// [single] (here and below): these limits are each server's own (operations.md), and HAProxy
// replaces the X-Forwarded-For a client sends.
TEST_CASE("submissions past the per-device limit are 429 but a retry of a stored one is answered", "[single]") {
    Team team({"--submit-limit", "2"});
    const auto device = team.register_device();
    const auto send = [&](const std::string& key, const std::string& description) {
        return team.call("POST", "/api/v1/tickets", device.token, ticket_body(description),
                         {"Idempotency-Key: " + key});
    };
    const std::string first = new_uuid();
    CHECK(send(first, "One").status == 201);
    CHECK(send(new_uuid(), "Two").status == 201);
    const auto limited = send(new_uuid(), "Three");
    CHECK(limited.status == 429);
    CHECK(std::stoi(limited.header("retry-after")) >= 1);
    CHECK(send(first, "One").status == 200);
    // Another device has its own allowance.
    const auto other = team.register_device();
    CHECK(team.call("POST", "/api/v1/tickets", other.token, ticket_body("Four"),
                    {"Idempotency-Key: " + new_uuid()})
              .status == 201);
    CHECK(team.admin_queue().size() == 3);
}

TEST_CASE("registrations past the per-address limit are 429, per forwarded address when trusted", "[single]") {
    const auto register_from = [](const Team& team, const std::string& forwarded_for) {
        return team.call("POST", "/api/v1/devices", {}, Json{{"profile_id", kDemoProfile}},
                         {"X-Forwarded-For: " + forwarded_for});
    };
    SECTION("by default the header is not trusted: all of 127.0.0.1 shares one allowance") {
        Team team({"--register-limit", "2"});
        CHECK(register_from(team, "198.51.100.1").status == 201);
        CHECK(register_from(team, "198.51.100.2").status == 201);
        const auto limited = register_from(team, "198.51.100.3");
        CHECK(limited.status == 429);
        CHECK(std::stoi(limited.header("retry-after")) >= 1);
        CHECK(limited.header("content-type") == "application/problem+json");
    }
    SECTION("with --trust-forwarded-for each forwarded address has its own allowance") {
        Team team({"--register-limit", "2", "--trust-forwarded-for"});
        CHECK(register_from(team, "198.51.100.1").status == 201);
        CHECK(register_from(team, "198.51.100.1").status == 201);
        CHECK(register_from(team, "198.51.100.1").status == 429);
        // The proxy appends the address it saw: earlier entries are the client's to invent.
        CHECK(register_from(team, "198.51.100.1, 198.51.100.2").status == 201);
        CHECK(register_from(team, "198.51.100.2").status == 201);
        CHECK(register_from(team, "198.51.100.2").status == 429);
        CHECK(team.server().log().find("client=198.51.100.2") != std::string::npos);
    }
}

}  // namespace helpline::test::e2e
