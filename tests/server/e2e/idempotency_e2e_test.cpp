// Idempotent submission over the wire: one Idempotency-Key is one ticket, however many
// times and however concurrently it is sent.

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "tests/server/e2e/e2e_fixture.h"

namespace helpline::test::e2e {

TEST_CASE("fifty concurrent submissions with one Idempotency-Key create exactly one ticket") {
    constexpr int kClients = 50;
    Team team;
    const auto device = team.register_device();
    const std::string key = new_uuid();
    const std::string body = ticket_body("The VPN drops every hour", "billing").dump();
    const std::string url = team.server().url("/api/v1/tickets");

    std::vector<long> statuses(kClients, 0);
    std::vector<Json> answers(kClients);
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.emplace_back([&, i] {
            CurlClient client;  // each thread its own handle and connection
            CurlOptions options;
            options.method = "POST";
            options.body = body;
            options.headers = {"Content-Type: application/json", "Idempotency-Key: " + key,
                               "Authorization: Bearer " + device.token};
            ++ready;
            // All start together, so the submissions really overlap.
            if (!wait_for([&] { return go.load(); }, std::chrono::seconds(20),
                          std::chrono::milliseconds(1)))
                return;
            const auto r = client.request(url, options);
            statuses[static_cast<std::size_t>(i)] = r.status;
            answers[static_cast<std::size_t>(i)] = body_json(r);
        });
    }
    const bool all_ready =
        wait_for([&] { return ready.load() == kClients; }, std::chrono::seconds(20));
    go = true;
    for (auto& t : clients) t.join();
    REQUIRE(all_ready);

    CHECK(std::count(statuses.begin(), statuses.end(), 201L) == 1);
    CHECK(std::count(statuses.begin(), statuses.end(), 200L) == kClients - 1);
    for (const Json& a : answers) {
        INFO(a.dump());
        REQUIRE(a.is_object());
        CHECK(a.at("number") == answers.front().at("number"));
        CHECK(a.at("created_at") == answers.front().at("created_at"));
        CHECK(a.at("status") == "open");
    }
    const Json queue = team.admin_queue();
    REQUIRE(queue.size() == 1);
    CHECK(queue[0].at("number") == answers.front().at("number"));
    CHECK(queue[0].at("group").at("id") == "billing");

    // The same key with another body is refused and creates nothing.
    CurlOptions other;
    other.method = "POST";
    other.body = ticket_body("Something else entirely", "billing").dump();
    other.headers = {"Content-Type: application/json", "Idempotency-Key: " + key,
                     "Authorization: Bearer " + device.token};
    const auto reused = curl_request(url, other);
    CHECK(reused.status == 422);
    CHECK(body_json(reused).value("type", "") == "urn:helpline:problem:idempotency-key-reused");
    CHECK(team.admin_queue().size() == 1);

    // The same body written in another field order and spacing is the same request.
    other.body = R"({ "group_id": "billing", "description": "The VPN drops every hour",
                      "email": "ana@acme.example" })";
    const auto again = curl_request(url, other);
    CHECK(again.status == 200);
    CHECK(body_json(again).value("number", 0) == answers.front().at("number"));
    CHECK(body_json(team.call("GET", "/api/v1/devices/me/tickets", device.token))
              .at("tickets")
              .size() == 1);

    // Keys belong to a device: another device's same key and body is its own ticket.
    const auto stranger = team.register_device();
    other.headers = {"Content-Type: application/json", "Idempotency-Key: " + key,
                     "Authorization: Bearer " + stranger.token};
    other.body = body;
    const auto theirs = curl_request(url, other);
    CHECK(theirs.status == 201);
    CHECK(body_json(theirs).value("number", 0) != answers.front().at("number"));
    CHECK(team.admin_queue().size() == 2);
}

}  // namespace helpline::test::e2e
