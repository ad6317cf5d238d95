// Crash safety: a server killed with SIGKILL in the middle of a stream of submissions
// loses no acknowledged ticket, and clients retrying every key they tried (as the client's
// outbox does) create each ticket exactly once.

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <set>
#include <thread>

#include "tests/server/e2e/e2e_fixture.h"

namespace helpline::test::e2e {
namespace {

constexpr int kMaxAttempts = 400;    // bounds the client's loop
constexpr int kKillAfterAcked = 25;  // the kill comes once this many were acknowledged

struct Attempt {
    std::string key;
    std::string body;
    std::int64_t acknowledged_number = 0;  ///< 0: no answer came before the kill
};

CurlOptions submission(const Attempt& a, const std::string& token) {
    CurlOptions options;
    options.method = "POST";
    options.body = a.body;
    options.timeout = std::chrono::seconds(3);
    options.headers = {"Content-Type: application/json", "Idempotency-Key: " + a.key,
                       "Authorization: Bearer " + token};
    return options;
}

}  // namespace

TEST_CASE("tickets acknowledged before a kill -9 survive it and retried keys never duplicate") {
    Team team;
    const auto device = team.register_device();
    const std::string url = team.server().url("/api/v1/tickets");

    std::mutex mutex;
    std::vector<Attempt> attempts;
    std::atomic<int> acknowledged{0};
    std::atomic<bool> cut_off{false};  // the client saw the server go away
    std::thread client([&] {
        CurlClient curl;
        for (int i = 0; i < kMaxAttempts && !cut_off; ++i) {
            Attempt a{new_uuid(), ticket_body("Crash test " + std::to_string(i)).dump(), 0};
            {
                std::lock_guard lock(mutex);  // recorded before it is sent, like the outbox
                attempts.push_back(a);
            }
            const auto r = curl.request(url, submission(a, device.token));
            if (r.code != CURLE_OK || (r.status != 201 && r.status != 200)) {
                cut_off = true;
                break;
            }
            std::lock_guard lock(mutex);
            attempts.back().acknowledged_number = body_json(r).at("number").get<std::int64_t>();
            ++acknowledged;
        }
    });
    const bool enough =
        wait_for([&] { return acknowledged >= kKillAfterAcked; }, std::chrono::seconds(30));
    team.server().kill9();
    client.join();
    REQUIRE(enough);
    // The client was cut off mid-stream, not done with its list.
    REQUIRE(cut_off);
    INFO(attempts.size() << " keys tried, " << acknowledged << " acknowledged before the kill");

    team.server().start();  // same data, same port, same arguments

    // Every key tried is retried until answered; an acknowledged one must get its ticket back.
    CurlClient curl;
    std::set<std::int64_t> numbers;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (const Attempt& a : attempts) {
        CurlResponse r;
        for (int tries = 0; tries < 20 && std::chrono::steady_clock::now() < deadline; ++tries) {
            r = curl.request(url, submission(a, device.token));
            if (r.status == 200 || r.status == 201) break;
        }
        INFO("key " << a.key << ": " << r.status << " " << r.body);
        REQUIRE((r.status == 200 || r.status == 201));
        const auto number = body_json(r).at("number").get<std::int64_t>();
        if (a.acknowledged_number != 0) {
            CHECK(r.status == 200);  // stored before the kill: never created twice
            CHECK(number == a.acknowledged_number);
        }
        numbers.insert(number);
    }
    // Each key is exactly one ticket, and there is no other ticket.
    CHECK(numbers.size() == attempts.size());
    const Json queue = team.admin_queue();
    CHECK(queue.size() == attempts.size());
    std::set<std::int64_t> queued;
    for (const auto& t : queue) queued.insert(t.at("number").get<std::int64_t>());
    CHECK(queued == numbers);
}

}  // namespace helpline::test::e2e
