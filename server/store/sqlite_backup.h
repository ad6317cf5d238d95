#pragma once
// A SQLite team's backup (`helpline-server backup` and `restore`): one SQLite file, the
// database as it was at one moment plus the data folder's other files worth keeping, in
// two tables of its own. One file is copied, checked (PRAGMA integrity_check covers the
// files too) and moved as one: never a database from one day and a key from another.
//
// The copy is made with SQLite's online backup API while the server runs. The source
// connection holds one read transaction for the whole copy: in WAL mode that blocks no
// writer, and every page comes from the same snapshot, so the copy is consistent and is
// not restarted by the server's commits (which would restart a copy taken step by step
// without it, possibly forever under steady writes).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "shared/result.h"

namespace helpline::server {

namespace backup_error {
inline constexpr const char* kMissing = "backup.missing";       ///< no such file
inline constexpr const char* kNotBackup = "backup.not_backup";  ///< not SQLite, or not ours
inline constexpr const char* kCorrupt = "backup.corrupt";       ///< integrity_check failed
inline constexpr const char* kIo = "backup.io";                 ///< reading, writing, syncing
}  // namespace backup_error

/// A file of the data folder kept in a backup, by its path relative to the folder.
struct BackupFile {
    std::string path;          ///< "tls/self-signed-key.pem"; never absolute, never ".."
    unsigned int mode = 0600;  ///< permission bits to restore it with
    std::string content;
};

/// What a backup holds, besides the database itself.
struct BackupInfo {
    std::int64_t made_at = 0;         ///< Unix seconds
    std::string server_version;       ///< of the server that made it
    std::int64_t schema_version = 0;  ///< the database's PRAGMA user_version
    std::int64_t tickets = 0;
    std::int64_t users = 0;
    std::vector<BackupFile> files;
};

/// Copies the database `database` (which may be in use by a running server) and `files`
/// into a new backup at `out`: written to a temporary file beside it, checked with
/// integrity_check, synced, then renamed over `out` (mode 0600: it holds password hashes
/// and keys). `out` is never left half-written.
Result<BackupInfo> write_backup(const std::filesystem::path& database,
                                const std::filesystem::path& out,
                                const std::vector<BackupFile>& files, std::int64_t now,
                                const std::string& server_version);

/// Checks the backup `backup` — a SQLite file, a Helpline backup, intact, of a schema no
/// newer than `known_schema` (else store_error::kNewerSchema) — and writes its database,
/// without the backup's own tables, to the new file `target` (synced, mode 0600). Returns
/// what it holds. `backup` itself is only read.
Result<BackupInfo> unpack_backup(const std::filesystem::path& backup,
                                 const std::filesystem::path& target, std::int64_t known_schema);

}  // namespace helpline::server
