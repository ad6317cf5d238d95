// Bad input over the wire: every refusal is problem+json and names the fields at fault;
// none of it leaves a ticket behind.

#include <algorithm>
#include <catch2/catch.hpp>

#include "tests/server/e2e/e2e_fixture.h"

namespace helpline::test::e2e {
namespace {

/// A POST with a body sent exactly as given.
CurlResponse post_raw(const Team& team, const std::string& path, const std::string& token,
                      const std::string& body, const std::string& content_type,
                      std::vector<std::string> headers = {}) {
    CurlOptions options;
    options.method = "POST";
    options.body = body;
    options.headers = std::move(headers);
    // An empty value makes curl send no Content-Type at all.
    options.headers.push_back("Content-Type:" + (content_type.empty() ? "" : " " + content_type));
    if (!token.empty()) options.headers.push_back("Authorization: Bearer " + token);
    return curl_request(team.server().url(path), options);
}

bool has(const std::vector<std::string>& fields, const std::string& field) {
    return std::find(fields.begin(), fields.end(), field) != fields.end();
}

/// The message of the problem's error for `field`.
std::string message_for(const CurlResponse& r, const std::string& field) {
    for (const auto& e : body_json(r).value("errors", Json::array()))
        if (e.value("field", "") == field) return e.value("message", "");
    return {};
}

void check_problem(const CurlResponse& r, int status) {
    INFO(r.body);
    CHECK(r.status == status);
    CHECK(r.header("content-type") == "application/problem+json");
    const Json doc = body_json(r);
    CHECK(doc.value("status", 0) == status);
    CHECK(!doc.value("title", "").empty());
    CHECK(!doc.value("detail", "").empty());
}

}  // namespace

TEST_CASE(
    "a submission with malformed JSON, wrong types or unknown fields is 400 naming each field") {
    Team team;
    const auto device = team.register_device();
    const auto submit = [&](const std::string& body) {
        return post_raw(team, "/api/v1/tickets", device.token, body, "application/json",
                        {"Idempotency-Key: " + new_uuid()});
    };

    const auto malformed = submit(R"({"email": "ana@acme.example", "description": )");
    check_problem(malformed, 400);
    CHECK(body_json(malformed).value("detail", "") == "The body is not valid JSON.");
    check_problem(submit("[1, 2]"), 400);
    CHECK(body_json(submit("[1, 2]")).value("detail", "") == "The body must be a JSON object.");

    const auto types = submit(R"({"email": 42, "description": ["x"], "priority": true})");
    check_problem(types, 400);
    CHECK(body_json(types).value("type", "") == "urn:helpline:problem:validation");
    CHECK(message_for(types, "email") == "must be a string, got a number");
    CHECK(message_for(types, "description") == "must be a string, got an array");
    CHECK(message_for(types, "priority") == "must be a string, got a boolean");

    const auto unknown = submit(
        R"({"email": "ana@acme.example", "description": "x", "colour": "red", "vip": true})");
    check_problem(unknown, 400);
    CHECK(problem_fields(unknown).size() == 2);
    CHECK(message_for(unknown, "colour").rfind("unknown field; allowed: email, description", 0) ==
          0);
    CHECK(has(problem_fields(unknown), "vip"));

    const auto missing = submit("{}");
    CHECK(message_for(missing, "email") == "is required");
    CHECK(message_for(missing, "description") == "is required");

    const auto everything = submit(Json{
        {"email", "not-an-email"},
        {"description", "x"},
        {"group_id", "sales"},
        {"priority", "critical"},
        {"subject",
         std::string(201, 's')}}.dump());
    check_problem(everything, 400);
    CHECK(message_for(everything, "email") == "is not a valid email address");
    CHECK(message_for(everything, "group_id") == "\"sales\" is not a group of this team");
    CHECK(message_for(everything, "priority") == "must be one of low, medium, high, urgent");
    CHECK(message_for(everything, "subject") == "is too long: at most 200 characters");
    CHECK(body_json(everything).value("detail", "").find("email is not a valid email address") !=
          std::string::npos);

    const auto long_text = submit(ticket_body(std::string(16'001, 'd')).dump());
    CHECK(message_for(long_text, "description") == "is too long: at most 16000 characters");

    const auto no_key = post_raw(team, "/api/v1/tickets", device.token, ticket_body("x").dump(),
                                 "application/json");
    check_problem(no_key, 400);
    CHECK(message_for(no_key, "Idempotency-Key") == "is required");
    const auto bad_key = post_raw(team, "/api/v1/tickets", device.token, ticket_body("x").dump(),
                                  "application/json", {"Idempotency-Key: 12345"});
    CHECK(message_for(bad_key, "Idempotency-Key") == "must be a UUID");

    CHECK(team.admin_queue().empty());
}

TEST_CASE("a body that is not declared as JSON is 415") {
    Team team;
    const auto device = team.register_device();
    const std::string body = ticket_body("Scanner").dump();
    const std::string key = "Idempotency-Key: " + new_uuid();
    check_problem(post_raw(team, "/api/v1/tickets", device.token, body, "text/plain", {key}), 415);
    check_problem(post_raw(team, "/api/v1/tickets", device.token, body, "", {key}), 415);
    check_problem(post_raw(team, "/api/v1/tickets", device.token, body,
                           "application/x-www-form-urlencoded", {key}),
                  415);
    check_problem(post_raw(team, "/api/v1/users", team.admin_token(), "{}", "text/json"), 415);
    check_problem(post_raw(team, "/api/v1/profiles", team.admin_token(), "{}", "text/plain"), 415);
    CHECK(team.admin_queue().empty());
    check_problem(post_raw(team, "/api/v1/tickets", device.token, body,
                           "application/json; charset=latin1", {key}),
                  415);
    // Parameters after the media type are fine, and media types are case-insensitive.
    CHECK(post_raw(team, "/api/v1/tickets", device.token, body, "application/json; charset=utf-8",
                   {key})
              .status == 201);
    CHECK(post_raw(team, "/api/v1/tickets", device.token, ticket_body("Printer").dump(),
                   "Application/JSON ; Charset=\"UTF-8\"", {"Idempotency-Key: " + new_uuid()})
              .status == 201);
}

TEST_CASE("a body over its limit is 413 and a header over 8 KiB is 431") {
    Team team;
    const auto device = team.register_device();
    const std::string key = "Idempotency-Key: " + new_uuid();
    const auto sized = [](std::size_t bytes) {
        std::string body = ticket_body("").dump();
        const std::string filler(bytes - body.size(), 'x');
        return ticket_body(filler).dump();
    };
    // Just under 64 KiB: read, and refused for what it says (the description is too long).
    const auto under = post_raw(team, "/api/v1/tickets", device.token, sized(64 * 1024),
                                "application/json", {key});
    check_problem(under, 400);
    CHECK(has(problem_fields(under), "description"));
    const auto over = post_raw(team, "/api/v1/tickets", device.token, sized(64 * 1024 + 1),
                               "application/json", {key});
    check_problem(over, 413);
    CHECK(body_json(over).value("detail", "").find("65536 bytes") != std::string::npos);

    // Profiles may be up to 1 MiB.
    const std::string big_envelope = Json{{"format", std::string(512 * 1024, 'f')}}.dump();
    const auto profile =
        post_raw(team, "/api/v1/profiles", team.admin_token(), big_envelope, "application/json");
    check_problem(profile, 400);
    CHECK(!problem_fields(profile).empty());
    const std::string huge_envelope = Json{{"format", std::string(1024 * 1024, 'f')}}.dump();
    check_problem(
        post_raw(team, "/api/v1/profiles", team.admin_token(), huge_envelope, "application/json"),
        413);

    const auto small_header =
        team.call("GET", "/livez", {}, {}, {"X-Padding: " + std::string(6 * 1024, 'p')});
    CHECK(small_header.status == 200);
    const auto big_header =
        team.call("GET", "/livez", {}, {}, {"X-Padding: " + std::string(9 * 1024, 'p')});
    check_problem(big_header, 431);
    CHECK(team.admin_queue().empty());
}

// [single]: plain HTTP over a raw socket to the server's own port.
TEST_CASE("a chunked body over its limit is 413", "[single]") {
    Team team;
    const auto device = team.register_device();
    // Sent chunked there is no Content-Length to refuse up front: the count still stops it.
    RawSocket socket("127.0.0.1", team.server().port());
    std::string chunked =
        "POST /api/v1/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
        device.token + "\r\nIdempotency-Key: " + new_uuid() +
        "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::string chunk(16 * 1024, 'x');
    for (int i = 0; i < 5; ++i) chunked += "4000\r\n" + chunk + "\r\n";
    chunked += "0\r\n\r\n";
    (void)socket.send(chunked);  // the server may stop reading and close early
    socket.receive_until(
        [](const std::string& s) { return s.find("\r\n\r\n") != std::string::npos; },
        std::chrono::seconds(5));
    CHECK(socket.received().rfind("HTTP/1.1 413 ", 0) == 0);
    CHECK(team.admin_queue().empty());
}

TEST_CASE("team management and queue changes name the bad field") {
    Team team;
    const std::string admin = team.admin_token();
    const auto device = team.register_device();
    const auto number = team.submit(device, ticket_body("Mouse"));

    const auto user = team.call(
        "POST", "/api/v1/users", admin,
        Json{{"email", "ana@"}, {"name", "Ana"}, {"role", "boss"}, {"password", "short"}});
    check_problem(user, 400);
    CHECK(message_for(user, "email") == "is not a valid email address");
    CHECK(message_for(user, "role") == "must be admin or operator");
    // The team's password rules (password_rules.h), as everywhere a password is set.
    CHECK(message_for(user, "password").rfind("must be at least 12 characters long", 0) == 0);

    const auto group =
        team.call("POST", "/api/v1/groups", admin, Json{{"id", "First_Line"}, {"name", "x"}});
    check_problem(group, 400);
    CHECK(message_for(group, "id").find("lowercase letters, digits and '-'") != std::string::npos);
    CHECK(team.call("POST", "/api/v1/groups", admin, Json{{"id", "helpdesk"}, {"name", "Again"}})
              .status == 409);

    const auto org = team.call("POST", "/api/v1/organizations", admin,
                               Json{{"domain", "acme"}, {"name", "Acme"}});
    CHECK(has(problem_fields(org), "domain"));
    const auto members =
        team.call("PUT", "/api/v1/groups/helpdesk/members", admin, Json{{"user_ids", {1, 999}}});
    check_problem(members, 400);
    CHECK(message_for(members, "user_ids") == "user 999 does not exist");
    CHECK(team.call("PUT", "/api/v1/groups/nope/members", admin, Json{{"user_ids", {1}}}).status ==
          404);

    const auto patch =
        team.call("PATCH", "/api/v1/tickets/" + std::to_string(number), admin,
                  Json{{"priority", "asap"}, {"group_id", "sales"}, {"operator_id", 999}});
    check_problem(patch, 400);
    CHECK(has(problem_fields(patch), "priority"));
    CHECK(has(problem_fields(patch), "group_id"));
    CHECK(message_for(patch, "operator_id") == "is not an active user of this team");

    const auto history = team.call("GET", "/api/v1/history?from=yesterday&limit=0", admin);
    check_problem(history, 400);
    CHECK(has(problem_fields(history), "from"));
    CHECK(has(problem_fields(history), "limit"));
    CHECK(
        has(problem_fields(team.call("GET", "/api/v1/devices/me/tickets?limit=501", device.token)),
            "limit"));

    const auto registration =
        team.call("POST", "/api/v1/devices", {}, Json{{"profile_id", "Demo Support"}});
    CHECK(has(problem_fields(registration), "profile_id"));
    const auto login =
        team.call("POST", "/api/v1/auth/login", {}, Json{{"email", "ana@acme.example"}});
    CHECK(message_for(login, "password") == "is required");

    const auto request =
        team.call("POST", "/api/v1/tickets/" + std::to_string(number) + "/connect", admin);
    REQUIRE(request.status == 201);
    const auto accept =
        team.call("POST",
                  "/api/v1/connection-requests/" +
                      body_json(request).at("request_id").get<std::string>() + "/accept",
                  device.token, Json{{"vnc_password", "short"}});
    CHECK(message_for(accept, "vnc_password") == "must be 8 to 64 characters");
}

TEST_CASE("a profile naming groups the team does not have is 422 naming the group") {
    Team team;
    const auto envelope = sign_demo_profile(team.dir().path(), 1, {"helpdesk", "sales"});
    const auto r =
        team.call("POST", "/api/v1/profiles", team.admin_token(), Json::parse(read_text(envelope)));
    check_problem(r, 422);
    CHECK(message_for(r, "profile.assistance.groups[1].id") ==
          "\"sales\" is not a group of this team; create it first");
    CHECK(
        body_json(team.call("GET", "/api/v1/profiles", team.admin_token())).at("profiles").empty());
    const auto not_envelope =
        team.call("POST", "/api/v1/profiles", team.admin_token(), Json{{"id", "x"}});
    check_problem(not_envelope, 400);
    CHECK(!problem_fields(not_envelope).empty());
}

}  // namespace helpline::test::e2e
