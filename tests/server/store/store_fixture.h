#pragma once
// The store under test, with helpers that create the objects tickets and requests refer
// to. One set of tests for both engines: SQLite in a temporary folder, or, with
// HELPLINE_TEST_STORE=postgresql (CTest's second pass, label postgres), a new database of
// the test cluster (tests/support/pg_test_database.h). Tests of what only one engine has
// (WAL files, PRAGMAs) are tagged [sqlite] and left out of the PostgreSQL pass.

#include <catch2/catch.hpp>
#include <cstdlib>
#include <memory>
#include <string>

#include "server/store/migrations.h"
#include "server/store/pg_db.h"
#include "server/store/sqlite_db.h"
#include "server/store/store.h"
#include "tests/support/fixtures.h"
#include "tests/support/pg_test_database.h"

namespace helpline::test {

/// Whether this run tests the PostgreSQL store.
inline bool testing_postgres() {
    const char* engine = std::getenv("HELPLINE_TEST_STORE");
    return engine != nullptr && std::string(engine) == "postgresql";
}

/// Opens the store at `database` (a file path or a PostgreSQL URL).
inline std::unique_ptr<server::Store> open_store(const std::string& database) {
    auto opened = server::open_store(database);
    if (!opened) FAIL("opening the store failed: " << opened.error().message);
    return std::move(opened).value();
}

/// A connection of the engine's own to `database`, for tests that look at rows directly.
inline std::unique_ptr<server::Db> open_raw(const std::string& database) {
    if (server::is_postgres_url(database)) return server::PgDb::open(database);
    return server::SqliteDb::open(database);
}

/// A pending request from device "dev1" for a ticket.
inline server::ConnectionRequest new_request(const std::string& id, server::TicketNumber ticket,
                                             server::UserId op,
                                             server::Timestamp expires_at = 2000) {
    server::ConnectionRequest r;
    r.id = id;
    r.ticket_number = ticket;
    r.device_id = "dev1";
    r.operator_id = op;
    r.created_at = 1000;
    r.expires_at = expires_at;
    return r;
}

struct StoreFixture {
    TempDir dir;
    /// The database: a file in `dir`, or a PostgreSQL URL.
    std::string path = testing_postgres() ? fresh_postgres_url() : (dir / "helpline.db").string();
    std::unique_ptr<server::Store> store = open_store(path);

    /// A connection of its own to the store's database.
    std::unique_ptr<server::Db> raw() const { return open_raw(path); }

    /// The engine's migrations.
    static std::span<const server::Migration> migrations() {
        return testing_postgres() ? server::postgres_migrations() : server::sqlite_migrations();
    }

    /// Starts over with an empty database brought to schema `version` only, as a server of
    /// that version left it; returns a connection to it (reopen() migrates the rest).
    std::unique_ptr<server::Db> start_over_at(int version) {
        store.reset();
        if (testing_postgres()) {
            path = fresh_postgres_url();
        } else {
            for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
        }
        auto db = raw();
        REQUIRE(server::migrate(*db, migrations().first(version)).ok());
        return db;
    }

    /// Closes the connection and opens the database again, as a restarted server would.
    void reopen() {
        store.reset();
        store = open_store(path);
    }

    server::UserId add_user(const std::string& email, server::Role role = server::Role::operator_) {
        server::User u;
        u.email = email;
        u.name = "Name of " + email;
        u.role = role;
        u.password_hash = "$argon2id$hash";
        u.created_at = 100;
        auto added = store->add_user(u);
        if (!added) FAIL(added.error().message);
        return added->id;
    }

    void add_group(const std::string& id) {
        auto added = store->add_group(server::Group{id, "Group " + id});
        if (!added) FAIL(added.error().message);
    }

    void add_device(const std::string& id) {
        server::Device d;
        d.id = id;
        d.token_hash = "token-of-" + id;
        d.profile_id = "acme-support";
        d.hostname = "host-" + id;
        d.os = "linux";
        d.client_version = "0.1.0";
        d.created_at = 50;
        d.last_seen_at = 50;
        auto added = store->add_device(d);
        if (!added) FAIL(added.error().message);
    }

    /// Submits a ticket under a key of its own; fails the test if that fails.
    server::Ticket submit(const server::NewTicket& t, const std::string& key) {
        auto r = store->submit_ticket(t, key, "hash-" + key);
        if (!r) FAIL(r.error().message);
        return r->ticket;
    }

    server::Ticket submit_at(server::Timestamp created_at,
                             std::optional<std::string> group_id = std::nullopt,
                             const std::string& email = "customer@acme.example") {
        server::NewTicket t;
        t.email = email;
        t.description = "The printer is on fire.";
        t.group_id = std::move(group_id);
        t.created_at = created_at;
        return submit(t, "key-" + std::to_string(next_key_++));
    }

  private:
    int next_key_ = 1;
};

}  // namespace helpline::test
