// The SQLite Store: users, groups, organizations and devices.
#include <fmt/format.h>

#include <algorithm>

#include "server/store/sql_store.h"
#include "server/store/store_errors.h"

namespace helpline::server {

namespace {

/// The error for a domain no organization has (removing or renaming one).
Error no_organization(const std::string& domain) {
    return make_error(store_error::kNotFound,
                      fmt::format("There is no organization with the domain \"{domain}\".",
                                  fmt::arg("domain", domain)),
                      "domain");
}

constexpr const char* kUserColumns =
    "id, email, name, role, password_hash, disabled, notify_email, created_at, last_sign_in_at, "
    "language, totp_secret IS NOT NULL";
constexpr const char* kDeviceColumns =
    "id, token_hash, profile_id, hostname, os, client_version, created_at, last_seen_at";

User read_user(const Db& db, const Statement& row) {
    User u;
    u.id = row.int64(0);
    u.email = row.text(1);
    u.name = row.text(2);
    const auto role = parse_role(row.text(3));
    if (!role) throw_corrupt(db, fmt::format("user {} has an unknown role", u.id));
    u.role = *role;
    u.password_hash = row.text(4);
    u.disabled = row.int64(5) != 0;
    u.notify_email = row.int64(6) != 0;
    u.created_at = row.int64(7);
    u.last_sign_in_at = row.optional_int64(8);
    u.language = row.text(9);
    u.two_factor = row.int64(10) != 0;
    return u;
}

Device read_device(const Statement& row) {
    Device d;
    d.id = row.text(0);
    d.token_hash = row.text(1);
    d.profile_id = row.text(2);
    d.hostname = row.text(3);
    d.os = row.text(4);
    d.client_version = row.text(5);
    d.created_at = row.int64(6);
    d.last_seen_at = row.int64(7);
    return d;
}

std::string lower_ascii(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return s;
}

Error email_taken(const std::string& email) {
    return make_error(
        store_error::kConflict,
        fmt::format("A user with the email \"{email}\" already exists.", fmt::arg("email", email)),
        "email");
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Users

Result<User> SqlStore::add_user(const User& user) {
    return with_error([&]() -> Result<User> {
        Transaction tx(db());
        if (db().prepare("SELECT 1 FROM users WHERE lower(email) = lower(?)")
                .bind(user.email)
                .step()) {
            return email_taken(user.email);
        }
        auto insert = db().prepare(
            "INSERT INTO users (email, name, role, password_hash, disabled, "
            "notify_email, created_at, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
        insert.bind(user.email, user.name, to_string(user.role), user.password_hash, user.disabled,
                    user.notify_email, user.created_at, user.language);
        User added = user;
        added.id = returned_id(insert);
        bump_team_revision();
        tx.commit();
        return added;
    });
}

std::optional<User> SqlStore::user(UserId id) {
    return read_only([&]() -> std::optional<User> {
        auto stmt = db().prepare(fmt::format("SELECT {} FROM users WHERE id = ?", kUserColumns));
        if (!stmt.bind(id).step()) return std::nullopt;
        return read_user(db(), stmt);
    });
}

std::optional<User> SqlStore::user_by_email(const std::string& email) {
    return read_only([&]() -> std::optional<User> {
        auto stmt = db().prepare(
            fmt::format("SELECT {} FROM users WHERE lower(email) = lower(?)", kUserColumns));
        if (!stmt.bind(email).step()) return std::nullopt;
        return read_user(db(), stmt);
    });
}

std::vector<User> SqlStore::users() {
    return read_only([&] {
        std::vector<User> out;
        auto stmt = db().prepare(fmt::format("SELECT {} FROM users ORDER BY id", kUserColumns));
        while (stmt.step()) out.push_back(read_user(db(), stmt));
        return out;
    });
}

Status SqlStore::update_user(const User& user) {
    return with_error([&]() -> Status {
        Transaction tx(db());
        if (!user_exists(user.id)) return no_user(user.id);
        if (db().prepare("SELECT 1 FROM users WHERE lower(email) = lower(?) AND id <> ?")
                .bind(user.email, user.id)
                .step()) {
            return email_taken(user.email);
        }
        db().prepare(
               "UPDATE users SET email = ?, name = ?, role = ?, password_hash = ?, "
               "disabled = ?, notify_email = ?, language = ? WHERE id = ?")
            .bind(user.email, user.name, to_string(user.role), user.password_hash, user.disabled,
                  user.notify_email, user.language, user.id)
            .run();
        bump_team_revision();
        tx.commit();
        return Ok{};
    });
}

// ---------------------------------------------------------------------------------------
// Groups

Status SqlStore::add_group(const Group& group) {
    return with_error([&]() -> Status {
        Transaction tx(db());
        if (group_exists(group.id)) {
            return make_error(store_error::kConflict,
                              fmt::format("A group with the id \"{id}\" already exists.",
                                          fmt::arg("id", group.id)),
                              "id");
        }
        db().prepare("INSERT INTO team_groups (id, name) VALUES (?, ?)")
            .bind(group.id, group.name)
            .run();
        bump_team_revision();
        tx.commit();
        return Ok{};
    });
}

Status SqlStore::rename_group(const std::string& id, const std::string& name) {
    return with_error([&]() -> Status {
        Transaction tx(db());
        db().prepare("UPDATE team_groups SET name = ? WHERE id = ?").bind(name, id).run();
        if (db().changes() == 0) return no_group(id);
        bump_team_revision();
        tx.commit();
        return Ok{};
    });
}

Result<GroupDeletion> SqlStore::delete_group(const std::string& id) {
    return with_error([&]() -> Result<GroupDeletion> {
        Transaction tx(db());
        if (!group_exists(id)) return no_group(id);
        GroupDeletion done;
        // Open tickets stay in the queue, unassigned from the group; the group's history
        // goes with it (handlers, idempotency keys and connection requests by cascade).
        db().prepare("UPDATE tickets SET group_id = NULL WHERE group_id = ? AND status = 'open'")
            .bind(id)
            .run();
        done.unassigned = db().changes();
        db().prepare("DELETE FROM tickets WHERE group_id = ? AND status IN ('closed', 'expired')")
            .bind(id)
            .run();
        done.deleted_history = db().changes();
        db().prepare("DELETE FROM history_counts WHERE group_id = ?").bind(id).run();
        db().prepare("DELETE FROM group_members WHERE group_id = ?").bind(id).run();
        db().prepare("DELETE FROM team_groups WHERE id = ?").bind(id).run();
        bump_team_revision();
        tx.commit();
        return done;
    });
}

std::map<std::string, GroupTicketCounts> SqlStore::group_ticket_counts() {
    return read_only([&] {
        std::map<std::string, GroupTicketCounts> out;
        // Open tickets from the queue's partial index by group; history from its kept
        // totals (history_counts), never by counting history's rows.
        auto open = db().prepare(
            "SELECT group_id, COUNT(*) FROM tickets WHERE status = 'open' AND group_id IS NOT NULL "
            "GROUP BY group_id");
        while (open.step()) out[open.text(0)].open = open.int64(1);
        auto history = db().prepare(
            "SELECT group_id, SUM(n) FROM history_counts WHERE group_id <> '' GROUP BY group_id");
        while (history.step()) out[history.text(0)].history = history.int64(1);
        return out;
    });
}

std::vector<Group> SqlStore::groups() {
    return read_only([&] {
        std::vector<Group> out;
        auto stmt = db().prepare("SELECT id, name FROM team_groups ORDER BY id");
        while (stmt.step()) out.push_back(Group{stmt.text(0), stmt.text(1)});
        return out;
    });
}

std::optional<Group> SqlStore::group(const std::string& id) {
    return read_only([&]() -> std::optional<Group> {
        auto stmt = db().prepare("SELECT id, name FROM team_groups WHERE id = ?");
        if (!stmt.bind(id).step()) return std::nullopt;
        return Group{stmt.text(0), stmt.text(1)};
    });
}

Status SqlStore::set_group_members(const std::string& id, const std::vector<UserId>& users) {
    return with_error([&]() -> Status {
        Transaction tx(db());
        if (!group_exists(id)) return no_group(id);
        for (const UserId user : users) {
            if (!user_exists(user)) return no_user(user);
        }
        db().prepare("DELETE FROM group_members WHERE group_id = ?").bind(id).run();
        for (const UserId user : users) {
            // A user named twice is a member once.
            db().prepare(
                   "INSERT INTO group_members (group_id, user_id) VALUES (?, ?) "
                   "ON CONFLICT DO NOTHING")
                .bind(id, user)
                .run();
        }
        bump_team_revision();
        tx.commit();
        return Ok{};
    });
}

std::vector<UserId> SqlStore::group_members(const std::string& id) {
    return read_only([&] {
        std::vector<UserId> out;
        auto stmt =
            db().prepare("SELECT user_id FROM group_members WHERE group_id = ? ORDER BY user_id");
        stmt.bind(id);
        while (stmt.step()) out.push_back(stmt.int64(0));
        return out;
    });
}

std::vector<std::string> SqlStore::groups_of(UserId user) {
    return read_only([&] {
        std::vector<std::string> out;
        auto stmt =
            db().prepare("SELECT group_id FROM group_members WHERE user_id = ? ORDER BY group_id");
        stmt.bind(user);
        while (stmt.step()) out.push_back(stmt.text(0));
        return out;
    });
}

// ---------------------------------------------------------------------------------------
// Organizations

Status SqlStore::add_organization(const Organization& org) {
    return with_error([&]() -> Status {
        const std::string domain = lower_ascii(org.domain);
        Transaction tx(db());
        if (db().prepare("SELECT 1 FROM organizations WHERE domain = ?").bind(domain).step()) {
            return make_error(
                store_error::kConflict,
                fmt::format("An organization with the domain \"{domain}\" already exists.",
                            fmt::arg("domain", domain)),
                "domain");
        }
        db().prepare("INSERT INTO organizations (domain, name) VALUES (?, ?)")
            .bind(domain, org.name)
            .run();
        bump_team_revision();
        tx.commit();
        return Ok{};
    });
}

Status SqlStore::remove_organization(const std::string& domain) {
    return with_error([&]() -> Status {
        Transaction tx(db());
        db().prepare("DELETE FROM organizations WHERE domain = ?").bind(lower_ascii(domain)).run();
        if (db().changes() == 0) return no_organization(domain);
        bump_team_revision();
        tx.commit();
        return Ok{};
    });
}

Status SqlStore::rename_organization(const std::string& domain, const std::string& name) {
    return with_error([&]() -> Status {
        Transaction tx(db());
        db().prepare("UPDATE organizations SET name = ? WHERE domain = ?")
            .bind(name, lower_ascii(domain))
            .run();
        if (db().changes() == 0) return no_organization(domain);
        bump_team_revision();
        tx.commit();
        return Ok{};
    });
}

std::vector<Organization> SqlStore::organizations() {
    return read_only([&] {
        std::vector<Organization> out;
        auto stmt = db().prepare("SELECT domain, name FROM organizations ORDER BY domain");
        while (stmt.step()) out.push_back(Organization{stmt.text(0), stmt.text(1)});
        return out;
    });
}

// ---------------------------------------------------------------------------------------
// Devices

Status SqlStore::add_device(const Device& device) {
    return with_error([&]() -> Status {
        Transaction tx(db());
        if (device_exists(device.id)) {
            return make_error(store_error::kConflict,
                              fmt::format("A device with the id \"{id}\" already exists.",
                                          fmt::arg("id", device.id)),
                              "id");
        }
        if (db().prepare("SELECT 1 FROM devices WHERE token_hash = ?")
                .bind(device.token_hash)
                .step()) {
            return make_error(store_error::kConflict, "Another device already has this token.",
                              "token_hash");
        }
        db().prepare(fmt::format("INSERT INTO devices ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                 kDeviceColumns))
            .bind(device.id, device.token_hash, device.profile_id, device.hostname, device.os,
                  device.client_version, device.created_at, device.last_seen_at)
            .run();
        tx.commit();
        return Ok{};
    });
}

std::optional<Device> SqlStore::device_by_token_hash(const std::string& token_hash) {
    return read_only([&]() -> std::optional<Device> {
        auto stmt = db().prepare(
            fmt::format("SELECT {} FROM devices WHERE token_hash = ?", kDeviceColumns));
        if (!stmt.bind(token_hash).step()) return std::nullopt;
        return read_device(stmt);
    });
}

std::optional<Device> SqlStore::device(const std::string& id) {
    return read_only([&]() -> std::optional<Device> {
        auto stmt =
            db().prepare(fmt::format("SELECT {} FROM devices WHERE id = ?", kDeviceColumns));
        if (!stmt.bind(id).step()) return std::nullopt;
        return read_device(stmt);
    });
}

Status SqlStore::touch_devices(const std::vector<std::pair<std::string, Timestamp>>& seen) {
    if (seen.empty()) return Ok{};
    return with_error([&]() -> Status {
        Transaction tx(db());
        // Never back in time: a batch that waited may be older than what another server of
        // the team wrote meanwhile.
        for (const auto& [id, when] : seen)
            db().prepare("UPDATE devices SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?")
                .bind(when, id, when)
                .run();
        tx.commit();
        return Ok{};
    });
}

}  // namespace helpline::server
