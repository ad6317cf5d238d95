#pragma once
// Where an upload's time goes inside the server, measured in the benchmark's process with
// the server's own code on the team's database (the server stopped first): the spool
// write, the read-back for SHA-256 and the type (server/api inspect_file), and
// store_attachment (the chunks into the database and the commit), each timed alone and
// with the peak of this process's RSS over the step (VmHWM reset before it), plus a
// durable write of the same bytes as the disk's reference. Call mirror_server_malloc()
// first so that memory is allocated and given back as in the server.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace helpline::bench {

/// One phase over the runs: one entry per run.
struct PhaseRuns {
    std::vector<double> seconds;
    std::vector<double>
        growth_kib;  ///< this process's peak RSS during the step over its RSS before
};

struct PhaseTimes {
    PhaseRuns spool;    ///< the body written to a new file in uploads/, 64 KiB at a time
    PhaseRuns inspect;  ///< inspect_file: SHA-256 and libmagic, reading the file back
    PhaseRuns
        magic;      ///< of which libmagic: a cookie opened and its database loaded, 64 KiB sniffed
    PhaseRuns sha;  ///< reference: SHA-256 of the bytes already in memory
    PhaseRuns store;      ///< store_attachment of new bytes: chunks + attachment row + commit
    PhaseRuns duplicate;  ///< store_attachment of bytes already stored (one row, one commit)
    PhaseRuns durable;    ///< reference: the same bytes to a new file + fdatasync
};

/// The malloc settings helpline-server fixes at start (server/app/main.cpp): blocks of
/// 1 MiB and more mmap()ed, up to 32 MiB of freed memory kept per arena.
void mirror_server_malloc();

/// Runs the phases `runs` times on the store at `database` (open_store's argument: the
/// SQLite file or a PostgreSQL URL), adding attachments to ticket `ticket` (which must
/// have room for 2 × runs), with files in `folder`. `bytes` is changed at its start on each
/// run so that every run stores new content. Throws when a step fails.
PhaseTimes time_phases(const std::string& database, std::int64_t ticket,
                       const std::filesystem::path& folder, std::string& bytes, std::size_t runs);

}  // namespace helpline::bench
