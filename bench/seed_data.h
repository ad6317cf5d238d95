#pragma once
// The team a scale benchmark runs against (issue 12, "Scale"): operators in groups, a pool
// of requesters with their devices, and tickets — open ones in the last hours, closed and
// expired ones over about two years — generated in memory, deterministically from a seed,
// before bench/seed_writer puts them into a data folder's database. Generating first lets
// the writer insert every table in key order, and the report name the figures a benchmark
// needs (the operator who sees ~500 open tickets, a frequent and a rare requester, a cursor
// in the middle of history) without querying for them.

#include <cstdint>
#include <string>
#include <vector>

namespace helpline::bench::seed {

struct SeedOptions {
    std::size_t open = 20'000;
    std::size_t closed = 1'000'000;  ///< closed and expired tickets (history)
    int groups = 10;
    int operators = 40;
    std::size_t requesters = 60'000;  ///< the pool of people who come back (Zipf-like)
    double one_off_share = 0.25;      ///< tickets filed by someone who files only that one
    double expired_share = 0.03;      ///< history tickets that expired unclosed
    int days = 730;                   ///< history spans this many days before `now`
    double open_hours = 20;  ///< open tickets were filed within this many hours (< ticket_ttl)
    /// Open tickets in one operator's queue (their group's plus those assigned to them);
    /// 0: no such operator is arranged.
    std::size_t focus_visible = 500;
    std::uint64_t seed = 1;
    std::int64_t now = 0;              ///< Unix seconds; 0: the system clock
    std::int64_t ticket_ttl = 86'400;  ///< the server's --ticket-ttl the history was made under
    bool audit = true;                 ///< write the audit entries the server writes
};

enum class Status : std::uint8_t { open, closed, expired };

/// Users are referred to by index into DataSet::operators; these two are not operators.
inline constexpr std::int16_t kNobody = -1;
inline constexpr std::int16_t kAdmin = -2;  ///< the team's first admin (from `init`)

struct SeedGroup {
    std::string id;
    std::string name;
    double weight = 0;         ///< share of the tickets filed to it
    std::vector<int> members;  ///< operator indices
};

struct SeedOperator {
    std::string email;
    std::string name;
    std::vector<int> groups;  ///< group indices
};

struct SeedRequester {
    std::string email;  ///< lower-case; a ticket may carry it with capitals
    std::uint32_t first_device = 0;
    std::uint8_t devices = 1;
};

struct SeedDevice {
    std::uint32_t requester = 0;
    std::int64_t created_at = 0;
    std::int64_t last_seen_at = 0;
};

/// One ticket; its texts, device id and idempotency key are derived from the seed and its
/// number when written (seed_writer.h), so a million of them stay small here.
struct SeedTicket {
    std::int64_t number = 0;
    std::int64_t created_at = 0;
    std::int64_t closed_at = 0;    ///< 0 while open
    std::int64_t assigned_at = 0;  ///< 0 when unassigned
    std::int64_t changed_at = 0;   ///< the operator's update (assignment, priority), 0: none
    std::uint32_t requester = 0;
    std::uint32_t device = 0;
    std::int16_t group = -1;  ///< -1: no group
    std::int16_t op = kNobody;
    std::int16_t changed_by = kNobody;  ///< who made the update at changed_at
    std::int16_t closed_by = kNobody;
    std::int16_t extra_handler = kNobody;  ///< an operator who connected, besides op and closed_by
    std::uint8_t priority = 1;             ///< 0 low .. 3 urgent
    std::uint8_t initial_priority = 1;
    Status status = Status::open;
    bool capitalised = false;  ///< the requester typed their email with capitals

    std::int64_t updated_at() const {
        return closed_at != 0 ? closed_at : changed_at != 0 ? changed_at : created_at;
    }
};

struct DataSet {
    SeedOptions options;
    std::int64_t now = 0;
    std::vector<SeedGroup> groups;
    std::vector<SeedOperator> operators;
    int focus = -1;  ///< the operator who sees options.focus_visible open tickets (-1: none)
    std::vector<SeedRequester> requesters;
    std::vector<SeedDevice> devices;
    std::vector<SeedTicket> tickets;  ///< by number, from 1001
};

/// Builds the data set. Throws std::invalid_argument for options that cannot be met (more
/// groups than the catalogue, an operator per group missing, ...).
DataSet generate(const SeedOptions& options);

/// The priorities' names, as the database stores them.
const char* priority_name(std::uint8_t priority);

}  // namespace helpline::bench::seed
