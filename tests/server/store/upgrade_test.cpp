// Upgrades (issue 19): a team's database written by an earlier server — kept in
// tests/fixtures/schema as that server dumped it, with data in every corner
// (make_fixture.sh) — opens with this one, is migrated to the latest schema, and keeps every
// row and every value it had. Every released schema version's fixture is checked.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "server/store/migrations.h"
#include "server/store/sqlite_db.h"
#include "server/store/store.h"
#include "tests/support/fixtures.h"
#include "tests/support/sqlite_snapshot.h"

using namespace helpline;
using helpline::test::SqliteFile;
using helpline::test::TempDir;
namespace fs = std::filesystem;

namespace {

/// The fixtures, oldest first: (schema version, dump).
std::vector<std::pair<int, fs::path>> schema_fixtures() {
    std::vector<std::pair<int, fs::path>> found;
    const std::regex name(R"(v(\d+)\.sql)");
    for (const auto& entry : fs::directory_iterator(test::fixture("schema"))) {
        std::smatch m;
        const std::string file = entry.path().filename().string();
        if (std::regex_match(file, m, name)) found.emplace_back(std::stoi(m[1]), entry.path());
    }
    std::sort(found.begin(), found.end());
    return found;
}

}  // namespace

TEST_CASE("a database from every earlier schema version opens, migrates and keeps every row", "[sqlite]") {
    const auto fixtures = schema_fixtures();
    REQUIRE_FALSE(fixtures.empty());
    const int latest = server::sqlite_migrations().back().version;
    for (const auto& [version, dump] : fixtures) {
        INFO("fixture " << dump.filename().string());
        CHECK(version < latest);  // a fixture of the current version proves nothing
        TempDir dir;
        const std::string path = (dir / "helpline.db").string();
        test::DatabaseContent before;
        {
            SqliteFile db(path, /*create=*/true);
            db.exec(test::read_text(dump));
            REQUIRE(db.value("PRAGMA user_version") == std::to_string(version));
            before = db.content();
        }
        REQUIRE(before.count("tickets") == 1);
        REQUIRE_FALSE(before.at("tickets").rows.empty());
        REQUIRE_FALSE(before.at("audit_log").rows.empty());

        auto store = server::open_store(path);
        REQUIRE(store.ok());
        CHECK(store.value()->count_open_tickets() > 0);
        store.value().reset();

        SqliteFile db(path);
        CHECK(db.value("PRAGMA user_version") == std::to_string(latest));
        CHECK(db.value("PRAGMA integrity_check") == "ok");
        CHECK(db.column("PRAGMA foreign_key_check").empty());
        // Every table and column of the old schema is still there with the same values; new
        // columns and tables may have been added.
        for (const auto& [table, old] : before) {
            INFO("table " << table);
            const auto columns = db.columns_of(table);
            for (const auto& column : old.columns)
                CHECK(std::find(columns.begin(), columns.end(), column) != columns.end());
            CHECK(db.rows_of(table, old.columns) == old.rows);
        }
    }
}

TEST_CASE("every fixture was written by the migrations this server still has", "[sqlite]") {
    // A released migration is never edited: the schema this server makes up to a fixture's
    // version is the schema the fixture holds, table for table and column for column.
    for (const auto& [version, dump] : schema_fixtures()) {
        INFO("fixture " << dump.filename().string());
        TempDir dir;
        SqliteFile fixture((dir / "fixture.db").string(), true);
        fixture.exec(test::read_text(dump));
        {
            auto made = server::SqliteDb::open((dir / "made.db").string());
            const auto all = server::sqlite_migrations();
            REQUIRE(server::migrate(*made, all.first(static_cast<std::size_t>(version))).ok());
        }
        SqliteFile made((dir / "made.db").string());
        const std::string schema = "SELECT type || ' ' || name || ': ' || sql FROM sqlite_master "
                                   "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name";
        CHECK(made.column(schema) == fixture.column(schema));
    }
}
