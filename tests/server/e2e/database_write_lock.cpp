#include "tests/server/e2e/database_write_lock.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <string>

namespace helpline::test::e2e {
namespace {

/// PgDb::kWriteLock ("Help" in ASCII): the key the server's write transactions lock.
constexpr const char* kTakeWriteLock = "SELECT pg_advisory_lock(1214606448)";

/// Runs `sql` on `connection`; its error message, empty when it succeeded.
std::string pg_run(PGconn* connection, const char* sql) {
    PGresult* result = PQexec(connection, sql);
    const auto status = PQresultStatus(result);
    std::string error;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
        error = result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(connection);
    PQclear(result);
    return error;
}

}  // namespace

DatabaseWriteLock::DatabaseWriteLock(const ServerProcess& server) {
    bool held = false;
    std::string error;
    if (server.database().empty()) {
        held = sqlite3_open((server.data() / "helpline.db").c_str(), &sqlite_) == SQLITE_OK &&
               sqlite3_exec(sqlite_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
        if (!held) error = sqlite3_errmsg(sqlite_);
    } else {
        postgres_ = PQconnectdb(server.database().c_str());
        error = PQstatus(postgres_) == CONNECTION_OK ? pg_run(postgres_, kTakeWriteLock)
                                                    : PQerrorMessage(postgres_);
        held = error.empty();
    }
    if (!held) release();  // REQUIRE throws: the destructor would not run
    INFO(error);
    REQUIRE(held);
}

DatabaseWriteLock::~DatabaseWriteLock() {
    release();
}

void DatabaseWriteLock::release() {
    if (sqlite_ != nullptr) {
        sqlite3_exec(sqlite_, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close(sqlite_);
        sqlite_ = nullptr;
    }
    if (postgres_ != nullptr) {
        PQfinish(postgres_);  // a session's advisory locks end with it
        postgres_ = nullptr;
    }
}

}  // namespace helpline::test::e2e
