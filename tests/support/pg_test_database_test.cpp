// The test PostgreSQL (pg_test_database.h, pg_cluster.sh) against a real cluster: the
// shared one of the CTest fixture when HELPLINE_TEST_PG_DIR is set, private ones otherwise.

#include "tests/support/pg_test_database.h"

#include <libpq-fe.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>

#include "tests/support/fixtures.h"
#include "tests/support/server_process.h"

using namespace helpline::test;

namespace {

std::string value(const std::string& url, const std::string& sql) {
    const auto rows = query_rows(url, sql);
    REQUIRE(rows.size() == 1);
    REQUIRE(rows[0].size() == 1);
    return rows[0][0];
}

struct ConnectionCloser {
    void operator()(PGconn* c) const { PQfinish(c); }
};

/// A connection held open, as a store would hold one.
std::unique_ptr<PGconn, ConnectionCloser> hold_connection(const std::string& url) {
    std::unique_ptr<PGconn, ConnectionCloser> connection(PQconnectdb(url.c_str()));
    REQUIRE(PQstatus(connection.get()) == CONNECTION_OK);
    return connection;
}

bool connection_works(PGconn* connection) {
    PGresult* result = PQexec(connection, "SELECT 1");
    const bool ok = PQresultStatus(result) == PGRES_TUPLES_OK;
    PQclear(result);
    return ok;
}

/// What a child run of this executable reported: its private cluster's folder and
/// postmaster.
struct ChildCluster {
    std::string dir;
    int postmaster = -1;
};

/// Runs the hidden test case "a child process uses a private cluster" in a new process
/// without HELPLINE_TEST_PG_DIR; `kill_itself` makes it end by SIGKILL, skipping every
/// destructor.
ChildCluster run_child(bool kill_itself) {
    std::optional<std::string> saved_dir;
    if (const char* dir = std::getenv("HELPLINE_TEST_PG_DIR")) saved_dir = dir;
    ::unsetenv("HELPLINE_TEST_PG_DIR");
    if (kill_itself) ::setenv("HELPLINE_PG_CHILD_KILL", "1", 1);
    const auto child = run_program({"/proc/self/exe", "a child process uses a private cluster"}, {},
                                   std::chrono::seconds(90));
    ::unsetenv("HELPLINE_PG_CHILD_KILL");
    if (saved_dir) ::setenv("HELPLINE_TEST_PG_DIR", saved_dir->c_str(), 1);

    INFO("child's output:\n" << child.out << child.err);
    CHECK(child.exit_code == (kill_itself ? 128 + SIGKILL : 0));
    std::smatch match;
    const std::regex line("pg-child dir=(\\S+) postmaster=(\\d+)");
    REQUIRE(std::regex_search(child.out, match, line));
    return {match[1].str(), std::stoi(match[2].str())};
}

}  // namespace

TEST_CASE("two fresh databases are distinct and empty", "[postgres]") {
    const auto a = fresh_postgres_url();
    const auto b = fresh_postgres_url();
    CHECK(a != b);
    CHECK(value(a, "SELECT current_database()") != value(b, "SELECT current_database()"));
    for (const auto& url : {a, b}) {
        CHECK(value(url,
                    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public'") == "0");
        CHECK(value(url,
                    "SELECT pg_encoding_to_char(encoding) FROM pg_database "
                    "WHERE datname = current_database()") == "UTF8");
    }
}

TEST_CASE("a table made in one fresh database is absent from another", "[postgres]") {
    const auto a = fresh_postgres_url();
    const auto b = fresh_postgres_url();
    run_sql(a,
            "CREATE TABLE tickets (number integer PRIMARY KEY); INSERT INTO tickets VALUES (1001)");
    CHECK(value(a, "SELECT number FROM tickets") == "1001");
    CHECK(value(b, "SELECT to_regclass('tickets') IS NULL") == "t");
}

TEST_CASE("the cluster keeps the durability defaults", "[postgres]") {
    const auto url = fresh_postgres_url();
    CHECK(value(url, "SHOW fsync") == "on");
    CHECK(value(url, "SHOW synchronous_commit") == "on");
    CHECK(value(url, "SHOW full_page_writes") == "on");
    CHECK(value(url, "SHOW max_connections") == "200");
    CHECK(value(url, "SHOW listen_addresses").empty());
}

TEST_CASE("run_sql reports the server's error", "[postgres]") {
    const auto url = fresh_postgres_url();
    REQUIRE_THROWS_WITH(run_sql(url, "SELEKT 1"), Catch::Contains("syntax error"));
    REQUIRE_THROWS_WITH(run_sql(url, "SELECT * FROM missing_table"),
                        Catch::Contains("missing_table"));
}

TEST_CASE("run_sql can cut every other connection to a database", "[postgres]") {
    const auto url = fresh_postgres_url();
    auto held = hold_connection(url);
    REQUIRE(connection_works(held.get()));
    run_sql(url,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    CHECK_FALSE(connection_works(held.get()));
    CHECK(value(url, "SELECT 1") == "1");  // a new connection is let in
}

TEST_CASE("after restart_postgres a new connection works and the data is kept",
          "[postgres][restart]") {
    const auto url = fresh_postgres_url();
    run_sql(url, "CREATE TABLE kept (x integer); INSERT INTO kept VALUES (42)");
    auto held = hold_connection(url);
    const int before = test_postgres().postmaster_pid();
    REQUIRE(before > 0);

    restart_postgres();

    const int after = test_postgres().postmaster_pid();
    CHECK(after > 0);
    CHECK(after != before);
    CHECK_FALSE(process_running(before));
    CHECK_FALSE(connection_works(held.get()));  // cut by the restart
    CHECK(value(url, "SELECT x FROM kept") == "42");
}

TEST_CASE("stop_postgres refuses connections until start_postgres", "[postgres][restart]") {
    const auto url = fresh_postgres_url();
    stop_postgres();
    CHECK(test_postgres().postmaster_pid() == -1);
    CHECK_THROWS_WITH(run_sql(url, "SELECT 1"), Catch::Contains("cannot connect"));
    stop_postgres();  // stopping a stopped cluster succeeds
    start_postgres();
    start_postgres();  // so does starting a running one
    CHECK(value(url, "SELECT 1") == "1");
}

TEST_CASE("pg_cluster.sh starts and stops a cluster in a folder, idempotently", "[postgres]") {
    auto cluster = PostgresCluster::make_private();
    const auto dir = cluster->dir();
    const int first = cluster->postmaster_pid();
    REQUIRE(first > 0);
    CHECK(fs::exists(dir / "postgres.log"));
    cluster->start();
    CHECK(cluster->postmaster_pid() == first);

    cluster->stop();
    CHECK(cluster->postmaster_pid() == -1);
    CHECK_FALSE(process_running(first));
    cluster->stop();

    cluster->start();
    const int second = cluster->postmaster_pid();
    CHECK(second > 0);
    CHECK(value(cluster->fresh_database_url(), "SELECT 1") == "1");

    cluster.reset();  // a private cluster is stopped and its folder removed
    CHECK_FALSE(process_running(second));
    CHECK_FALSE(fs::exists(dir));
}

TEST_CASE("without HELPLINE_TEST_PG_DIR a process has a private cluster, gone when it exits",
          "[postgres]") {
    const auto child = run_child(false);
    CHECK(child.dir.find("helpline-pg-") != std::string::npos);
    CHECK_FALSE(process_running(child.postmaster));
    CHECK_FALSE(fs::exists(child.dir));
}

TEST_CASE("a private cluster is stopped and removed even when its process is killed",
          "[postgres]") {
    const auto child = run_child(true);
    // The watchdog notices the death; bounded like every wait here.
    CHECK(wait_for([&] { return !process_running(child.postmaster) && !fs::exists(child.dir); },
                   std::chrono::seconds(30)));
}

// Run only by the two tests above, as a child process.
TEST_CASE("a child process uses a private cluster", "[.]") {
    const auto url = fresh_postgres_url();
    run_sql(url, "CREATE TABLE t (x integer)");
    std::cout << "pg-child dir=" << test_postgres().dir().string()
              << " postmaster=" << test_postgres().postmaster_pid() << std::endl;
    if (std::getenv("HELPLINE_PG_CHILD_KILL") != nullptr) ::raise(SIGKILL);
}
