// Upgrades with the real server (issue 19): a team's database written by the previous
// schema version (tests/fixtures/schema, made by that version's server with
// make_fixture.sh) is migrated when the new server starts on it, and the team finds its
// tickets as that server showed them — customers through their devices, operators in the
// queue and the history. A migration that fails leaves the database as it was, and the
// server says why and exits; a database from a newer server is refused the same way.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "server/store/migrations.h"
#include "tests/server/e2e/e2e_fixture.h"
#include "tests/support/sqlite_snapshot.h"

namespace helpline::test::e2e {
namespace {

namespace fs = std::filesystem;

/// The newest schema fixture: the previous released version's database.
struct PreviousVersion {
    int version = 0;
    fs::path dump;
    Json facts;

    PreviousVersion() {
        const std::regex name(R"(v(\d+)\.sql)");
        for (const auto& entry : fs::directory_iterator(fixture("schema"))) {
            std::smatch m;
            const std::string file = entry.path().filename().string();
            if (std::regex_match(file, m, name) && std::stoi(m[1]) > version) {
                version = std::stoi(m[1]);
                dump = entry.path();
            }
        }
        REQUIRE(version > 0);
        facts = Json::parse(read_text(fixture("schema/v" + std::to_string(version) + ".json")));
    }

    /// A data folder holding the fixture's database; `more_sql` runs on it afterwards.
    fs::path data_folder(const TempDir& dir, const std::string& more_sql = {}) const {
        const fs::path data = dir / "data";
        fs::create_directories(data);
        fs::permissions(data, fs::perms::owner_all, fs::perm_options::replace);
        SqliteFile db((data / "helpline.db").string(), /*create=*/true);
        db.exec(read_text(dump));
        if (!more_sql.empty()) db.exec(more_sql);
        return data;
    }
};

/// Whether every field `old` has is in `now` with the same value (objects compared field by
/// field, arrays element by element): what a newer server answers may only add fields.
bool keeps(const Json& old, const Json& now, const std::string& where, std::vector<std::string>& differences) {
    if (old.is_object()) {
        if (!now.is_object()) return differences.push_back(where + ": no longer an object"), false;
        bool same = true;
        for (const auto& [key, value] : old.items()) {
            if (!now.contains(key)) {
                differences.push_back(where + "." + key + ": gone");
                same = false;
            } else {
                same = keeps(value, now.at(key), where + "." + key, differences) && same;
            }
        }
        return same;
    }
    if (old.is_array()) {
        if (!now.is_array() || now.size() != old.size())
            return differences.push_back(where + ": " + std::to_string(old.size()) + " items, now " + now.dump()), false;
        bool same = true;
        for (std::size_t i = 0; i < old.size(); ++i)
            same = keeps(old[i], now[i], where + "[" + std::to_string(i) + "]", differences) && same;
        return same;
    }
    if (old != now) return differences.push_back(where + ": " + old.dump() + ", now " + now.dump()), false;
    return true;
}

/// The fields of a queue or history answer that change with the clock alone.
Json without_clock_fields(Json answer) {
    for (auto& list : answer.items()) {
        if (!list.value().is_array()) continue;
        for (auto& item : list.value())
            if (item.is_object()) item.erase("waiting_s");
    }
    return answer;
}

CurlResponse call(const ServerProcess& server, const std::string& method, const std::string& path,
                  const std::string& token, const std::optional<Json>& body = {},
                  std::vector<std::string> headers = {}) {
    CurlOptions o;
    o.method = method;
    o.headers = std::move(headers);
    o.headers.push_back("Authorization: Bearer " + token);
    if (body) {
        o.headers.push_back("Content-Type: application/json");
        o.body = body->dump();
    }
    return curl_request(server.url(path), o);
}

/// The first thing migration `version` makes that can be made beforehand, made beforehand:
/// that migration then fails as one would on a database someone changed by hand. An SQL
/// statement for the fixture's database.
std::string conflict_for_migration(int version) {
    const auto all = server::sqlite_migrations();
    REQUIRE(static_cast<std::size_t>(version) <= all.size());
    const std::string sql = all[static_cast<std::size_t>(version) - 1].sql;
    std::smatch m;
    const std::regex create(R"(CREATE TABLE (\w+))"), add(R"(ALTER TABLE (\w+) ADD COLUMN (\w+) )");
    if (std::regex_search(sql, m, create)) return "CREATE TABLE " + m[1].str() + " (made_by_hand INTEGER);";
    if (std::regex_search(sql, m, add))
        return "ALTER TABLE " + m[1].str() + " ADD COLUMN " + m[2].str() + " TEXT;";
    FAIL("migration " << version << " creates no table and adds no column: give this test another conflict");
    return {};
}

}  // namespace

TEST_CASE("the previous schema version's database is migrated at start and served as before", "[sqlite]") {
    const PreviousVersion previous;
    TempDir dir;
    const fs::path data = previous.data_folder(dir);
    // `init` finds the team and changes nothing; `run` migrates and serves it.
    ServerProcess server(kServerBin, data, {}, "");
    // The fixture's open tickets stay open whenever this runs (the longest time allowed,
    // ten years from when the fixture was made), not expired by the server's sweep.
    auto args = unlimited_args();
    args.insert(args.end(), {"--ticket-ttl", "315360000"});
    server.start(args);
    {
        SqliteFile db((data / "helpline.db").string());
        CHECK(db.value("PRAGMA user_version") == std::to_string(server::sqlite_migrations().back().version));
    }

    // Each customer sees their tickets as before, through the device they sent them from.
    for (const auto& [name, token] : previous.facts.at("devices").items()) {
        INFO("device " << name);
        const auto mine = call(server, "GET", "/api/v1/devices/me/tickets", token.get<std::string>());
        REQUIRE(mine.status == 200);
        std::vector<std::string> differences;
        keeps(previous.facts.at("device_tickets").at(name), body_json(mine).at("tickets"), name, differences);
        for (const auto& d : differences) UNSCOPED_INFO(d);
        CHECK(differences.empty());
    }
    // The team signs in with the same password and finds its queue and history as before.
    CurlOptions login;
    login.method = "POST";
    login.headers = {"Content-Type: application/json"};
    login.body = Json{{"email", previous.facts.at("admin").at("email")},
                      {"password", previous.facts.at("admin").at("password")}}
                     .dump();
    const auto signed_in = curl_request(server.url("/api/v1/auth/login"), login);
    REQUIRE(signed_in.status == 200);
    const std::string admin = body_json(signed_in).at("token").get<std::string>();
    for (const char* view : {"queue", "history"}) {
        INFO(view);
        const auto now = call(server, "GET", std::string("/api/v1/") + view, admin);
        REQUIRE(now.status == 200);
        std::vector<std::string> differences;
        keeps(without_clock_fields(previous.facts.at(view)), without_clock_fields(body_json(now)), view, differences);
        for (const auto& d : differences) UNSCOPED_INFO(d);
        CHECK(differences.empty());
    }
    // And carries on: an old ticket takes a reply from the customer (conversations came
    // after it was written), and new tickets get the next numbers.
    const auto ana = previous.facts.at("devices").at("ana").get<std::string>();
    const auto open = previous.facts.at("tickets").at("open").get<std::int64_t>();
    const auto reply = call(server, "POST", "/api/v1/tickets/" + std::to_string(open) + "/messages", ana,
                            Json{{"body", "It still prints blank pages."}}, {"Idempotency-Key: " + new_uuid()});
    INFO(reply.body);
    CHECK(reply.status == 201);
    const auto submitted = call(server, "POST", "/api/v1/tickets", ana, ticket_body("After the upgrade."),
                                {"Idempotency-Key: " + new_uuid()});
    REQUIRE(submitted.status == 201);
    std::int64_t highest = 0;
    for (const auto& [_, number] : previous.facts.at("tickets").items()) highest = std::max(highest, number.get<std::int64_t>());
    CHECK(body_json(submitted).at("number").get<std::int64_t>() > highest);
}

TEST_CASE("a migration that fails leaves the database as it was and the server says why and exits", "[sqlite]") {
    const PreviousVersion previous;
    TempDir dir;
    const fs::path data = previous.data_folder(dir, conflict_for_migration(previous.version + 1));
    const std::string database = (data / "helpline.db").string();
    DatabaseContent before = SqliteFile(database).content();

    const auto run = run_program({kServerBin, "run", "--data", data.string(), "--listen", "127.0.0.1:0"});
    CHECK(run.exit_code == 1);
    INFO(run.err);
    CHECK_THAT(run.err, Catch::Contains("Could not upgrade the database") &&
                            Catch::Contains("to schema version " + std::to_string(previous.version + 1)) &&
                            Catch::Contains("it is left as it was"));
    SqliteFile db(database);
    CHECK(db.value("PRAGMA user_version") == std::to_string(previous.version));
    CHECK(db.content() == before);
    CHECK(db.value("PRAGMA integrity_check") == "ok");
}

TEST_CASE("a database written by a newer server is refused at start, untouched", "[sqlite]") {
    const PreviousVersion previous;
    TempDir dir;
    const int newer = server::sqlite_migrations().back().version + 1;
    const fs::path data = previous.data_folder(dir, "PRAGMA user_version = " + std::to_string(newer) + ";");
    const std::string database = (data / "helpline.db").string();
    const DatabaseContent before = SqliteFile(database).content();

    for (const std::vector<std::string>& command :
         {std::vector<std::string>{kServerBin, "run", "--data", data.string(), "--listen", "127.0.0.1:0"},
          std::vector<std::string>{kServerBin, "user", "list", "--data", data.string()}}) {
        INFO(command[1]);
        const auto refused = run_program(command);
        CHECK(refused.exit_code == 1);
        INFO(refused.err);
        CHECK_THAT(refused.err, Catch::Contains("was written by a newer Helpline server") &&
                                    Catch::Contains("schema version " + std::to_string(newer)) &&
                                    Catch::Contains("restore a backup made before the upgrade"));
    }
    SqliteFile db(database);
    CHECK(db.value("PRAGMA user_version") == std::to_string(newer));
    CHECK(db.content() == before);
}

}  // namespace helpline::test::e2e
