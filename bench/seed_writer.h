#pragma once
// Writes a generated team (seed_data.h) into the database of a data folder made by
// `helpline-server init`, with the SQLite C API in large transactions — through HTTP a
// million tickets would take hours. The rows are the ones the server itself stores for
// those events (submission with its idempotency key, assignment, priority change, close,
// expiry; handlers with their close time; the audit entries), every CHECK and foreign key
// enforced while inserting, and checked again at the end (`PRAGMA foreign_key_check`,
// `PRAGMA integrity_check`). The database is left in WAL mode, as the server wants it, and
// without ANALYZE statistics, as the server never gathers any: the query planner sees what
// it sees in production.

#include <cstdint>
#include <filesystem>
#include <string>

#include "bench/seed_data.h"

namespace helpline::bench::seed {

/// The schema version (PRAGMA user_version) whose rows this seeder writes; a database at
/// any other version is refused.
inline constexpr int kSchemaVersion = 8;

/// What was written, and the figures the console benchmarks need.
struct SeedReport {
    std::int64_t now = 0;
    std::int64_t history_from = 0;  ///< the history spans [history_from, now)
    std::int64_t first_number = 0;
    std::int64_t last_number = 0;
    std::size_t open = 0;
    std::size_t closed = 0;
    std::size_t expired = 0;
    std::size_t requesters = 0;
    std::size_t devices = 0;
    std::size_t handlers = 0;
    std::size_t audit_entries = 0;
    std::int64_t admin_id = 0;
    std::int64_t focus_id = 0;  ///< 0: no focus operator
    std::string focus_email;
    std::string focus_group;
    std::size_t focus_open = 0;     ///< open tickets in their queue
    std::size_t focus_history = 0;  ///< history tickets in their history view
    std::string frequent_email;     ///< the requester with the most tickets in history
    std::size_t frequent_tickets = 0;
    std::string rare_email;     ///< a requester with one ticket, in the focus operator's history
    std::string prefix3;        ///< the most common first three letters of requester emails
    std::string middle_cursor;  ///< `after` for the history row half-way down (all of history)
    std::int64_t middle_closed_at = 0;
    std::int64_t database_bytes = 0;
    double generate_s = 0;
    double write_s = 0;
    double check_s = 0;

    /// One JSON object (for benchmarks that run the seeder as a program).
    std::string json() const;
};

/// Writes `data` into `data_dir`/helpline.db. Throws std::runtime_error, with a message
/// saying what to do, for a missing database, another schema version, a folder that already
/// holds tickets, a running server, or a failed check.
SeedReport write_seed(const std::filesystem::path& data_dir, const DataSet& data,
                      bool progress = false);

/// generate() then write_seed(), timed.
SeedReport seed_data_folder(const std::filesystem::path& data_dir, const SeedOptions& options,
                            bool progress = false);

}  // namespace helpline::bench::seed
