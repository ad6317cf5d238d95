// Crashes at every step (issue 19, faults injected): the server is killed with SIGKILL at
// seeded random moments while a client submits tickets, asks to connect to them, and
// creates and deletes groups — 200 times. After each kill the database, read as the next
// start reads it, is whole (PRAGMA integrity_check, foreign keys), holds every change that
// was acknowledged, and nothing half-done: every ticket has the audit entry written in its
// transaction, history's counters equal the tickets they count, an acknowledged group
// deletion left no ticket in the group. At the end every submission key tried is exactly
// one ticket.
//
// HELPLINE_KILL_ITERATIONS and HELPLINE_FAULT_SEED change the count and the seed (the seed
// is printed on failure, so that a failing run can be repeated).

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "tests/server/e2e/e2e_fixture.h"
#include "tests/support/sqlite_snapshot.h"

namespace helpline::test::e2e {
namespace {

int env_int(const char* name, int fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? std::atoi(value) : fallback;
}

/// What the client did, and what the server acknowledged before it was killed.
struct Ledger {
    std::mutex mutex;
    std::vector<std::pair<std::string, std::string>> keys;  ///< every submission tried: key, body
    std::set<std::int64_t> tickets;                         ///< acknowledged submissions
    std::set<std::string> requests;                         ///< acknowledged connection requests
    std::set<std::string> deleted_groups;                   ///< acknowledged group deletions
};

CurlOptions json_call(const std::string& method, const std::string& token, const std::optional<Json>& body,
                      std::vector<std::string> headers = {}) {
    CurlOptions o;
    o.method = method;
    o.timeout = std::chrono::seconds(3);
    o.headers = std::move(headers);
    o.headers.push_back("Authorization: Bearer " + token);
    if (body) {
        o.headers.push_back("Content-Type: application/json");
        o.body = body->dump();
    }
    return o;
}

/// The client's steps until the server goes away (at most 50): submit, connect to the
/// ticket, and one step in three make a group, submit into it and delete it. Whether the
/// server went away before the client was done.
bool client_steps(const ServerProcess& server, const std::string& device, const std::string& admin, Ledger& ledger,
                  int iteration, std::mt19937& rng) {
    CurlClient curl;
    const auto ok = [](const CurlResponse& r) { return r.code == CURLE_OK && r.status >= 200 && r.status < 300; };
    for (int step = 0; step < 50; ++step) {
        std::string group = "helpdesk";
        if (rng() % 3 == 0) {
            group = "g" + std::to_string(iteration) + "-" + std::to_string(step);
            if (!ok(curl.request(server.url("/api/v1/groups"), json_call("POST", admin, Json{{"id", group}, {"name", group}}))))
                return true;
        }
        const std::string key = new_uuid(), body = ticket_body("Kill " + std::to_string(iteration), group).dump();
        {
            std::lock_guard lock(ledger.mutex);  // recorded before it is sent, like the outbox
            ledger.keys.emplace_back(key, body);
        }
        CurlOptions submit = json_call("POST", device, std::nullopt, {"Content-Type: application/json", "Idempotency-Key: " + key});
        submit.body = body;
        const auto submitted = curl.request(server.url("/api/v1/tickets"), submit);
        if (!ok(submitted)) return true;
        const auto number = body_json(submitted).at("number").get<std::int64_t>();
        {
            std::lock_guard lock(ledger.mutex);
            ledger.tickets.insert(number);
        }
        const auto connect = curl.request(server.url("/api/v1/tickets/" + std::to_string(number) + "/connect"),
                                          json_call("POST", admin, std::nullopt));
        if (!ok(connect)) return true;
        {
            std::lock_guard lock(ledger.mutex);
            ledger.requests.insert(body_json(connect).at("request_id").get<std::string>());
        }
        if (group != "helpdesk") {
            if (!ok(curl.request(server.url("/api/v1/groups/" + group), json_call("DELETE", admin, std::nullopt)))) return true;
            std::lock_guard lock(ledger.mutex);
            ledger.deleted_groups.insert(group);
        }
    }
    return false;
}

/// What the database must hold after any kill.
void check_database(const std::string& path, Ledger& ledger) {
    SqliteFile db(path);  // opening recovers the WAL, as the next start does
    REQUIRE(db.value("PRAGMA integrity_check") == "ok");
    REQUIRE(db.column("PRAGMA foreign_key_check").empty());
    // Every ticket has the audit entry of its creation (one transaction).
    REQUIRE(db.value("SELECT COUNT(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM audit_log a "
                     "WHERE a.ticket_number = t.number AND a.action = 'ticket-created')") == "0");
    // History's counters equal what they count.
    REQUIRE(db.column("SELECT coalesce(group_id, '') || ' ' || status || ' ' || COUNT(*) FROM tickets "
                      "WHERE status <> 'open' GROUP BY coalesce(group_id, ''), status ORDER BY 1") ==
            db.column("SELECT group_id || ' ' || status || ' ' || n FROM history_counts WHERE n > 0 ORDER BY 1"));
    std::lock_guard lock(ledger.mutex);
    std::set<std::int64_t> tickets;
    for (const auto& n : db.column("SELECT number FROM tickets")) tickets.insert(std::stoll(n));
    for (const auto n : ledger.tickets) REQUIRE(tickets.count(n) == 1);
    std::set<std::string> requests;
    for (const auto& id : db.column("SELECT id FROM connection_requests")) requests.insert(id);
    for (const auto& id : ledger.requests) REQUIRE(requests.count(id) == 1);
    for (const auto& g : ledger.deleted_groups) {
        REQUIRE(db.value("SELECT COUNT(*) FROM team_groups WHERE id = '" + g + "'") == "0");
        REQUIRE(db.value("SELECT COUNT(*) FROM tickets WHERE group_id = '" + g + "'") == "0");
    }
}

}  // namespace

TEST_CASE("killed at random points 200 times, the server's database stays whole and keeps every acknowledged change",
          "[sqlite][single]") {
    const int iterations = env_int("HELPLINE_KILL_ITERATIONS", 200);
    const auto seed = static_cast<std::uint32_t>(env_int("HELPLINE_FAULT_SEED", 19));
    INFO("seed " << seed << " (HELPLINE_FAULT_SEED), " << iterations << " iterations");
    std::mt19937 rng(seed);

    Team team;
    ServerProcess& server = team.server();
    const auto device = team.register_device();
    const std::string database = (server.data() / "helpline.db").string();
    Ledger ledger;
    int cut_off = 0;  // iterations where the kill came before the client was done
    for (int i = 0; i < iterations; ++i) {
        INFO("iteration " << i);
        std::mt19937 client_rng(rng());
        const auto delay = std::chrono::microseconds(rng() % 150'000);
        bool was_cut_off = false;
        std::thread client([&] { was_cut_off = client_steps(server, device.token, team.admin_token(), ledger, i, client_rng); });
        std::this_thread::sleep_for(delay);  // the fault's random moment, not a wait for something
        server.kill9();
        client.join();
        check_database(database, ledger);
        if (was_cut_off) ++cut_off;
        server.start();
    }
    CHECK(cut_off == iterations);
    CHECK(ledger.tickets.size() > static_cast<std::size_t>(iterations) / 2);  // the kills came amid the work

    // Every key tried, sent again, is exactly one ticket; acknowledged ones keep their number.
    CurlClient curl;
    std::set<std::int64_t> numbers;
    for (const auto& [key, body] : ledger.keys) {
        CurlOptions o = json_call("POST", device.token, std::nullopt, {"Content-Type: application/json", "Idempotency-Key: " + key});
        o.body = body;
        auto r = curl.request(server.url("/api/v1/tickets"), o);
        // A group deleted meanwhile: a key never stored can no longer create its ticket.
        if (r.status == 400) continue;
        INFO(r.status << " " << r.body);
        REQUIRE((r.status == 200 || r.status == 201));
        numbers.insert(body_json(r).at("number").get<std::int64_t>());
    }
    for (const auto n : ledger.tickets) CHECK(numbers.count(n) == 1);
    REQUIRE(server.terminate() == 0);
    SqliteFile db(database);
    CHECK(db.value("SELECT COUNT(*) FROM tickets") == std::to_string(numbers.size()));
    // The figures docs/security.md publishes.
    std::cout << iterations << " kills (seed " << seed << "): " << ledger.keys.size() << " submissions tried, "
              << ledger.tickets.size() << " acknowledged, " << ledger.requests.size() << " connection requests and "
              << ledger.deleted_groups.size() << " group deletions acknowledged; none lost, none duplicated\n";
}

}  // namespace helpline::test::e2e
