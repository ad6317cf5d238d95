// Two helpline-server processes on one PostgreSQL database (issue 16): what one server
// does reaches the event streams the other holds, presence is shared, and the jobs run on
// one of them and move to the survivor when it dies. Only in the PostgreSQL pass
// ([postgres]); HAProxy in front of them is tests/deploy's and the suite's cluster pass.

#include <catch2/catch.hpp>
#include <chrono>

#include <algorithm>
#include <atomic>
#include <iterator>
#include <set>
#include <thread>

#include "tests/server/e2e/e2e_fixture.h"
#include "tests/support/haproxy_front.h"
#include "tests/support/pg_test_database.h"

namespace helpline::test::e2e {
namespace {

using namespace std::chrono_literals;

/// A second server on the team's database (its own data folder and port).
struct SecondServer {
    TempDir dir;
    ServerProcess server;
    explicit SecondServer(const Team& team, std::vector<std::string> run_args = unlimited_args())
        : server(kServerBin, dir / "data", {}, team.server().database()) {
        server.start(std::move(run_args));
    }

    CurlResponse call(const std::string& method, const std::string& path, const std::string& token,
                      const std::optional<Json>& body = {}) const {
        CurlOptions options;
        options.method = method;
        options.headers = {"Authorization: Bearer " + token};
        if (body) {
            options.body = body->dump();
            options.headers.push_back("Content-Type: application/json");
        }
        return curl_request(server.url(path), options);
    }
};

bool has_event(const CurlEventStream& stream, const std::string& event, const std::string& needle) {
    for (const SseFrame& f : sse_frames(stream.text()))
        if (f.event == event && f.data.dump().find(needle) != std::string::npos) return true;
    return false;
}

bool streaming(const CurlEventStream& stream) {
    return wait_for([&] { return stream.header("content-type") == "text/event-stream"; }, 5s);
}

}  // namespace

TEST_CASE("a device streaming from server 1 gets the request an operator made through server 2 within 1 s",
          "[postgres]") {
    Team team;
    SecondServer two(team);
    const auto device = team.register_device();
    const auto number = team.submit(device, ticket_body("Please look at my screen"));
    CurlEventStream stream(team.server().url("/api/v1/events"), bearer(device.token));
    REQUIRE(streaming(stream));

    // Server 2 knows the device is online, although its stream is held by server 1.
    REQUIRE(wait_for([&] {
        return body_json(two.call("GET", "/api/v1/tickets/" + std::to_string(number), team.admin_token()))
                   .value("device_online", false);
    }, 5s));
    const auto r = two.call("POST", "/api/v1/tickets/" + std::to_string(number) + "/connect", team.admin_token());
    INFO(r.body);
    REQUIRE(r.status == 201);
    CHECK(body_json(r).at("device_online") == true);
    const std::string id = body_json(r).at("request_id").get<std::string>();
    const auto sent = std::chrono::steady_clock::now();
    REQUIRE(wait_for([&] { return has_event(stream, "connection-request", id); }, 5s));
    CHECK(std::chrono::steady_clock::now() - sent < 1s);
}

TEST_CASE("a console on server 2 sees a ticket submitted through server 1 within 1 s", "[postgres]") {
    Team team;
    SecondServer two(team);
    CurlEventStream console(two.server.url("/api/v1/console/events"), bearer(team.admin_token()));
    REQUIRE(streaming(console));
    const auto device = team.register_device();
    const auto submitted = std::chrono::steady_clock::now();
    const auto number = team.submit(device, ticket_body("The printer is on fire"));
    REQUIRE(wait_for([&] { return has_event(console, "ticket-changed", "\"number\":" + std::to_string(number)); },
                     5s));
    CHECK(std::chrono::steady_clock::now() - submitted < 1s);
    // Closed through server 1: server 2's console hears that too.
    REQUIRE(team.call("POST", "/api/v1/tickets/" + std::to_string(number) + "/close", team.admin_token()).status ==
            200);
    CHECK(wait_for([&] { return has_event(console, "ticket-changed", "\"status\":\"closed\""); }, 5s));
}

TEST_CASE("a device's stream ending on server 1 shows it offline on server 2", "[postgres]") {
    Team team;
    SecondServer two(team);
    const auto device = team.register_device();
    const auto number = team.submit(device, ticket_body("Offline soon"));
    const auto online = [&] {
        return body_json(two.call("GET", "/api/v1/tickets/" + std::to_string(number), team.admin_token()))
            .value("device_online", false);
    };
    {
        CurlEventStream stream(team.server().url("/api/v1/events"), bearer(device.token));
        REQUIRE(streaming(stream));
        REQUIRE(wait_for(online, 5s));
    }
    CHECK(wait_for([&] { return !online(); }, 5s));
}

TEST_CASE("the jobs move to the surviving server when the one running them dies", "[postgres]") {
    // Tickets expire 3 s after they are made; both servers sweep every 100 ms.
    auto args = unlimited_args();
    args.insert(args.end(), {"--ticket-ttl", "3", "--sweep-interval-ms", "100"});
    Team team(args);
    SecondServer two(team, args);
    const auto device = team.register_device();
    // Server 1 started first: it holds the jobs' lock. It dies without letting go.
    team.server().kill9();
    CurlOptions submit;
    submit.method = "POST";
    submit.headers = {"Authorization: Bearer " + device.token, "Content-Type: application/json",
                      "Idempotency-Key: " + new_uuid()};
    submit.body = ticket_body("Expire me").dump();
    const auto r = curl_request(two.server.url("/api/v1/tickets"), submit);
    INFO(r.body);
    REQUIRE(r.status == 201);
    const auto n = body_json(r).at("number").get<std::int64_t>();
    // PostgreSQL ends the dead server's session (its lock with it) once the connection
    // is found closed; server 2 then takes the jobs and expires the ticket.
    CHECK(wait_for([&] {
        return body_json(two.call("GET", "/api/v1/tickets/" + std::to_string(n), team.admin_token()))
                   .value("status", "") == "expired";
    }, 20s));
}

TEST_CASE("sign-in attempts on an account are limited team-wide, whichever server they reach", "[postgres]") {
    const std::vector<std::string> args = {"--login-limit", "3", "--register-limit", "1000000"};
    Team team(args);
    SecondServer two(team, args);
    const auto attempt = [&](const ServerProcess& server) {
        CurlOptions o;
        o.method = "POST";
        o.headers = {"Content-Type: application/json"};
        o.body = Json{{"email", "nobody@team.example"}, {"password", "wrong password"}}.dump();
        return curl_request(server.url("/api/v1/auth/login"), o).status;
    };
    // Two on each server: per address each server counts only 2, but the account's count,
    // kept in the database, passes the limit of 3 at the fourth attempt.
    CHECK(attempt(team.server()) == 401);
    CHECK(attempt(two.server) == 401);
    CHECK(attempt(team.server()) == 401);
    CHECK(attempt(two.server) == 429);
}

TEST_CASE("PostgreSQL restarted under load: /readyz says 503 while it is down, and nothing acknowledged is lost",
          "[postgres]") {
    // A cluster of its own: restarting the shared one would disturb the other tests.
    const auto cluster = PostgresCluster::make_private();
    const std::string url = cluster->fresh_database_url();
    TempDir dir;
    ServerProcess server(kServerBin, dir / "data", {"helpdesk"}, url);
    server.start(unlimited_args());
    CurlOptions reg;
    reg.method = "POST";
    reg.headers = {"Content-Type: application/json"};
    reg.body = Json{{"profile_id", kDemoProfile}, {"hostname", "pc-1"}}.dump();
    const auto registered = body_json(curl_request(server.url("/api/v1/devices"), reg));
    const std::string token = registered.at("device_token").get<std::string>();
    const auto ready = [&] { return curl_request(server.url("/readyz")).status; };
    REQUIRE(ready() == 200);

    // A client's submissions, each retried with its key until acknowledged. Bounded by a
    // deadline far past what the steps below take even on a loaded machine; a submission it
    // gave up on is counted and reported rather than silently missing.
    std::atomic<bool> done{false};
    std::atomic<int> refused_while_down{0};
    std::atomic<int> submitted{0};
    std::atomic<int> gave_up{0};
    std::set<std::int64_t> acknowledged;
    std::thread client([&] {
        const auto deadline = std::chrono::steady_clock::now() + 200s;
        while (!done && std::chrono::steady_clock::now() < deadline && submitted < 20000) {
            CurlOptions o;
            o.method = "POST";
            o.timeout = 10s;
            o.headers = {"Authorization: Bearer " + token, "Content-Type: application/json",
                         "Idempotency-Key: " + new_uuid()};
            o.body = ticket_body("Under load " + std::to_string(submitted.load())).dump();
            ++submitted;
            bool stored = false;
            while (!stored && std::chrono::steady_clock::now() < deadline) {
                const auto r = curl_request(server.url("/api/v1/tickets"), o);
                if (r.status == 201 || r.status == 200) {
                    acknowledged.insert(body_json(r).at("number").get<std::int64_t>());
                    stored = true;
                } else {
                    if (r.status == 503) ++refused_while_down;
                    std::this_thread::sleep_for(100ms);  // the client's own retry pause
                }
            }
            if (!stored) ++gave_up;
        }
    });
    const auto started = std::chrono::steady_clock::now();
    const auto seconds = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };
    REQUIRE(wait_for([&] { return submitted > 20; }, 20s));
    cluster->stop();
    INFO("stopped at " << seconds() << " s");
    CHECK(wait_for([&] { return ready() == 503; }, 10s));
    CHECK(wait_for([&] { return refused_while_down > 0; }, 10s));
    cluster->start();
    INFO("started again at " << seconds() << " s");
    CHECK(wait_for([&] { return ready() == 200; }, 30s));
    const int before = submitted;
    CHECK(wait_for([&] { return submitted > before + 20; }, 30s));  // it carries on by itself
    done = true;
    client.join();
    INFO("ended at " << seconds() << " s after " << submitted << " submissions, " << refused_while_down
                     << " refusals while down");
    // Every submission was acknowledged once, and every acknowledged ticket is there, once.
    CHECK(gave_up == 0);
    CHECK(static_cast<int>(acknowledged.size()) == submitted - gave_up);
    const auto rows = query_rows(url, "SELECT number FROM tickets ORDER BY number");
    std::set<std::int64_t> stored;
    for (const auto& row : rows) stored.insert(std::stoll(row.at(0)));
    CHECK(rows.size() == stored.size());
    std::vector<std::int64_t> lost;
    std::set_difference(acknowledged.begin(), acknowledged.end(), stored.begin(), stored.end(),
                        std::back_inserter(lost));
    std::vector<std::int64_t> unacknowledged;
    std::set_difference(stored.begin(), stored.end(), acknowledged.begin(), acknowledged.end(),
                        std::back_inserter(unacknowledged));
    INFO("acknowledged but not stored: " << Json(lost).dump() << "; stored but never acknowledged: "
                                         << Json(unacknowledged).dump());
    CHECK(lost.empty());
    CHECK(unacknowledged.size() == static_cast<std::size_t>(gave_up.load()));
}

TEST_CASE("kill -9 of a server behind HAProxy: every acknowledged ticket is there once, the device gets its "
          "pending request through the survivor, and the jobs move there",
          "[postgres]") {
    // Tickets expire 20 s after they are made, so that the jobs can be seen to run.
    auto args = unlimited_args();
    args.insert(args.end(), {"--ticket-ttl", "20", "--sweep-interval-ms", "200"});
    Team team(args);
    SecondServer two(team, args);
    HaproxyFront front({"127.0.0.1:" + std::to_string(team.server().port()),
                        "127.0.0.1:" + std::to_string(two.server.port())});
    const auto through = [&](const std::string& method, const std::string& path, const std::string& token,
                             const std::optional<Json>& body = {}, std::vector<std::string> headers = {}) {
        CurlOptions o;
        o.method = method;
        o.ca_pem = front.ca_pem();
        o.headers = std::move(headers);
        if (!token.empty()) o.headers.push_back("Authorization: Bearer " + token);
        if (body) {
            o.body = body->dump();
            o.headers.push_back("Content-Type: application/json");
        }
        return curl_request(front.url(path), o);
    };
    const auto registered = through("POST", "/api/v1/devices", {}, Json{{"profile_id", kDemoProfile}, {"hostname", "pc"}});
    REQUIRE(registered.status == 201);
    const std::string device = body_json(registered).at("device_token").get<std::string>();
    const auto first = through("POST", "/api/v1/tickets", device, ticket_body("Look at my screen"),
                               {"Idempotency-Key: " + new_uuid()});
    REQUIRE(first.status == 201);
    const auto ticket = body_json(first).at("number").get<std::int64_t>();
    const auto stream_options = [&](const std::string& last_id) {
        CurlOptions o = bearer(device);
        o.ca_pem = front.ca_pem();
        o.timeout = 120s;
        if (!last_id.empty()) o.headers.push_back("Last-Event-ID: " + last_id);
        return o;
    };
    auto stream = std::make_unique<CurlEventStream>(front.url("/api/v1/events"), stream_options({}));
    REQUIRE(streaming(*stream));

    // A client's submissions through HAProxy, each retried with its key until acknowledged.
    // It goes on until told to stop (bounded: 5,000 submissions, 90 s), so that the kill
    // falls in the middle of it however fast this machine is.
    std::atomic<int> submitted{0};
    std::atomic<int> acknowledged_count{0};
    std::atomic<bool> done{false};
    std::set<std::int64_t> acknowledged;
    std::thread client([&] {
        const auto deadline = std::chrono::steady_clock::now() + 90s;
        for (int i = 0; i < 5000 && !done && std::chrono::steady_clock::now() < deadline; ++i) {
            const std::string key = new_uuid();
            while (std::chrono::steady_clock::now() < deadline) {
                const auto r = through("POST", "/api/v1/tickets", device, ticket_body("Load " + std::to_string(i)),
                                       {"Idempotency-Key: " + key});
                if (r.status == 201 || r.status == 200) {
                    acknowledged.insert(body_json(r).at("number").get<std::int64_t>());
                    ++acknowledged_count;
                    break;
                }
                std::this_thread::sleep_for(50ms);
            }
            ++submitted;
        }
    });
    REQUIRE(wait_for([&] { return submitted > 30; }, 20s));
    // Server 1 started first: it runs the jobs. It dies without a word, mid-stream.
    team.server().kill9();
    REQUIRE(front.wait_servers_up({"s2"}, 15s));
    const int after_kill = acknowledged_count;
    CHECK(wait_for([&] { return acknowledged_count > after_kill + 30; }, 30s));  // it goes on through s2
    done = true;
    client.join();
    CHECK(static_cast<int>(acknowledged.size()) == submitted);
    const auto rows = query_rows(team.server().database(), "SELECT number FROM tickets WHERE number <> " +
                                                               std::to_string(ticket) + " ORDER BY number");
    std::set<std::int64_t> stored;
    for (const auto& row : rows) stored.insert(std::stoll(row.at(0)));
    CHECK(rows.size() == stored.size());  // none twice
    CHECK(stored == acknowledged);        // each acknowledged one there

    // The operator asks to connect through HAProxy (the survivor). The device's stream, if it
    // was on the dead server, is gone: the client comes back with its Last-Event-ID.
    const auto connect = through("POST", "/api/v1/tickets/" + std::to_string(ticket) + "/connect", team.admin_token());
    REQUIRE(connect.status == 201);
    const std::string request = body_json(connect).at("request_id").get<std::string>();
    if (stream->finished() || !wait_for([&] { return has_event(*stream, "connection-request", request); }, 3s)) {
        std::string last_id;
        for (const SseFrame& f : sse_frames(stream->text()))
            if (!f.id.empty()) last_id = f.id;
        stream = std::make_unique<CurlEventStream>(front.url("/api/v1/events"), stream_options(last_id));
        REQUIRE(streaming(*stream));
    }
    CHECK(wait_for([&] { return has_event(*stream, "connection-request", request); }, 5s));
    // The survivor took the jobs: the first ticket expires there.
    CHECK(wait_for([&] {
        return body_json(through("GET", "/api/v1/tickets/" + std::to_string(ticket), team.admin_token()))
                   .value("status", "") == "expired";
    }, 40s));
}

TEST_CASE("a PostgreSQL database init was never run on is refused, and nothing is created in it", "[postgres]") {
    const std::string url = fresh_postgres_url();
    TempDir dir;
    for (const std::vector<std::string>& command :
         {std::vector<std::string>{"user", "list"}, std::vector<std::string>{"run", "--listen", "127.0.0.1:0"}}) {
        std::vector<std::string> argv = {kServerBin, "--database", url, "--data", (dir / "data").string()};
        argv.insert(argv.end(), command.begin(), command.end());
        const auto r = run_program(argv, {}, 20s);
        INFO(command.at(0) << ": " << r.err);
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Catch::Contains("helpline-server init"));
    }
    CHECK(query_rows(url, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")
              .at(0)
              .at(0) == "0");
}

}  // namespace helpline::test::e2e
