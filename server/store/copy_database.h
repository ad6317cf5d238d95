#pragma once
// Moving a team from one database to another (`helpline-server migrate`): a team that
// outgrows SQLite copies its data into an empty PostgreSQL database. Both are opened with
// the store first, so both are at the same, latest schema; then every table that holds the
// team's data is copied row by row, column by column, in one transaction on the target,
// read in one snapshot of the source, in an order that satisfies the foreign keys. The
// generated ids are copied as they are, and the target's id sequences are set past them.
// Before committing, every table's row count is compared: any difference, and nothing is
// committed.
//
// What is not copied is what belongs to running servers (which servers are alive, who
// streams where, where relay sessions pair, sign-in attempts of the last minute).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "server/store/sql_db.h"
#include "shared/result.h"

namespace helpline::server {

struct TableCount {
    std::string table;
    std::int64_t source = 0;
    std::int64_t target = 0;
};

/// The tables copied, in copy order (parents before children).
std::span<const char* const> copied_tables();
/// The tables left behind on purpose (running servers' state).
std::span<const char* const> uncopied_tables();

/// Copies every table of copied_tables() from `from` into `to`, which must hold no team yet
/// (no user, no ticket); both at the latest schema. Returns the counts, all equal.
Result<std::vector<TableCount>> copy_database(Db& from, Db& to);

}  // namespace helpline::server
