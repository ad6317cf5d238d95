// The store's reader connections (server/store/reader_pool.h): lookups do not wait for
// the writer, and they see every commit the moment it is made.
#include <catch2/catch.hpp>
#include <chrono>
#include <future>

#include "server/store/sqlite_db.h"
#include "tests/server/store/store_fixture.h"

using namespace helpline;
using namespace helpline::server;
using helpline::test::StoreFixture;

namespace {

NewTicket new_ticket() {
    NewTicket t;
    t.device_id = "dev1";
    t.email = "ana@example.com";
    t.description = "The printer is on fire";
    t.created_at = 1000;
    return t;
}

}  // namespace

TEST_CASE("lookups are answered while a submission waits for the write lock", "[sqlite]") {
    StoreFixture f;
    f.add_device("dev1");
    const auto first = f.submit(new_ticket(), "first");

    // Another connection holds the write lock; the store's next submission waits for it,
    // holding the store's writer. Before the readers, every lookup waited behind it.
    auto other = SqliteDb::open(f.path);
    other->exec("BEGIN IMMEDIATE");
    auto submission = std::async(std::launch::async, [&] {
        return f.store->submit_ticket(new_ticket(), "second", "hash-second");
    });
    REQUIRE(submission.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout);

    const auto started = std::chrono::steady_clock::now();
    const auto ticket = f.store->ticket(first.number);
    const auto device = f.store->device_by_token_hash("token-of-dev1");
    const auto open = f.store->open_tickets();
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(1));
    REQUIRE(ticket);
    CHECK(ticket->description == "The printer is on fire");
    REQUIRE(device);
    CHECK(device->id == "dev1");
    CHECK(open.size() == 1);

    other->exec("ROLLBACK");
    const auto second = submission.get();
    REQUIRE(second);
    CHECK(second->created);
    // A lookup right after the commit sees it.
    CHECK(f.store->ticket(second->ticket.number).has_value());
    CHECK(f.store->open_tickets().size() == 2);
}

TEST_CASE("a reader never writes", "[sqlite]") {
    StoreFixture f;
    auto reader = SqliteDb::open_reader(f.path);
    CHECK(reader->query_int64("SELECT COUNT(*) FROM tickets") == 0);
    CHECK_THROWS_AS(reader->exec("DELETE FROM tickets"), DbException);
}
