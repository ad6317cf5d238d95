#pragma once
// `helpline-server backup` and `restore` on a SQLite team's data folder (docs/operations.md,
// "Backup and restore"). A backup is one file (store/sqlite_backup.h): the database as it
// was at one moment, copied while the server runs, plus the data folder's tls/ (the
// self-signed certificate and key that clients pin). uploads/ holds only transfers in
// progress and is left out. A team on PostgreSQL is refused: pg_dump does that job.

#include <cstdint>
#include <filesystem>

#include "server/app/admin_commands.h"
#include "server/app/server_app.h"
#include "server/store/sqlite_backup.h"

namespace helpline::server {

/// The files of the data folder a backup keeps besides the database: tls/'s.
Result<std::vector<BackupFile>> data_folder_files(const std::filesystem::path& data);

/// Writes a backup of `team` to `out`. Exit code 0, or 1 with the reason on io.err.
int backup_command(const TeamData& team, const std::filesystem::path& out, std::int64_t now,
                   CliIo io);

/// Puts the backup `from` in place in `team`'s data folder (made if missing), unless a
/// server runs there; the data it replaces is moved to DATA/replaced-TIME/. Exit code 0,
/// or 1 with the reason on io.err.
int restore_command(const TeamData& team, const std::filesystem::path& from, std::int64_t now,
                    CliIo io);

}  // namespace helpline::server
