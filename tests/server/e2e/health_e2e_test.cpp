// Bootstrap and health of the real binary: `init`'s one-time password, /livez, /readyz,
// /metrics.

#include <catch2/catch.hpp>
#include <sstream>

#include "tests/server/e2e/database_write_lock.h"
#include "tests/server/e2e/e2e_fixture.h"

namespace helpline::test::e2e {
namespace {

/// The value of an unlabelled sample line "name value" of Prometheus text; -1 if absent.
long long metric(const std::string& text, const std::string& name) {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line))
        if (line.rfind(name + " ", 0) == 0) return std::stoll(line.substr(name.size() + 1));
    return -1;
}

}  // namespace

TEST_CASE("init prints a one-time admin password that signs in and a second init changes nothing") {
    TempDir dir;
    const auto data = dir / "data";
    const std::string database = pass_database();  // "": the SQLite file in `data`
    const auto command = [&](std::vector<std::string> args) {
        std::vector<std::string> argv = {kServerBin, "init", "--data", data.string()};
        if (!database.empty()) argv.insert(argv.end(), {"--database", database});
        argv.insert(argv.end(), args.begin(), args.end());
        return run_program(argv);
    };
    const auto init = command({"--admin-email", "boss@team.example", "--admin-name", "Boss"});
    INFO(init.err);
    REQUIRE(init.exit_code == 0);
    CHECK(init.out.find("Admin:             boss@team.example") != std::string::npos);
    CHECK(init.out.find("It is shown only now") != std::string::npos);
    const auto at = init.out.find("One-time password: ");
    REQUIRE(at != std::string::npos);
    const auto begin = at + std::string("One-time password: ").size();
    const std::string password = init.out.substr(begin, init.out.find('\n', begin) - begin);
    CHECK(password.size() >= 16);

    const auto again = command({"--admin-email", "other@team.example"});
    CHECK(again.exit_code == 1);
    CHECK(again.err.find("already holds an initialised team; nothing was changed") !=
          std::string::npos);

    ServerProcess server(kServerBin, data, {}, database);
    server.start();
    CurlOptions login;
    login.method = "POST";
    login.headers = {"Content-Type: application/json"};
    login.body = Json{{"email", "boss@team.example"}, {"password", password}}.dump();
    const auto signed_in = curl_request(server.url("/api/v1/auth/login"), login);
    INFO(signed_in.body);
    REQUIRE(signed_in.status == 200);
    const Json user = body_json(signed_in).at("user");
    CHECK(user.at("role") == "admin");
    CHECK(user.at("name") == "Boss");

    login.body = Json{{"email", "other@team.example"}, {"password", password}}.dump();
    CHECK(curl_request(server.url("/api/v1/auth/login"), login).status == 401);
    login.body = Json{{"email", "boss@team.example"}, {"password", password + "x"}}.dump();
    CHECK(curl_request(server.url("/api/v1/auth/login"), login).status == 401);
}

TEST_CASE("a run on a folder without init refuses to start and says how to create it") {
    TempDir dir;
    const auto r = run_program(
        {kServerBin, "run", "--data", (dir / "empty").string(), "--listen", "127.0.0.1:0"}, {},
        std::chrono::seconds(10));
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("helpline-server init --data") != std::string::npos);
}

TEST_CASE("livez and readyz answer while the server runs") {
    Team team;
    const auto live = team.call("GET", "/livez");
    CHECK(live.status == 200);
    CHECK(live.body == "ok\n");
    const auto ready = team.call("GET", "/readyz");
    CHECK(ready.status == 200);
    CHECK(ready.body == "ready\n");
    CHECK(ready.header("content-type").rfind("text/plain", 0) == 0);
    // Method and path rules apply to health routes too.
    CHECK(team.call("POST", "/livez").status == 405);
    CHECK(team.call("GET", "/livez/").status == 200);
}

// [single] (here and below): /metrics is one server's counters, from loopback without a
// proxy; through HAProxy every request is proxied (an admin's) and lands on either server.
TEST_CASE("metrics from loopback are Prometheus text with the team's gauges and counters", "[single]") {
    Team team;
    const auto device = team.register_device();
    team.submit(device, ticket_body("The printer is on fire"));
    CHECK(team.call("POST", "/api/v1/auth/login", {},
                    Json{{"email", "nobody@team.example"}, {"password", "wrong-password"}})
              .status == 401);
    CurlEventStream events(team.server().url("/api/v1/events"), bearer(device.token));

    std::string text;
    // Anonymous, from 127.0.0.1: allowed without credentials.
    REQUIRE(wait_for([&] {
        const auto r = team.call("GET", "/metrics");
        text = r.body;
        return r.status == 200 && metric(text, "helpline_connected_devices") == 1;
    }));
    const auto r = team.call("GET", "/metrics");
    CHECK(r.header("content-type").rfind("text/plain; version=0.0.4", 0) == 0);
    CHECK(text.find("# TYPE helpline_open_tickets gauge") != std::string::npos);
    CHECK(text.find("# TYPE helpline_http_requests_total counter") != std::string::npos);
    CHECK(text.find("helpline_http_requests_total{code=\"201\"} 2") != std::string::npos);
    CHECK(text.find("helpline_http_requests_total{code=\"401\"} 1") != std::string::npos);
    CHECK(metric(text, "helpline_open_tickets") == 1);
    CHECK(metric(text, "helpline_tickets_submitted_total") == 1);
    CHECK(metric(text, "helpline_logins_failed_total") == 1);
    CHECK(metric(text, "helpline_connection_requests_total") == 0);
    CHECK(metric(text, "helpline_pending_connection_requests") == 0);
    CHECK(metric(text, "helpline_console_streams") == 0);

    // An operator's Connect waits for the customer: a pending request, until answered.
    const auto number = team.admin_queue().at(0).at("number").get<std::int64_t>();
    const auto connect = team.call("POST", "/api/v1/tickets/" + std::to_string(number) + "/connect",
                                   team.admin_token());
    REQUIRE(connect.status == 201);
    text = team.call("GET", "/metrics").body;
    CHECK(metric(text, "helpline_pending_connection_requests") == 1);
    CHECK(metric(text, "helpline_connection_requests_total") == 1);
    const std::string id = body_json(connect).at("request_id").get<std::string>();
    REQUIRE(team.call("POST", "/api/v1/connection-requests/" + id + "/decline", device.token).status ==
            204);
    text = team.call("GET", "/metrics").body;
    CHECK(metric(text, "helpline_pending_connection_requests") == 0);
    CHECK(metric(text, "helpline_connection_requests_total") == 1);
    events.stop();
}

// On PostgreSQL another server's write transaction holds the same lock as a matter of
// course, so readiness there is the database answering, not the lock being free.
TEST_CASE("readyz is 503 while the database cannot take a write, and 200 again after", "[sqlite]") {
    Team team;
    REQUIRE(team.call("GET", "/readyz").status == 200);
    // Another process holding the write lock (a long migration, a backup tool in the wrong
    // mode): the server could not store a submission now.
    DatabaseWriteLock lock(team.server());
    const auto started = std::chrono::steady_clock::now();
    const auto busy = team.call("GET", "/readyz");
    CHECK(busy.status == 503);
    CHECK(busy.body == "database unavailable\n");
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
    CHECK(team.call("GET", "/livez").status == 200);  // the process still serves
    lock.release();
    CHECK(team.call("GET", "/readyz").status == 200);
}

}  // namespace helpline::test::e2e

namespace helpline::test::e2e {

TEST_CASE("metrics through a proxy on the same host are refused without an admin", "[single]") {
    Team team;
    // A TLS proxy in front of a loopback listener connects from 127.0.0.1 too: what tells
    // its requests from a local scraper's is the header it adds.
    const auto proxied = team.call("GET", "/metrics", {}, {}, {"X-Forwarded-For: 203.0.113.9"});
    CHECK(proxied.status == 401);
    CHECK(proxied.body.find("helpline_open_tickets") == std::string::npos);
    CHECK(team.call("GET", "/metrics", {}, {}, {"Forwarded: for=203.0.113.9;proto=https"}).status ==
          401);
    const auto admin =
        team.call("GET", "/metrics", team.admin_token(), {}, {"X-Forwarded-For: 203.0.113.9"});
    CHECK(admin.status == 200);
    CHECK(admin.body.find("helpline_open_tickets") != std::string::npos);
    CHECK(team.call("GET", "/metrics").status == 200);  // a local scraper, no proxy
}

}  // namespace helpline::test::e2e

namespace helpline::test::e2e {

TEST_CASE("metrics count the answers the HTTP layer gives by itself", "[single]") {
    Team team;
    // A path that cannot be normalised, a body over its limit, a header over 8 KiB: the
    // HTTP front answers these without a handler.
    {
        RawSocket socket("127.0.0.1", team.server().port());
        REQUIRE(socket.send("GET /api/v1/a%2Fb HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        socket.receive_until([](const std::string& s) { return s.find("\r\n\r\n") != std::string::npos; },
                             std::chrono::seconds(5));
        CHECK(socket.received().rfind("HTTP/1.1 400 ", 0) == 0);
    }
    const auto device = team.register_device();
    CHECK(team.call("POST", "/api/v1/tickets", device.token,
                    ticket_body(std::string(70 * 1024, 'x')), {"Idempotency-Key: " + new_uuid()})
              .status == 413);
    CHECK(team.call("GET", "/livez", {}, {}, {"X-Padding: " + std::string(9 * 1024, 'p')}).status ==
          431);

    std::string text;
    CHECK(wait_for([&] {
        text = team.call("GET", "/metrics").body;
        return text.find("helpline_http_requests_total{code=\"431\"} 1") != std::string::npos;
    }));
    CHECK(text.find("helpline_http_requests_total{code=\"400\"} 1") != std::string::npos);
    CHECK(text.find("helpline_http_requests_total{code=\"413\"} 1") != std::string::npos);
    CHECK(text.find("helpline_http_requests_total{code=\"431\"} 1") != std::string::npos);
}

TEST_CASE("run refuses a ticket TTL or limit out of range with exit code 2 and says why") {
    TempDir dir;
    ServerProcess server(kServerBin, dir / "data");  // makes the team; never started
    for (const std::string ttl : {"0", "-5", "1d", "999999999999"}) {
        const auto r = server.admin({"run", "--listen", "127.0.0.1:0", "--ticket-ttl", ttl}, {},
                                    std::chrono::seconds(10));
        INFO(ttl << ": " << r.err);
        CHECK(r.exit_code == 2);
        CHECK(r.err.find("--ticket-ttl") != std::string::npos);
        CHECK(r.err.find("is not a whole number from 1 to 315360000") != std::string::npos);
        CHECK(r.out.find("listening") == std::string::npos);
    }
    const auto limit = server.admin({"run", "--listen", "127.0.0.1:0", "--login-limit", "0"}, {},
                                    std::chrono::seconds(10));
    CHECK(limit.exit_code == 2);
    CHECK(limit.err.find("--login-limit") != std::string::npos);
}

}  // namespace helpline::test::e2e
