// The PostgreSQL connection's own behaviour (server/store/pg_db.cpp): what happens to it
// when a statement fails inside BEGIN, the write lock's wait. Only in the PostgreSQL pass.

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "server/store/pg_db.h"
#include "server/store/sql_db.h"
#include "tests/support/fixtures.h"
#include "tests/support/pg_test_database.h"

namespace helpline::test {
namespace {

using namespace std::chrono_literals;
using server::DbException;
using server::PgDb;
using server::Transaction;

/// Writes one row in a transaction of its own; throws as the store would.
void insert_row(PgDb& db, int x) {
    Transaction tx(db);
    db.exec("INSERT INTO rows_written (x) VALUES (" + std::to_string(x) + ")");
    tx.commit();
}

std::string rows(const std::string& url) {
    const auto r = query_rows(url, "SELECT string_agg(x::text, ',' ORDER BY x) FROM rows_written");
    return r.empty() || r.at(0).empty() ? "" : r.at(0).at(0);
}

}  // namespace

TEST_CASE("a write transaction whose wait for the lock is cut by PostgreSQL leaves no transaction open, and the next "
          "one connects again",
          "[postgres]") {
    // What a PostgreSQL restart under load does: the server's connections that wait for the
    // write lock are terminated. The Transaction is never made, so its destructor cannot
    // end it; the connection must not stay marked as inside one.
    const auto url = fresh_postgres_url();
    run_sql(url, "CREATE TABLE rows_written (x integer)");
    auto holder = PgDb::open(url);
    auto db = PgDb::open(url);
    const auto pid = db->query_int64("SELECT pg_backend_pid()");
    insert_row(*db, 1);

    std::atomic<bool> refused{false};
    {
        Transaction held(*holder);  // another server's write
        std::thread waiter([&] {
            try {
                Transaction tx(*db);
            } catch (const DbException&) {
                refused = true;
            }
        });
        const auto waiting = [&] {
            return !query_rows(url, "SELECT 1 FROM pg_stat_activity WHERE pid = " + std::to_string(pid) +
                                        " AND wait_event_type = 'Lock'")
                        .empty();
        };
        const bool waited = wait_for(waiting, 10s);
        run_sql(url, "SELECT pg_terminate_backend(" + std::to_string(pid) + ")");
        waiter.join();
        REQUIRE(waited);
        CHECK(refused);
        CHECK(db->lost());
    }

    insert_row(*db, 2);  // on a new connection
    CHECK_FALSE(db->lost());
    CHECK(db->query_int64("SELECT pg_backend_pid()") != pid);
    CHECK(rows(url) == "1,2");
}

TEST_CASE("a write transaction whose lock wait times out is rolled back, and the connection goes on", "[postgres]") {
    const auto url = fresh_postgres_url();
    run_sql(url, "CREATE TABLE rows_written (x integer)");
    auto holder = PgDb::open(url);
    auto db = PgDb::open(url);
    db->exec("SET lock_timeout = '200ms'");
    const auto pid = db->query_int64("SELECT pg_backend_pid()");
    {
        Transaction held(*holder);
        REQUIRE_THROWS_WITH(insert_row(*db, 1), Catch::Contains("lock timeout"));
        CHECK_FALSE(db->lost());
        // Nothing of it is left open on the server: the connection is idle, not in a
        // (failed) transaction.
        CHECK(query_rows(url, "SELECT state FROM pg_stat_activity WHERE pid = " + std::to_string(pid)).at(0).at(0) ==
              "idle");
    }
    insert_row(*db, 2);
    CHECK(rows(url) == "2");
}

}  // namespace helpline::test
