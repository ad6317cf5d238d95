// `helpline-server backup` and `restore` (server/app/backup_commands.cpp,
// server/store/sqlite_backup.cpp, server/app/data_lock.cpp) on real data folders: what a
// backup holds, what restore puts in place and keeps aside, and each refusal.

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "server/app/backup_commands.h"
#include "server/app/data_lock.h"
#include "server/store/migrations.h"
#include "server/store/store.h"
#include "tests/support/fixtures.h"
#include "tests/support/sqlite_snapshot.h"

namespace helpline::server {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

constexpr std::int64_t kNow = 1'800'000'000;  // 2027-01-15 08:00:00 UTC

struct Output {
    std::ostringstream out;
    std::ostringstream err;
    CliIo io() { return CliIo{out, err}; }
};

/// A team in `data` with one admin and the TLS material a --self-signed start leaves.
void make_team(const fs::path& data) {
    Output o;
    REQUIRE(init_command(TeamData{data, {}}, "admin@team.example", "Admin", o.io()) == 0);
    fs::create_directories(data / "tls");
    test::write_text(data / "tls" / "self-signed-cert.pem", "CERT\n");
    test::write_text(data / "tls" / "self-signed-key.pem", "KEY\n");
    fs::permissions(data / "tls" / "self-signed-key.pem",
                    fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
}

std::size_t user_count(const fs::path& data) {
    auto store = open_store(database_path(data).string());
    REQUIRE(store);
    return (*store)->users().size();
}

void add_user(const fs::path& data, const std::string& email) {
    Output o;
    REQUIRE(user_add_command(TeamData{data, {}}, email, "Someone", "operator", false, o.io()) == 0);
}

/// Whether `file` has a table (or index) `name`.
bool has_table(const fs::path& file, const std::string& name) {
    return test::SqliteFile(file.string())
               .value("SELECT count(*) FROM sqlite_schema WHERE name = '" + name + "'") == "1";
}

/// A listing of a folder's entries (names, sorted), to see that nothing changed; the lock
/// file, made by the first restore or run, is left out.
std::vector<std::string> listing(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.path().filename() != "server.lock")
            names.push_back(fs::relative(e.path(), dir).string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

TEST_CASE("a backup is one file with the database and tls/, and restore puts both back") {
    TempDir dir;
    const fs::path data = dir / "data";
    make_team(data);
    Output made;
    REQUIRE(backup_command(TeamData{data, {}}, dir / "team.backup", kNow, made.io()) == 0);
    CHECK(made.out.str().find("1 users, schema version") != std::string::npos);
    CHECK(made.out.str().find("tls/self-signed-cert.pem, tls/self-signed-key.pem") !=
          std::string::npos);
    CHECK((fs::status(dir / "team.backup").permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));
    CHECK_FALSE(fs::exists(dir / "team.backup-wal"));
    // Nothing but the backup is left beside it (no temporary file).
    CHECK(listing(dir.path()).size() == listing(data).size() + 2);

    // Later changes are undone by the restore; the files come back with their modes.
    add_user(data, "later@team.example");
    test::write_text(data / "tls" / "self-signed-key.pem", "ANOTHER KEY\n");
    REQUIRE(user_count(data) == 2);
    Output restored;
    REQUIRE(restore_command(TeamData{data, {}}, dir / "team.backup", kNow + 60, restored.io()) ==
            0);
    INFO(restored.err.str());
    CHECK(user_count(data) == 1);
    CHECK(test::read_text(data / "tls" / "self-signed-key.pem") == "KEY\n");
    CHECK((fs::status(data / "tls" / "self-signed-key.pem").permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));
    CHECK_FALSE(has_table(database_path(data), "helpline_backup"));
    CHECK_FALSE(has_table(database_path(data), "helpline_backup_files"));
    CHECK(has_table(database_path(data), "tickets"));

    // The replaced data is kept aside, named after the time, and the output says where.
    const fs::path aside = data / "replaced-20270115T080100Z";
    CHECK(restored.out.str().find(aside.string()) != std::string::npos);
    CHECK(user_count(aside) == 2);
    CHECK(test::read_text(aside / "tls" / "self-signed-key.pem") == "ANOTHER KEY\n");
    CHECK_FALSE(fs::exists(data / "helpline.db.restoring"));

    // A second restore in the same second gets a folder of its own.
    Output again;
    REQUIRE(restore_command(TeamData{data, {}}, dir / "team.backup", kNow + 60, again.io()) == 0);
    CHECK(fs::exists(data / "replaced-20270115T080100Z-2" / "helpline.db"));
}

TEST_CASE("restore into a new data folder makes it, private, and keeps nothing aside") {
    TempDir dir;
    make_team(dir / "data");
    Output o;
    REQUIRE(backup_command(TeamData{dir / "data", {}}, dir / "team.backup", kNow, o.io()) == 0);
    const fs::path fresh = dir / "elsewhere" / "data";
    REQUIRE(restore_command(TeamData{fresh, {}}, dir / "team.backup", kNow, o.io()) == 0);
    CHECK(user_count(fresh) == 1);
    CHECK((fs::status(fresh).permissions() & fs::perms::all) == fs::perms::owner_all);
    CHECK(o.out.str().find("replaced") == std::string::npos);
    for (const auto& e : fs::directory_iterator(fresh))
        CHECK(e.path().filename().string().rfind("replaced-", 0) != 0);
}

TEST_CASE(
    "restore refuses a missing file, a file that is not a backup, a damaged one and a newer "
    "schema") {
    TempDir dir;
    const fs::path data = dir / "data";
    make_team(data);
    Output made;
    REQUIRE(backup_command(TeamData{data, {}}, dir / "good.backup", kNow, made.io()) == 0);
    const auto before = listing(data);

    const auto refused = [&](const fs::path& from, const std::string& says) {
        Output o;
        CHECK(restore_command(TeamData{data, {}}, from, kNow, o.io()) == 1);
        INFO(o.err.str());
        CHECK(o.err.str().find(says) != std::string::npos);
        CHECK(o.out.str().empty());
        CHECK(listing(data) == before);  // not a file added, moved or left behind
        CHECK(user_count(data) == 1);
    };
    SECTION("missing") {
        refused(dir / "nowhere.backup", "there is no backup file");
    }
    SECTION("not SQLite") {
        test::write_text(dir / "notes.txt",
                         "not a database at all, but long enough to have a header\n");
        refused(dir / "notes.txt",
                "is not a backup made by helpline-server backup: it is not a SQLite database");
    }
    SECTION("a SQLite database that is not a backup: the team's own database") {
        fs::copy_file(database_path(data), dir / "plain.db");
        refused(dir / "plain.db", "is not a backup made by helpline-server backup");
    }
    SECTION("damaged") {
        const auto size = fs::file_size(dir / "good.backup");
        std::fstream f(dir / "good.backup", std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(size / 2 / 4096 * 4096));
        const std::string garbage(4096, '\xa5');
        f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
        f.close();
        refused(dir / "good.backup", "is damaged");
    }
    SECTION("of a newer server") {
        test::SqliteFile((dir / "good.backup").string()).exec("PRAGMA user_version = 999");
        refused(dir / "good.backup", "was written by a newer Helpline server (schema version 999");
    }
}

TEST_CASE(
    "restore is refused while a server holds the data folder, and a server does not start during a "
    "restore") {
    TempDir dir;
    const fs::path data = dir / "data";
    make_team(data);
    Output made;
    REQUIRE(backup_command(TeamData{data, {}}, dir / "team.backup", kNow, made.io()) == 0);
    {
        // What `run` holds while serving; several servers may share the folder.
        auto serving = DataLock::acquire(data, DataLock::Kind::shared);
        REQUIRE(serving);
        auto another = DataLock::acquire(data, DataLock::Kind::shared);
        CHECK(another);
        Output o;
        CHECK(restore_command(TeamData{data, {}}, dir / "team.backup", kNow, o.io()) == 1);
        CHECK(o.err.str().find("a helpline-server is running on the data folder") !=
              std::string::npos);
        CHECK_FALSE(fs::exists(data / "replaced-20270115T080000Z"));
    }
    auto restoring = DataLock::acquire(data, DataLock::Kind::exclusive);
    REQUIRE(restoring);
    auto server = DataLock::acquire(data, DataLock::Kind::shared);
    REQUIRE_FALSE(server);
    CHECK(server.error().code == data_lock_error::kInUse);
}

TEST_CASE(
    "backup and restore of a team on PostgreSQL are refused, pointing to pg_dump and pg_restore") {
    TempDir dir;
    const TeamData team{dir.path(), "postgresql://helpline@db.example/helpline"};
    Output b;
    CHECK(backup_command(team, dir / "x.backup", kNow, b.io()) == 1);
    CHECK(b.err.str().find("pg_dump --format=custom") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "x.backup"));
    Output r;
    CHECK(restore_command(team, dir / "x.backup", kNow, r.io()) == 1);
    CHECK(r.err.str().find("pg_restore") != std::string::npos);
}

TEST_CASE("backup refuses to write over the team's own database and a missing team") {
    TempDir dir;
    make_team(dir / "data");
    Output o;
    CHECK(backup_command(TeamData{dir / "data", {}}, dir / "data" / "helpline.db", kNow, o.io()) ==
          1);
    CHECK(o.err.str().find("names the team's own database") != std::string::npos);
    CHECK(user_count(dir / "data") == 1);
    // A folder that is not there: an error, and nothing written anywhere.
    Output nowhere;
    CHECK(backup_command(TeamData{dir / "data", {}}, dir / "missing" / "x.backup", kNow,
                         nowhere.io()) == 1);
    CHECK(nowhere.err.str().find("missing") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "missing"));
    Output none;
    CHECK(backup_command(TeamData{dir / "empty", {}}, dir / "x.backup", kNow, none.io()) == 1);
    CHECK(none.err.str().find("there is no Helpline data") != std::string::npos);
}

}  // namespace helpline::server
