#pragma once
// A SQLite store in a temporary folder, with helpers that create the objects tickets and
// requests refer to.

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "server/store/store.h"
#include "tests/support/fixtures.h"

namespace helpline::test {

inline std::unique_ptr<server::Store> open_store(const std::string& path) {
    auto opened = server::open_sqlite_store(path);
    if (!opened) FAIL("opening the store failed: " << opened.error().message);
    return std::move(opened).value();
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
    std::string path = (dir / "helpline.db").string();
    std::unique_ptr<server::Store> store = open_store(path);

    /// Closes the connection and opens the file again, as a restarted server would.
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
