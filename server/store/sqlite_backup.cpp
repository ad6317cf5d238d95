#include "server/store/sqlite_backup.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <array>
#include <cstring>
#include <memory>
#include <optional>

#include "server/store/migrations.h"
#include "shared/file_io.h"

namespace helpline::server {
namespace {

namespace fs = std::filesystem;

/// Pages copied per step (4 MiB of 4 KiB pages). Under the one read transaction a step
/// blocks no writer; steps keep each call short rather than the copy shorter.
constexpr int kPagesPerStep = 1024;

/// The backup's own tables; restore drops them from the copy it puts in place.
constexpr const char* kBackupTables = R"(
CREATE TABLE helpline_backup (
  made_at INTEGER NOT NULL,
  server_version TEXT NOT NULL,
  schema_version INTEGER NOT NULL
);
CREATE TABLE helpline_backup_files (
  path TEXT PRIMARY KEY,
  mode INTEGER NOT NULL,
  content BLOB NOT NULL
);
)";

struct Connection {
    sqlite3* handle = nullptr;
    Connection() = default;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection() { sqlite3_close_v2(handle); }
};

struct Statement {
    sqlite3_stmt* handle = nullptr;
    Statement() = default;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement() { sqlite3_finalize(handle); }
};

bool is_corruption(int rc) {
    const int primary = rc & 0xff;
    return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

/// The error of `rc` on `db` while `doing`: corruption of a backup being read is
/// backup_error::kCorrupt, anything else kIo.
Error sqlite_error(sqlite3* db, int rc, const std::string& doing, const fs::path& file) {
    const std::string reason = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    return make_error(
        is_corruption(rc) ? backup_error::kCorrupt : backup_error::kIo,
        fmt::format("Could not {doing} \"{file}\": {reason}.", fmt::arg("doing", doing),
                    fmt::arg("file", file.string()), fmt::arg("reason", reason)),
        file.string());
}

Status exec(sqlite3* db, const char* sql, const std::string& doing, const fs::path& file) {
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db, rc, doing, file);
    return Ok{};
}

Result<std::unique_ptr<Connection>> open(const fs::path& path, int flags) {
    auto c = std::make_unique<Connection>();
    const int rc = sqlite3_open_v2(path.c_str(), &c->handle, flags, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(c->handle, rc, "open", path);
    sqlite3_extended_result_codes(c->handle, 1);
    sqlite3_busy_timeout(c->handle, 5000);
    return c;
}

/// The first column of the first row of `sql` as an integer; 0 without a row.
Result<std::int64_t> query_int(sqlite3* db, const char* sql, const fs::path& file) {
    Statement s;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s.handle, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db, rc, "read", file);
    rc = sqlite3_step(s.handle);
    if (rc == SQLITE_ROW) return sqlite3_column_int64(s.handle, 0);
    if (rc == SQLITE_DONE) return 0;
    return sqlite_error(db, rc, "read", file);
}

/// PRAGMA integrity_check: "ok", or the first problem it names.
Result<std::string> integrity(sqlite3* db, const fs::path& file) {
    Statement s;
    int rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check(1)", -1, &s.handle, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db, rc, "check", file);
    rc = sqlite3_step(s.handle);
    if (rc != SQLITE_ROW) return sqlite_error(db, rc, "check", file);
    const auto* text = sqlite3_column_text(s.handle, 0);
    return text != nullptr ? std::string(reinterpret_cast<const char*>(text)) : std::string();
}

Status add_files(sqlite3* db, const BackupInfo& info, const std::vector<BackupFile>& files,
                 const fs::path& file) {
    if (auto s = exec(db, kBackupTables, "write the backup's tables in", file); !s) return s;
    {
        Statement meta;
        int rc = sqlite3_prepare_v2(db, "INSERT INTO helpline_backup VALUES (?, ?, ?)", -1,
                                    &meta.handle, nullptr);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(meta.handle, 1, info.made_at);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_text(meta.handle, 2, info.server_version.c_str(), -1,
                                   SQLITE_TRANSIENT);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(meta.handle, 3, info.schema_version);
        if (rc == SQLITE_OK) rc = sqlite3_step(meta.handle);
        if (rc != SQLITE_DONE)
            return sqlite_error(db, rc, "write the backup's description in", file);
    }
    for (const BackupFile& f : files) {
        Statement insert;
        int rc = sqlite3_prepare_v2(db, "INSERT INTO helpline_backup_files VALUES (?, ?, ?)", -1,
                                    &insert.handle, nullptr);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_text(insert.handle, 1, f.path.c_str(), -1, SQLITE_TRANSIENT);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(insert.handle, 2, f.mode);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_blob64(insert.handle, 3, f.content.data(), f.content.size(),
                                     SQLITE_TRANSIENT);
        if (rc == SQLITE_OK) rc = sqlite3_step(insert.handle);
        if (rc != SQLITE_DONE) return sqlite_error(db, rc, "write " + f.path + " in", file);
    }
    return Ok{};
}

Status count_team(sqlite3* db, BackupInfo& info, const fs::path& file) {
    auto version = query_int(db, "PRAGMA user_version", file);
    if (!version) return version.error();
    info.schema_version = *version;
    auto tickets = query_int(db, "SELECT count(*) FROM tickets", file);
    if (!tickets) return tickets.error();
    info.tickets = *tickets;
    auto users = query_int(db, "SELECT count(*) FROM users", file);
    if (!users) return users.error();
    info.users = *users;
    return Ok{};
}

/// A path a backup may hold: relative, in the data folder, without "." or ".." parts.
bool is_safe_path(const std::string& path) {
    const fs::path p(path);
    if (path.empty() || p.is_absolute()) return false;
    for (const auto& part : p) {
        if (part == ".." || part == "." || part.empty()) return false;
    }
    return true;
}

Error not_a_backup(const fs::path& backup, const std::string& why) {
    return make_error(
        backup_error::kNotBackup,
        fmt::format("\"{file}\" is not a backup made by helpline-server backup: {why}.",
                    fmt::arg("file", backup.string()), fmt::arg("why", why)),
        backup.string());
}

/// Whether the file starts as every SQLite database does.
Result<bool> has_sqlite_header(const fs::path& path) {
    auto file = File::open_read(path);
    if (!file) return file.error();
    std::array<std::uint8_t, 16> header{};
    auto read = file->read(header);
    if (!read) return read.error();
    return *read == header.size() && std::memcmp(header.data(), "SQLite format 3", 16) == 0;
}

}  // namespace

Result<BackupInfo> write_backup(const fs::path& database, const fs::path& out,
                                const std::vector<BackupFile>& files, std::int64_t now,
                                const std::string& server_version) {
    std::error_code ec;
    if (!fs::is_regular_file(database, ec))
        return make_error(backup_error::kMissing,
                          "There is no database at \"" + database.string() + "\".",
                          database.string());
    auto source = open(database, SQLITE_OPEN_READWRITE);
    if (!source) return source.error();
    // One read transaction for the whole copy (see the header).
    if (auto s =
            exec((*source)->handle, "BEGIN; SELECT count(*) FROM sqlite_schema;", "read", database);
        !s)
        return s.error();

    auto temp = create_temp_beside(out, "backup");
    if (!temp) return temp.error();
    auto target = open(temp->path(), SQLITE_OPEN_READWRITE);
    if (!target) return target.error();
    sqlite3* db = (*target)->handle;
    sqlite3_backup* copy = sqlite3_backup_init(db, "main", (*source)->handle, "main");
    if (copy == nullptr) return sqlite_error(db, sqlite3_errcode(db), "start copying into", out);
    int rc = SQLITE_OK;
    do {
        rc = sqlite3_backup_step(copy, kPagesPerStep);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(10);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    const int finished = sqlite3_backup_finish(copy);
    if (rc != SQLITE_DONE) return sqlite_error(db, rc, "copy the database into", out);
    if (finished != SQLITE_OK) return sqlite_error(db, finished, "copy the database into", out);
    (void)exec((*source)->handle, "COMMIT", "read", database);
    source->reset();

    BackupInfo info;
    info.made_at = now;
    info.server_version = server_version;
    info.files = files;
    // The copy keeps the source's WAL mode; a backup is one file, without a -wal beside it.
    if (auto s = exec(db, "PRAGMA journal_mode=DELETE", "write", out); !s) return s.error();
    if (auto s = count_team(db, info, out); !s) return s.error();
    if (auto s = add_files(db, info, files, out); !s) return s.error();
    auto check = integrity(db, out);
    if (!check) return check.error();
    if (*check != "ok")
        return make_error(
            backup_error::kCorrupt,
            fmt::format("The copy of \"{db}\" failed its integrity check ({problem}); nothing was "
                        "written to \"{out}\". Check the database: sqlite3 {db} 'PRAGMA "
                        "integrity_check'.",
                        fmt::arg("db", database.string()), fmt::arg("problem", *check),
                        fmt::arg("out", out.string())),
            database.string());
    rc = sqlite3_close(db);
    (*target)->handle = nullptr;
    if (rc != SQLITE_OK) return sqlite_error(nullptr, rc, "close", out);
    if (auto s = temp->file().set_mode(0600); !s) return s.error();
    if (auto s = temp->file().sync(); !s) return s.error();
    if (auto s = temp->commit(); !s) return s.error();
    sync_folder(out.parent_path().empty() ? fs::path(".") : out.parent_path());
    return info;
}

Result<BackupInfo> unpack_backup(const fs::path& backup, const fs::path& target,
                                 std::int64_t known_schema) {
    std::error_code ec;
    if (!fs::exists(backup, ec))
        return make_error(backup_error::kMissing, "There is no file \"" + backup.string() + "\".",
                          backup.string());
    if (!fs::is_regular_file(backup, ec)) return not_a_backup(backup, "it is not a file");
    auto header = has_sqlite_header(backup);
    if (!header) return header.error();
    if (!*header) return not_a_backup(backup, "it is not a SQLite database");

    // The checks and the changes are made on a copy: the backup is only read.
    auto temp = create_temp_beside(target, "restore");
    if (!temp) return temp.error();
    {
        auto in = File::open_read(backup);
        if (!in) return in.error();
        auto size = in->size();
        if (!size) return size.error();
        if (auto s = copy_range(*in, temp->file(), *size); !s) return s.error();
    }
    auto copy = open(temp->path(), SQLITE_OPEN_READWRITE);
    if (!copy) return copy.error();
    sqlite3* db = (*copy)->handle;
    const auto corrupt = [&](const std::string& problem) {
        return make_error(
            backup_error::kCorrupt,
            fmt::format("The backup \"{file}\" is damaged ({problem}); nothing was restored. "
                        "Restore another backup.",
                        fmt::arg("file", backup.string()), fmt::arg("problem", problem)),
            backup.string());
    };
    auto marked = query_int(
        db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'helpline_backup'",
        backup);
    if (!marked)
        return marked.error().code == backup_error::kCorrupt ? corrupt(marked.error().message)
                                                             : marked.error();
    if (*marked == 0)
        return not_a_backup(backup, "it is a SQLite database without a backup's description");
    auto check = integrity(db, backup);
    if (!check)
        return check.error().code == backup_error::kCorrupt ? corrupt(check.error().message)
                                                            : check.error();
    if (*check != "ok") return corrupt(*check);

    BackupInfo info;
    {
        Statement meta;
        int rc = sqlite3_prepare_v2(db, "SELECT made_at, server_version FROM helpline_backup", -1,
                                    &meta.handle, nullptr);
        if (rc == SQLITE_OK) rc = sqlite3_step(meta.handle);
        if (rc != SQLITE_ROW) return not_a_backup(backup, "its description is missing");
        info.made_at = sqlite3_column_int64(meta.handle, 0);
        const auto* version = sqlite3_column_text(meta.handle, 1);
        info.server_version = version != nullptr ? reinterpret_cast<const char*>(version) : "";
    }
    if (auto s = count_team(db, info, backup); !s) return s.error();
    if (info.schema_version > known_schema)
        return newer_schema_error(backup.string(), info.schema_version, known_schema);
    {
        Statement files;
        int rc = sqlite3_prepare_v2(
            db, "SELECT path, mode, content FROM helpline_backup_files ORDER BY path", -1,
            &files.handle, nullptr);
        if (rc != SQLITE_OK) return not_a_backup(backup, "its list of files is missing");
        while ((rc = sqlite3_step(files.handle)) == SQLITE_ROW) {
            BackupFile f;
            const auto* path = sqlite3_column_text(files.handle, 0);
            f.path = path != nullptr ? reinterpret_cast<const char*>(path) : "";
            if (!is_safe_path(f.path))
                return not_a_backup(backup, "it names a file outside the data folder");
            f.mode = static_cast<unsigned int>(sqlite3_column_int64(files.handle, 1)) & 0777U;
            const void* bytes = sqlite3_column_blob(files.handle, 2);
            const int size = sqlite3_column_bytes(files.handle, 2);
            if (bytes != nullptr)
                f.content.assign(static_cast<const char*>(bytes), static_cast<std::size_t>(size));
            info.files.push_back(std::move(f));
        }
        if (rc != SQLITE_DONE) return sqlite_error(db, rc, "read", backup);
    }
    if (auto s = exec(db, "DROP TABLE helpline_backup; DROP TABLE helpline_backup_files;", "write",
                      target);
        !s)
        return s.error();
    const int rc = sqlite3_close(db);
    (*copy)->handle = nullptr;
    if (rc != SQLITE_OK) return sqlite_error(nullptr, rc, "close", target);
    if (auto s = temp->file().set_mode(0600); !s) return s.error();
    if (auto s = temp->file().sync(); !s) return s.error();
    if (auto s = temp->commit(); !s) return s.error();
    sync_folder(target.parent_path().empty() ? fs::path(".") : target.parent_path());
    return info;
}

}  // namespace helpline::server
