// `helpline-server backup` while a real server takes tickets, and `restore` into its data
// folder once stopped (docs/operations.md, "Backup and restore").

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "tests/server/e2e/e2e_fixture.h"

namespace helpline::test::e2e {

// [sqlite]: a SQLite team's data folder; a PostgreSQL team is pg_dump's (refused, tested in
// tests/server/app/backup_test.cpp).
TEST_CASE(
    "a backup taken while tickets arrive holds every ticket acknowledged before it, and restores",
    "[sqlite]") {
    Team team;
    const auto device = team.register_device();
    const std::filesystem::path backup = team.dir() / "team.backup";

    // Customers keep submitting through the whole backup: numbers are recorded once the
    // server has answered 201.
    std::mutex mutex;
    std::vector<std::int64_t> acknowledged;
    std::atomic<bool> stop{false};
    std::atomic<int> failures{0};
    std::thread customers([&] {
        for (int i = 0; !stop; ++i) {
            const auto r = team.call("POST", "/api/v1/tickets", device.token,
                                     ticket_body("ticket " + std::to_string(i)),
                                     {"Idempotency-Key: " + new_uuid()});
            if (r.status != 201) {
                ++failures;
                continue;
            }
            std::lock_guard lock(mutex);
            acknowledged.push_back(body_json(r).at("number").get<std::int64_t>());
        }
    });
    const auto count = [&] {
        std::lock_guard lock(mutex);
        return acknowledged.size();
    };
    REQUIRE(wait_for([&] { return count() >= 20; }, std::chrono::seconds(20)));
    std::vector<std::int64_t> before;
    {
        std::lock_guard lock(mutex);
        before = acknowledged;
    }
    const auto made = team.server().admin({"backup", "--out", backup.string()});
    const std::size_t at_end = count();
    // Some more after the backup, which the restore must take away.
    REQUIRE(wait_for([&] { return count() >= at_end + 5; }, std::chrono::seconds(20)));
    stop = true;
    customers.join();
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    CHECK(made.out.find("Backed up") != std::string::npos);
    CHECK(failures == 0);
    const std::int64_t after_backup = acknowledged.back();

    // Not while the server runs: its data is left as it is.
    const auto refused = team.server().admin({"restore", "--from", backup.string()});
    CHECK(refused.exit_code == 1);
    CHECK(refused.err.find("a helpline-server is running on the data folder") != std::string::npos);
    CHECK(team.call("GET", "/api/v1/tickets/" + std::to_string(after_backup), team.admin_token())
              .status == 200);

    REQUIRE(team.server().terminate() == 0);
    const auto restored = team.server().admin({"restore", "--from", backup.string()});
    INFO(restored.out << restored.err);
    REQUIRE(restored.exit_code == 0);
    CHECK(restored.out.find("The data it replaced") != std::string::npos);

    team.server().start();
    const std::string token =
        team.login(team.server().admin_email(), team.server().admin_password());
    for (const std::int64_t number : before) {
        const auto r = team.call("GET", "/api/v1/tickets/" + std::to_string(number), token);
        INFO("ticket " << number);
        CHECK(r.status == 200);
        CHECK(body_json(r).at("number") == number);
    }
    // The last ticket, acknowledged after the backup finished, is not in it.
    CHECK(team.call("GET", "/api/v1/tickets/" + std::to_string(after_backup), token).status == 404);
    // The restored team takes new tickets.
    CHECK(team.submit(device, ticket_body("after the restore")) > 0);
}

}  // namespace helpline::test::e2e
