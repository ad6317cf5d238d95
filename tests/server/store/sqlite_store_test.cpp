// The store on either engine (store_fixture.h): opening, migrations, durability, and the
// team's records (settings, users, groups, organizations, devices, sessions, profiles,
// audit). Tickets, requests and events are in sqlite_store_tickets_test.cpp.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <set>
#include <vector>

#include "server/store/copy_database.h"
#include "server/store/migrations.h"
#include "server/store/sqlite_db.h"
#include "tests/server/store/store_fixture.h"

using namespace helpline;
using namespace helpline::server;
using helpline::test::StoreFixture;
using helpline::test::TempDir;

namespace {

std::int64_t schema_version(const std::string& database) {
    return helpline::test::open_raw(database)->schema_version();
}

/// A new empty database of the engine under test, for the migration runner's own tests.
struct EmptyDatabase {
    TempDir dir;
    std::unique_ptr<Db> db = helpline::test::open_raw(
        helpline::test::testing_postgres() ? helpline::test::fresh_postgres_url() : (dir / "x.db").string());
};

}  // namespace

// ---------------------------------------------------------------------------------------
// Opening and migrations

TEST_CASE("opening creates the database file, and a fresh store is healthy and empty", "[sqlite]") {
    StoreFixture f;
    CHECK(std::filesystem::exists(f.path));
    CHECK(f.store->healthy());
    CHECK(f.store->count_open_tickets() == 0);
    CHECK(f.store->users().empty());
    CHECK(f.store->groups().empty());
}

TEST_CASE("the store is not healthy while another process holds the write lock, and answers soon", "[sqlite]") {
    StoreFixture f;
    REQUIRE(f.store->healthy());
    {
        auto other = SqliteDb::open(f.path);
        other->exec("BEGIN IMMEDIATE");
        const auto started = std::chrono::steady_clock::now();
        CHECK_FALSE(f.store->healthy());
        const auto waited = std::chrono::steady_clock::now() - started;
        CHECK(waited >= std::chrono::milliseconds(900));  // it did wait for the lock
        CHECK(waited < std::chrono::seconds(3));          // but not a request's 5 s
        other->exec("ROLLBACK");
    }
    CHECK(f.store->healthy());
    f.submit_at(1000);  // and the probe left no transaction open behind it
    CHECK(f.store->count_open_tickets() == 1);
}

TEST_CASE("a connection runs in WAL mode with synchronous FULL and foreign keys on", "[sqlite]") {
    TempDir dir;
    auto db = SqliteDb::open((dir / "x.db").string());
    CHECK(db->query_int64("PRAGMA synchronous") == 2);  // FULL
    CHECK(db->query_int64("PRAGMA foreign_keys") == 1);
    auto mode = db->prepare("PRAGMA journal_mode");
    REQUIRE(mode.step());
    CHECK(mode.text(0) == "wal");
}

TEST_CASE("migrations run once and the schema version is recorded") {
    StoreFixture f;
    const int latest = sqlite_migrations().back().version;
    f.add_group("helpdesk");
    f.store.reset();
    CHECK(schema_version(f.path) == latest);
    // Migration 1 creates the tables: were it run again, opening would fail.
    f.reopen();
    CHECK(schema_version(f.path) == latest);
    CHECK(f.store->group("helpdesk").has_value());
}

TEST_CASE("the embedded migrations are numbered 1, 2, ... without gaps") {
    int expected = 1;
    for (const Migration& m : sqlite_migrations()) CHECK(m.version == expected++);
}

TEST_CASE("a later migration is applied alone to a database at an earlier version") {
    EmptyDatabase empty;
    auto& db = empty.db;
    const std::vector<Migration> first = {{1, "CREATE TABLE t (x INTEGER)"}};
    REQUIRE(migrate(*db, first).ok());
    const std::vector<Migration> both = {{1, "CREATE TABLE t (x INTEGER)"},
                                         {2, "INSERT INTO t (x) VALUES (42)"}};
    REQUIRE(migrate(*db, both).ok());
    REQUIRE(migrate(*db, both).ok());  // nothing left to do: 42 is inserted once
    CHECK(db->schema_version() == 2);
    CHECK(db->query_int64("SELECT COUNT(*) FROM t") == 1);
}

TEST_CASE("a failing migration leaves the database at its previous version") {
    EmptyDatabase empty;
    auto& db = empty.db;
    const std::vector<Migration> list = {
        {1, "CREATE TABLE t (x INTEGER)"},
        {2, "CREATE TABLE u (y INTEGER); INSERT INTO no_such_table VALUES (1)"}};
    auto r = migrate(*db, list);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == store_error::kIo);
    CHECK_THAT(r.error().message, Catch::Contains("schema version 2"));
    CHECK(db->schema_version() == 1);
    CHECK_THROWS_AS(db->query_int64("SELECT COUNT(*) FROM u"), DbException);  // rolled back
}

TEST_CASE("a database written by a newer server is refused with a clear error") {
    StoreFixture f;
    f.store.reset();
    {
        auto db = f.raw();
        Transaction tx(*db);
        db->set_schema_version(99);
        tx.commit();
    }
    auto r = open_store(f.path);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == store_error::kNewerSchema);
    CHECK_THAT(r.error().message, Catch::Contains("newer Helpline server"));
    CHECK_THAT(r.error().message, Catch::Contains("99"));
    CHECK_THAT(r.error().message, Catch::Contains(f.path));
    CHECK(r.error().where == f.path);
}

TEST_CASE("a file that is not a database is refused and named", "[sqlite]") {
    TempDir dir;
    const auto path = (dir / "notes.txt").string();
    helpline::test::write_text(path, std::string(4096, 'x'));
    auto r = open_sqlite_store(path);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == store_error::kIo);
    CHECK_THAT(r.error().message, Catch::Contains(path));
}

TEST_CASE("a database in a missing folder cannot be opened", "[sqlite]") {
    TempDir dir;
    auto r = open_sqlite_store((dir / "no" / "such" / "helpline.db").string());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == store_error::kIo);
    CHECK_THAT(r.error().message, Catch::Contains("no/such/helpline.db"));
}

TEST_CASE("everything written survives closing and reopening the database") {
    StoreFixture f;
    REQUIRE(f.store->set_setting("team_name", "Acme").ok());
    const auto alice = f.add_user("alice@acme.example", Role::admin);
    f.add_group("helpdesk");
    REQUIRE(f.store->set_group_members("helpdesk", {alice}).ok());
    REQUIRE(f.store->add_organization({"acme.example", "Acme"}).ok());
    f.add_device("dev1");
    NewTicket t;
    t.device_id = "dev1";
    t.email = "bob@acme.example";
    t.description = "Help";
    t.group_id = "helpdesk";
    t.created_at = 1000;
    auto submitted = f.store->submit_ticket(t, "key-1", "hash-1");
    REQUIRE(submitted.ok());
    REQUIRE(f.store->append_event({0, "dev1", "ticket-updated", "{}", 1000}).ok());
    REQUIRE(f.store->add_session({"sess", alice, "csrf", 1, 2}).ok());
    REQUIRE(f.store->put_profile({"acme-support", 3, "{envelope}", "KEY", 5}).ok());
    REQUIRE(f.store->audit({0, 7, "system", "expired", std::nullopt, "", "", "{}"}).ok());

    f.reopen();

    CHECK(f.store->setting("team_name") == "Acme");
    REQUIRE(f.store->user_by_email("alice@acme.example"));
    CHECK(f.store->group_members("helpdesk") == std::vector<UserId>{alice});
    CHECK(f.store->organizations().size() == 1);
    CHECK(f.store->device("dev1").has_value());
    const auto ticket = f.store->ticket(submitted->ticket.number);
    REQUIRE(ticket);
    CHECK(ticket->email == "bob@acme.example");
    // The idempotency key is as durable as the ticket: a retry after a restart is known.
    auto retry = f.store->submit_ticket(t, "key-1", "hash-1");
    REQUIRE(retry.ok());
    CHECK_FALSE(retry->created);
    CHECK(retry->ticket.number == submitted->ticket.number);
    CHECK(f.store->events_after("dev1", 0, 10).size() == 1);
    CHECK(f.store->session("sess").has_value());
    CHECK(f.store->profile("acme-support").has_value());
    CHECK(f.store->audit_log(10).size() == 1);
}

// ---------------------------------------------------------------------------------------
// Settings

TEST_CASE("a setting is absent until set, then replaced by the next value") {
    StoreFixture f;
    CHECK_FALSE(f.store->setting("team_name"));
    REQUIRE(f.store->set_setting("team_name", "Acme").ok());
    REQUIRE(f.store->set_setting("team_name", "Acme Corp").ok());
    CHECK(f.store->setting("team_name") == "Acme Corp");
}

// ---------------------------------------------------------------------------------------
// Users

TEST_CASE("a user gets an id and is found by id and by email in any case") {
    StoreFixture f;
    User u;
    u.email = "Alice@Acme.example";
    u.name = "Alice";
    u.role = Role::admin;
    u.password_hash = "$argon2id$x";
    u.notify_email = true;
    u.created_at = 123;
    auto added = f.store->add_user(u);
    REQUIRE(added.ok());
    CHECK(added->id > 0);

    const auto by_id = f.store->user(added->id);
    REQUIRE(by_id);
    CHECK(by_id->email == "Alice@Acme.example");  // kept as typed
    CHECK(by_id->role == Role::admin);
    CHECK(by_id->notify_email);
    CHECK_FALSE(by_id->disabled);
    CHECK(by_id->created_at == 123);
    const auto by_email = f.store->user_by_email("alice@ACME.EXAMPLE");
    REQUIRE(by_email);
    CHECK(by_email->id == added->id);
    CHECK_FALSE(f.store->user(added->id + 100));
    CHECK_FALSE(f.store->user_by_email("nobody@acme.example"));
}

TEST_CASE("a second user with the same email in another case is a conflict") {
    StoreFixture f;
    f.add_user("alice@acme.example");
    User u;
    u.email = "ALICE@acme.example";
    u.name = "Other";
    auto r = f.store->add_user(u);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == store_error::kConflict);
    CHECK(r.error().message == "A user with the email \"ALICE@acme.example\" already exists.");
    CHECK(f.store->users().size() == 1);
}

TEST_CASE("updating a user changes every field but id and created_at") {
    StoreFixture f;
    const auto id = f.add_user("alice@acme.example");
    f.add_user("bob@acme.example");
    User changed;
    changed.id = id;
    changed.email = "alice.new@acme.example";
    changed.name = "Alice N.";
    changed.role = Role::admin;
    changed.password_hash = "$argon2id$new";
    changed.disabled = true;
    changed.notify_email = true;
    changed.created_at = 999;
    REQUIRE(f.store->update_user(changed).ok());
    const auto u = f.store->user(id);
    REQUIRE(u);
    CHECK(u->email == "alice.new@acme.example");
    CHECK(u->name == "Alice N.");
    CHECK(u->role == Role::admin);
    CHECK(u->password_hash == "$argon2id$new");
    CHECK(u->disabled);
    CHECK(u->notify_email);
    CHECK(u->created_at == 100);

    SECTION("keeping one's own email in another case is fine") {
        changed.email = "ALICE.NEW@acme.example";
        CHECK(f.store->update_user(changed).ok());
    }
    SECTION("taking another user's email is a conflict") {
        changed.email = "Bob@acme.example";
        CHECK(f.store->update_user(changed).error().code == store_error::kConflict);
    }
    SECTION("an unknown user is not found") {
        changed.id = 4242;
        auto r = f.store->update_user(changed);
        CHECK(r.error().code == store_error::kNotFound);
        CHECK(r.error().message == "There is no user with the id 4242.");
    }
}

TEST_CASE("users are listed in the order they were added") {
    StoreFixture f;
    const auto a = f.add_user("zed@acme.example");
    const auto b = f.add_user("amy@acme.example");
    const auto all = f.store->users();
    REQUIRE(all.size() == 2);
    CHECK(all[0].id == a);
    CHECK(all[1].id == b);
}

// ---------------------------------------------------------------------------------------
// Groups

TEST_CASE("groups are added, renamed and listed by id") {
    StoreFixture f;
    REQUIRE(f.store->add_group({"second-line", "Second line"}).ok());
    REQUIRE(f.store->add_group({"first-line", "First line"}).ok());
    REQUIRE(f.store->rename_group("first-line", "Front desk").ok());
    const auto all = f.store->groups();
    REQUIRE(all.size() == 2);
    CHECK(all[0].id == "first-line");
    CHECK(all[0].name == "Front desk");
    CHECK(f.store->group("second-line")->name == "Second line");
    CHECK_FALSE(f.store->group("third-line"));
}

TEST_CASE("a group id that is taken is a conflict, an unknown one is not found") {
    StoreFixture f;
    f.add_group("sales");
    auto dup = f.store->add_group({"sales", "Again"});
    CHECK(dup.error().code == store_error::kConflict);
    CHECK(dup.error().message == "A group with the id \"sales\" already exists.");
    auto rename = f.store->rename_group("support", "X");
    CHECK(rename.error().code == store_error::kNotFound);
    CHECK(rename.error().message == "There is no group \"support\".");
    CHECK(f.store->delete_group("support").error().code == store_error::kNotFound);
    CHECK(f.store->set_group_members("support", {}).error().code == store_error::kNotFound);
}

TEST_CASE("setting a group's members replaces them") {
    StoreFixture f;
    f.add_group("helpdesk");
    f.add_group("sales");
    const auto a = f.add_user("a@acme.example");
    const auto b = f.add_user("b@acme.example");
    const auto c = f.add_user("c@acme.example");
    REQUIRE(f.store->set_group_members("helpdesk", {b, a, a}).ok());
    CHECK(f.store->group_members("helpdesk") == std::vector<UserId>{a, b});
    REQUIRE(f.store->set_group_members("helpdesk", {c}).ok());
    CHECK(f.store->group_members("helpdesk") == std::vector<UserId>{c});
    REQUIRE(f.store->set_group_members("sales", {c}).ok());
    CHECK(f.store->groups_of(c) == std::vector<std::string>{"helpdesk", "sales"});
    CHECK(f.store->groups_of(a).empty());
    CHECK(f.store->group_members("nothing").empty());
}

TEST_CASE("a member list naming an unknown user changes nothing") {
    StoreFixture f;
    f.add_group("helpdesk");
    const auto a = f.add_user("a@acme.example");
    REQUIRE(f.store->set_group_members("helpdesk", {a}).ok());
    auto r = f.store->set_group_members("helpdesk", {a, 777});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == store_error::kNotFound);
    CHECK(r.error().message == "There is no user with the id 777.");
    CHECK(f.store->group_members("helpdesk") == std::vector<UserId>{a});
}

// ---------------------------------------------------------------------------------------
// Organizations

TEST_CASE("an organization's domain is stored lower-case and is unique in any case") {
    StoreFixture f;
    REQUIRE(f.store->add_organization({"Acme.Example", "Acme"}).ok());
    REQUIRE(f.store->add_organization({"beta.example", "Beta"}).ok());
    const auto all = f.store->organizations();
    REQUIRE(all.size() == 2);
    CHECK(all[0].domain == "acme.example");
    CHECK(all[0].name == "Acme");
    auto dup = f.store->add_organization({"ACME.example", "Acme again"});
    CHECK(dup.error().code == store_error::kConflict);
    CHECK(dup.error().message ==
          "An organization with the domain \"acme.example\" already exists.");
}

TEST_CASE("an organization is removed by its domain in any case, an unknown one is not found") {
    StoreFixture f;
    REQUIRE(f.store->add_organization({"acme.example", "Acme"}).ok());
    REQUIRE(f.store->remove_organization("ACME.EXAMPLE").ok());
    CHECK(f.store->organizations().empty());
    auto r = f.store->remove_organization("acme.example");
    CHECK(r.error().code == store_error::kNotFound);
    CHECK(r.error().message == "There is no organization with the domain \"acme.example\".");
}

// ---------------------------------------------------------------------------------------
// Devices

TEST_CASE("every team change raises the team revision, as another connection sees it") {
    StoreFixture f;
    auto other = helpline::test::open_store(f.path);  // as the CLI on the same file
    std::int64_t last = f.store->team_revision();
    const auto raised = [&] {
        const auto now = other->team_revision();
        const bool up = now > last;
        last = now;
        return up;
    };
    const auto op = f.add_user("op@acme.example");
    CHECK(raised());
    auto u = *f.store->user(op);
    u.name = "Renamed";
    REQUIRE(f.store->update_user(u).ok());
    CHECK(raised());
    f.add_group("helpdesk");
    CHECK(raised());
    REQUIRE(f.store->rename_group("helpdesk", "Help desk").ok());
    CHECK(raised());
    REQUIRE(f.store->set_group_members("helpdesk", {op}).ok());
    CHECK(raised());
    REQUIRE(f.store->add_organization({"acme.example", "Acme"}).ok());
    CHECK(raised());
    REQUIRE(f.store->remove_organization("acme.example").ok());
    CHECK(raised());
    REQUIRE(f.store->delete_group("helpdesk").ok());
    CHECK(raised());
    // Refused changes and everything else leave it.
    CHECK_FALSE(f.store->rename_group("helpdesk", "x").ok());
    CHECK_FALSE(f.store->remove_organization("acme.example").ok());
    f.submit_at(1000);
    CHECK_FALSE(raised());
}

TEST_CASE("a device is found by id and by token hash, and touching it updates last_seen_at") {
    StoreFixture f;
    f.add_device("dev1");
    f.add_device("dev3");
    const auto d = f.store->device_by_token_hash("token-of-dev1");
    REQUIRE(d);
    CHECK(d->id == "dev1");
    CHECK(d->hostname == "host-dev1");
    CHECK(d->client_version == "0.1.0");
    CHECK_FALSE(f.store->device("dev2"));
    CHECK_FALSE(f.store->device_by_token_hash("nope"));
    // One batch: a device no longer registered is skipped, the others written.
    REQUIRE(f.store->touch_devices({{"dev1", 777}, {"dev2", 1}, {"dev3", 778}}).ok());
    CHECK(f.store->device("dev1")->last_seen_at == 777);
    CHECK(f.store->device("dev3")->last_seen_at == 778);
    CHECK(f.store->device("dev1")->created_at == 50);
    CHECK_FALSE(f.store->device("dev2"));
    // Never back in time (an older batch after a newer one, from another server).
    REQUIRE(f.store->touch_devices({{"dev1", 700}}).ok());
    CHECK(f.store->device("dev1")->last_seen_at == 777);
    CHECK(f.store->touch_devices({}).ok());
}

TEST_CASE("a device id or token hash that is taken is a conflict") {
    StoreFixture f;
    f.add_device("dev1");
    Device same_id{"dev1", "other-token", "p", "h", "linux", "0.1.0", 1, 1};
    CHECK(f.store->add_device(same_id).error().code == store_error::kConflict);
    Device same_token{"dev2", "token-of-dev1", "p", "h", "linux", "0.1.0", 1, 1};
    CHECK(f.store->add_device(same_token).error().code == store_error::kConflict);
}

// ---------------------------------------------------------------------------------------
// Operator sessions

TEST_CASE("operator sessions are added, found and deleted one by one or per user") {
    StoreFixture f;
    const auto a = f.add_user("a@acme.example");
    const auto b = f.add_user("b@acme.example");
    REQUIRE(f.store->add_session({"s1", a, "csrf1", 10, 20}).ok());
    REQUIRE(f.store->add_session({"s2", a, "csrf2", 10, 20}).ok());
    REQUIRE(f.store->add_session({"s3", b, "csrf3", 10, 20}).ok());
    const auto s = f.store->session("s1");
    REQUIRE(s);
    CHECK(s->user_id == a);
    CHECK(s->csrf_token == "csrf1");
    CHECK(s->expires_at == 20);
    CHECK(f.store->add_session({"s1", b, "x", 1, 2}).error().code == store_error::kConflict);
    CHECK(f.store->add_session({"s9", 999, "x", 1, 2}).error().code == store_error::kNotFound);

    REQUIRE(f.store->delete_session("s3").ok());
    CHECK_FALSE(f.store->session("s3"));
    CHECK(f.store->delete_session("s3").error().code == store_error::kNotFound);
    REQUIRE(f.store->delete_user_sessions(a).ok());
    CHECK_FALSE(f.store->session("s1"));
    CHECK_FALSE(f.store->session("s2"));
}

// ---------------------------------------------------------------------------------------
// Published profiles and audit

TEST_CASE("putting a profile replaces the one with the same id") {
    StoreFixture f;
    REQUIRE(f.store->put_profile({"acme-support", 1, "env1", "KEY", 10}).ok());
    REQUIRE(f.store->put_profile({"beta-help", 1, "envB", "KEY", 11}).ok());
    REQUIRE(f.store->put_profile({"acme-support", 2, "env2", "KEY2", 12}).ok());
    const auto p = f.store->profile("acme-support");
    REQUIRE(p);
    CHECK(p->revision == 2);
    CHECK(p->envelope == "env2");
    CHECK(p->public_key == "KEY2");
    CHECK(p->published_at == 12);
    const auto all = f.store->profiles();
    REQUIRE(all.size() == 2);
    CHECK(all[0].id == "acme-support");
    CHECK(all[1].id == "beta-help");
    CHECK_FALSE(f.store->profile("nope"));
}

TEST_CASE("the audit log is read newest first, up to the limit") {
    StoreFixture f;
    REQUIRE(f.store->audit({0, 1, "user:1", "requested", 1001, "r1", "", "{}"}).ok());
    REQUIRE(f.store->audit({0, 2, "device:ab", "accepted", 1001, "r1", "s1", "{\"a\":1}"}).ok());
    REQUIRE(f.store->audit({0, 3, "system", "ended", std::nullopt, "r1", "s1", ""}).ok());
    const auto two = f.store->audit_log(2);
    REQUIRE(two.size() == 2);
    CHECK(two[0].action == "ended");
    CHECK_FALSE(two[0].ticket_number);
    CHECK(two[1].action == "accepted");
    CHECK(two[1].ticket_number == 1001);
    CHECK(two[1].session_id == "s1");
    CHECK(two[1].detail == "{\"a\":1}");
    CHECK(two[0].id > two[1].id);
    CHECK(f.store->audit_log(0).size() == 1);  // the limit is at least 1
}

TEST_CASE("every table of the schema is either copied by migrate or left behind on purpose", "[sqlite]") {
    StoreFixture f;
    std::set<std::string> tables;
    auto db = f.raw();
    auto rows = db->prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'sqlite_sequence'");
    while (rows.step()) tables.insert(rows.text(0));
    std::set<std::string> known;
    for (const char* t : copied_tables()) known.insert(t);
    for (const char* t : uncopied_tables()) known.insert(t);
    // A new migration's table must be added to one of the two lists (copy_database.cpp).
    CHECK(tables == known);
}
