#include "server/app/backup_commands.h"

#include <fmt/ostream.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <optional>
#include <set>

#include "server/app/data_lock.h"
#include "server/store/migrations.h"
#include "server/store/pg_db.h"
#include "shared/atomic_file.h"

namespace helpline::server {
namespace {

namespace fs = std::filesystem;

/// Folders of the data folder whose files a backup keeps.
constexpr const char* kKeptFolders[] = {"tls"};

int fail(CliIo io, const std::string& message) {
    fmt::print(io.err, "error: {}\n", message);
    return 1;
}

std::string utc(std::int64_t t, const char* format) {
    std::tm tm{};
    const std::time_t time = t;
    gmtime_r(&time, &tm);
    char text[64];
    return std::strftime(text, sizeof text, format, &tm) > 0 ? std::string(text)
                                                             : std::to_string(t);
}

/// Whether `a` and `b` name the same file (`b` existing or not).
bool same_file(const fs::path& a, const fs::path& b) {
    std::error_code ec;
    return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

/// A folder of the data folder for what a restore replaces, new and empty.
Result<fs::path> make_aside_folder(const fs::path& data, std::int64_t now) {
    const std::string base = "replaced-" + utc(now, "%Y%m%dT%H%M%SZ");
    for (int n = 1; n < 100; ++n) {
        const fs::path dir = data / (n == 1 ? base : base + "-" + std::to_string(n));
        if (::mkdir(dir.c_str(), 0700) == 0) return dir;
        if (errno != EEXIST) break;
    }
    return make_error("restore.aside",
                      "Could not make a folder in '" + data.string() +
                          "' for the data the restore replaces: " + std::strerror(errno) + ".");
}

}  // namespace

Result<std::vector<BackupFile>> data_folder_files(const fs::path& data) {
    std::vector<BackupFile> files;
    for (const char* folder : kKeptFolders) {
        std::error_code ec;
        if (!fs::is_directory(data / folder, ec)) continue;
        for (auto it = fs::recursive_directory_iterator(data / folder, ec);
             !ec && it != fs::end(it); it.increment(ec)) {
            if (!it->is_regular_file(ec)) continue;
            auto bytes = read_file(it->path(), 16 * 1024 * 1024);
            if (!bytes) return bytes.error();
            struct stat st {};
            if (::stat(it->path().c_str(), &st) != 0) continue;
            files.push_back({fs::relative(it->path(), data).generic_string(), st.st_mode & 0777U,
                             std::string(bytes->begin(), bytes->end())});
        }
        if (ec)
            return make_error(
                "backup.io",
                "Could not list '" + (data / folder).string() + "': " + ec.message() + ".",
                (data / folder).string());
    }
    std::sort(files.begin(), files.end(),
              [](const BackupFile& a, const BackupFile& b) { return a.path < b.path; });
    return files;
}

int backup_command(const TeamData& team, const fs::path& out, std::int64_t now, CliIo io) {
    if (team.on_postgres())
        return fail(
            io, fmt::format(
                    "this team's database is PostgreSQL ({url}), which backup does not copy: use "
                    "pg_dump, which is consistent while the servers run:\n"
                    "  pg_dump --format=custom --file=helpline.dump '{url}'\n"
                    "and keep a copy of the data folder's tls/ if the servers use --self-signed "
                    "(docs/operations.md, \"Backup and restore\").",
                    fmt::arg("url", team.shown())));
    const fs::path database = database_path(team.folder);
    if (!fs::exists(database))
        return fail(io, "there is no Helpline data in '" + team.folder.string() +
                            "' (no helpline.db) to back up.");
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        if (same_file(out, database.string() + suffix))
            return fail(io,
                        "--out names the team's own database; give the backup a file of its own.");
    }
    std::error_code ec;
    if (fs::is_directory(out, ec))
        return fail(io, "--out '" + out.string() + "' is a folder; name a file in it.");
    auto files = data_folder_files(team.folder);
    if (!files) return fail(io, files.error().message);
    auto made = write_backup(database, out, *files, now, HELPLINE_VERSION);
    if (!made) return fail(io, made.error().message);
    std::string kept;
    for (const BackupFile& f : made->files) kept += (kept.empty() ? "" : ", ") + f.path;
    fmt::print(
        io.out,
        "Backed up {data} to {out}: {tickets} tickets, {users} users, schema version {schema}, and "
        "the "
        "data folder's {files}.\n"
        "Restore it, with the server stopped, with: helpline-server restore --data DIR --from "
        "{out}\n",
        fmt::arg("data", team.folder.string()), fmt::arg("out", out.string()),
        fmt::arg("tickets", made->tickets), fmt::arg("users", made->users),
        fmt::arg("schema", made->schema_version),
        fmt::arg("files", kept.empty() ? std::string("files: none (no tls/)") : "files: " + kept));
    return 0;
}

int restore_command(const TeamData& team, const fs::path& from, std::int64_t now, CliIo io) {
    if (team.on_postgres())
        return fail(
            io,
            fmt::format("this team's database is PostgreSQL ({url}), which restore does not write: "
                        "restore a pg_dump into an empty database with pg_restore and point the "
                        "servers at it:\n"
                        "  pg_restore --no-owner --dbname='{url}' helpline.dump\n"
                        "(docs/operations.md, \"Backup and restore\").",
                        fmt::arg("url", team.shown())));
    const fs::path& data = team.folder;
    std::error_code ec;
    if (!fs::exists(from, ec))
        return fail(io, "there is no backup file '" + from.string() + "'; nothing was changed.");
    if (!fs::is_directory(data, ec)) {
        fs::create_directories(data, ec);
        if (ec) return fail(io, "could not create '" + data.string() + "': " + ec.message());
        ::chmod(data.c_str(), 0700);  // the database holds password hashes and tokens
    }
    // Held until the end: no server starts on the folder while its data is replaced.
    auto lock = DataLock::acquire(data, DataLock::Kind::exclusive);
    if (!lock && lock.error().code == data_lock_error::kInUse)
        return fail(
            io, fmt::format("a helpline-server is running on the data folder '{data}' (it holds "
                            "{lock}); nothing was changed. Stop it first (sudo systemctl stop "
                            "helpline-server), restore, then start it again.",
                            fmt::arg("data", data.string()),
                            fmt::arg("lock", data_lock_path(data).string())));
    if (!lock) return fail(io, lock.error().message);

    const fs::path database = database_path(data);
    const fs::path staged = data / "helpline.db.restoring";
    const auto known = sqlite_migrations().back().version;
    auto unpacked = unpack_backup(from, staged, known);
    if (!unpacked) {
        fs::remove(staged, ec);
        // The damaged backup's message says already that nothing was restored.
        return fail(io, unpacked.error().message + (unpacked.error().code == backup_error::kCorrupt
                                                        ? ""
                                                        : " Nothing was changed."));
    }

    // What the backup replaces is moved aside, never deleted: the database with its WAL
    // (a crashed server's last commits may still be there) and the kept folders it brings.
    std::set<std::string> replaced_folders;
    for (const BackupFile& f : unpacked->files)
        replaced_folders.insert(fs::path(f.path).begin()->string());
    std::vector<std::string> moved;
    std::optional<fs::path> aside;
    const auto move_aside = [&](const std::string& name) -> Status {
        if (!fs::exists(fs::symlink_status(data / name, ec))) return Ok{};
        if (!aside) {
            auto made = make_aside_folder(data, now);
            if (!made) return made.error();
            aside = *made;
        }
        fs::rename(data / name, *aside / name, ec);
        if (ec)
            return make_error("restore.aside", "Could not move '" + (data / name).string() +
                                                   "' to '" + aside->string() +
                                                   "': " + ec.message() + ".");
        moved.push_back(name);
        return Ok{};
    };
    for (const std::string& name :
         {std::string("helpline.db"), std::string("helpline.db-wal"),
          std::string("helpline.db-shm"), std::string("helpline.db-journal")}) {
        if (auto s = move_aside(name); !s) {
            fs::remove(staged, ec);
            return fail(io, s.error().message + " The restore stopped; put back what was moved.");
        }
    }
    for (const std::string& name : replaced_folders) {
        if (auto s = move_aside(name); !s) {
            fs::remove(staged, ec);
            return fail(io, s.error().message + " The restore stopped; put back what was moved.");
        }
    }
    if (auto s = replace_file(staged, database); !s) return fail(io, s.error().message);
    for (const BackupFile& f : unpacked->files) {
        const fs::path path = data / f.path;
        fs::create_directories(path.parent_path(), ec);
        ::chmod(path.parent_path().c_str(), 0700);
        if (auto s = write_file_atomic(path, as_bytes(f.content), f.mode); !s)
            return fail(io, s.error().message);
    }
    sync_folder(data);

    std::string files;
    for (const BackupFile& f : unpacked->files) files += (files.empty() ? "" : ", ") + f.path;
    fmt::print(io.out,
               "Restored {from} (made {made} UTC by helpline-server {version}, schema version "
               "{schema}) into "
               "{data}: {tickets} tickets, {users} users{files}.\n",
               fmt::arg("from", from.string()),
               fmt::arg("made", utc(unpacked->made_at, "%Y-%m-%d %H:%M:%S")),
               fmt::arg("version", unpacked->server_version),
               fmt::arg("schema", unpacked->schema_version), fmt::arg("data", data.string()),
               fmt::arg("tickets", unpacked->tickets), fmt::arg("users", unpacked->users),
               fmt::arg("files", files.empty() ? "" : "; files: " + files));
    if (unpacked->schema_version < known)
        fmt::print(io.out, "The server upgrades its schema from version {} to {} when it starts.\n",
                   unpacked->schema_version, known);
    if (aside) {
        std::string names;
        for (const std::string& n : moved) names += (names.empty() ? "" : ", ") + n;
        fmt::print(io.out,
                   "The data it replaced ({names}) is in {aside}; delete that folder once the "
                   "restored team "
                   "works.\n",
                   fmt::arg("names", names), fmt::arg("aside", aside->string()));
    }
    fmt::print(
        io.out,
        "Start the server again (sudo systemctl start helpline-server, or helpline-server run).\n");
    return 0;
}

}  // namespace helpline::server
