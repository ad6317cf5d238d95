// The SQLite Store: the mail outbox and invitations (docs/storage.md, "Mail outbox").
//
// Notifications are queued inside the transaction of the ticket change that causes them
// (queue_ticket_mail, called by submit_ticket and update_ticket), so a committed change
// always has its mail and a rolled-back one never does. The outbox worker
// (server/mail/outbox_worker.h) reads due rows and records each outcome.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <set>

#include "server/store/sql_store.h"
#include "server/store/store_errors.h"

namespace helpline::server {

namespace {

constexpr const char* kMailColumns =
    "id, kind, user_id, recipient, language, ticket_number, data, state, attempts, "
    "next_attempt_at, created_at, sent_at, last_error";

OutboxMail read_mail(const Db& db, const Statement& row) {
    OutboxMail m;
    m.id = row.int64(0);
    const auto kind = parse_mail_kind(row.text(1));
    const auto state = parse_mail_state(row.text(7));
    if (!kind || !state) throw_corrupt(db, fmt::format("outbox mail {} has an unknown kind or state", m.id));
    m.kind = *kind;
    m.user_id = row.optional_int64(2);
    m.recipient = row.text(3);
    m.language = row.text(4);
    m.ticket_number = row.optional_int64(5);
    m.data = row.text(6);
    m.state = *state;
    m.attempts = static_cast<int>(row.int64(8));
    m.next_attempt_at = row.int64(9);
    m.created_at = row.int64(10);
    m.sent_at = row.optional_int64(11);
    m.last_error = row.optional_text(12).value_or("");
    return m;
}

struct Recipient {
    UserId id = 0;
    std::string email;
    std::string language;
};

}  // namespace

void SqlStore::set_mail_notifications(bool on) { mail_notifications_ = on; }

// ---------------------------------------------------------------------------------------
// Helpers (mutex held, inside the change's transaction)

std::int64_t SqlStore::insert_mail(const OutboxMail& m) {
    auto stmt = db().prepare(
        "INSERT INTO mail_outbox (kind, user_id, recipient, language, ticket_number, data, "
        "state, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?) "
        "RETURNING id");
    stmt.bind(to_string(m.kind), m.user_id, m.recipient, m.language, m.ticket_number, m.data, m.created_at,
              m.created_at);
    return returned_id(stmt);
}

void SqlStore::queue_ticket_mail(const Ticket* before, const Ticket& after,
                                    std::optional<UserId> actor, Timestamp now) {
    if (!mail_notifications_) return;
    const auto recipients = [&](std::string_view where, const auto&... args) {
        std::vector<Recipient> out;
        auto stmt = db().prepare(fmt::format(
            "SELECT id, email, language FROM users WHERE notify_email AND NOT disabled AND {}", where));
        stmt.bind(args...);
        while (stmt.step()) out.push_back({stmt.int64(0), stmt.text(1), stmt.text(2)});
        return out;
    };
    // Who hears of it: the operator it is now assigned to; the members of the group it
    // is now in. One message per person, the most specific; never the person who did it.
    std::vector<std::pair<MailKind, Recipient>> to;
    std::set<UserId> told;
    if (actor) told.insert(*actor);
    const bool new_operator = after.operator_id && (!before || before->operator_id != after.operator_id);
    const bool new_group = after.group_id && (!before || before->group_id != after.group_id);
    if (new_operator)
        for (auto& r : recipients("id = ?", *after.operator_id))
            if (told.insert(r.id).second) to.emplace_back(MailKind::ticket_assigned, std::move(r));
    if (new_group)
        for (auto& r : recipients("id IN (SELECT user_id FROM group_members WHERE group_id = ?)", *after.group_id))
            if (told.insert(r.id).second)
                to.emplace_back(before ? MailKind::ticket_group : MailKind::ticket_new, std::move(r));
    if (to.empty()) return;

    // What every message says, fixed now: names as they are at this change.
    const auto name_of = [&](std::string_view sql, const auto& key) {
        auto stmt = db().prepare(sql);
        return stmt.bind(key).step() ? stmt.text(0) : std::string{};
    };
    nlohmann::json data = {{"number", after.number},
                           {"requester", after.email},
                           {"priority", std::string(to_string(after.priority))},
                           {"subject", after.subject},
                           {"description", after.description}};
    const auto at = after.email.rfind('@');
    if (at != std::string::npos) {
        auto org = name_of("SELECT name FROM organizations WHERE domain = lower(?)", after.email.substr(at + 1));
        if (!org.empty()) data["organization"] = org;
    }
    if (after.group_id) data["group"] = name_of("SELECT name FROM team_groups WHERE id = ?", *after.group_id);
    if (after.operator_id) data["operator"] = name_of("SELECT name FROM users WHERE id = ?", *after.operator_id);
    if (actor) data["by"] = name_of("SELECT name FROM users WHERE id = ?", *actor);
    const std::string text = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    for (const auto& [kind, r] : to) {
        OutboxMail m;
        m.kind = kind;
        m.user_id = r.id;
        m.recipient = r.email;
        m.language = r.language;
        m.ticket_number = after.number;
        m.data = text;
        m.created_at = now;
        insert_mail(m);
    }
}

// ---------------------------------------------------------------------------------------
// The worker's side

std::vector<OutboxMail> SqlStore::due_mail(Timestamp now, int limit) {
    return or_empty([&] {
        auto stmt = db().prepare(fmt::format(
            "SELECT {} FROM mail_outbox WHERE state = 'queued' AND next_attempt_at <= ? "
            "ORDER BY next_attempt_at, id LIMIT ?",
            kMailColumns));
        stmt.bind(now, clamp_limit(limit));
        std::vector<OutboxMail> out;
        while (stmt.step()) out.push_back(read_mail(db(), stmt));
        return out;
    });
}

std::optional<OutboxMail> SqlStore::outbox_mail(std::int64_t id) {
    return or_empty([&]() -> std::optional<OutboxMail> {
        auto stmt = db().prepare(fmt::format("SELECT {} FROM mail_outbox WHERE id = ?", kMailColumns));
        if (!stmt.bind(id).step()) return std::nullopt;
        return read_mail(db(), stmt);
    });
}

Status SqlStore::mail_sent(std::int64_t id, Timestamp now) {
    return with_error([&]() -> Status {
        Transaction tx(db());
        auto stmt = db().prepare("SELECT kind, data FROM mail_outbox WHERE id = ? AND state = 'queued'");
        if (!stmt.bind(id).step()) {
            return make_error(store_error::kStale, fmt::format("Mail {} is not waiting to be sent.", id));
        }
        std::string data = stmt.text(1);
        if (stmt.text(0) == to_string(MailKind::invitation)) {
            // The invitation's token is only needed to write the message: once sent, only
            // its hash (invitations) remains.
            auto j = nlohmann::json::parse(data, nullptr, false);
            if (j.is_object()) j.erase("token");
            data = j.is_discarded() ? "{}" : j.dump();
        }
        db().prepare(
               "UPDATE mail_outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, "
               "data = ?, last_error = NULL WHERE id = ?")
            .bind(now, data, id)
            .run();
        tx.commit();
        return Ok{};
    });
}

Status SqlStore::mail_retry(std::int64_t id, Timestamp next_attempt_at, const std::string& error) {
    return with_error([&]() -> Status {
        db().prepare(
               "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? "
               "WHERE id = ? AND state = 'queued'")
            .bind(next_attempt_at, error, id)
            .run();
        return Ok{};
    });
}

Status SqlStore::mail_failed(std::int64_t id, Timestamp now, const std::string& error) {
    return with_error([&]() -> Status {
        db().prepare(
               "UPDATE mail_outbox SET state = 'failed', attempts = attempts + 1, sent_at = ?, "
               "last_error = ? WHERE id = ? AND state = 'queued'")
            .bind(now, error, id)
            .run();
        return Ok{};
    });
}

// A user's email is failing when the last of their messages that was settled (sent, or
// failed for good) failed: the next one that gets through clears it.
constexpr const char* kFailingUsers =
    "SELECT o.user_id FROM mail_outbox o WHERE o.state = 'failed' AND o.user_id IS NOT NULL "
    "AND o.id = (SELECT MAX(id) FROM mail_outbox l WHERE l.user_id = o.user_id "
    "AND l.state IN ('sent', 'failed'))";

bool SqlStore::mail_failing(UserId user) {
    return read_only([&] {
        auto stmt = db().prepare(fmt::format("{} AND o.user_id = ?", kFailingUsers));
        return stmt.bind(user).step();
    });
}

MailSummary SqlStore::mail_summary() {
    return read_only([&] {
        Transaction tx(db(), Transaction::Kind::read);
        MailSummary s;
        s.queued = db().query_int64("SELECT COUNT(*) FROM mail_outbox WHERE state = 'queued'");
        // PostgreSQL wants a name for a subquery in FROM.
        s.failing = db().query_int64(fmt::format("SELECT COUNT(*) FROM ({}) AS failing", kFailingUsers));
        auto last = db().prepare(
            "SELECT last_error FROM mail_outbox WHERE last_error IS NOT NULL "
            "ORDER BY coalesce(sent_at, next_attempt_at) DESC, id DESC LIMIT 1");
        if (last.step()) s.last_error = last.text(0);
        return s;
    });
}

// ---------------------------------------------------------------------------------------
// Invitations

Result<User> SqlStore::add_invited_user(const User& user, const Invitation& invitation, OutboxMail mail) {
    return with_error([&]() -> Result<User> {
        Transaction tx(db());
        if (db().prepare("SELECT 1 FROM users WHERE lower(email) = lower(?)").bind(user.email).step()) {
            return make_error(store_error::kConflict,
                              fmt::format("A user with the email \"{email}\" already exists.",
                                          fmt::arg("email", user.email)),
                              "email");
        }
        auto insert = db().prepare(
            "INSERT INTO users (email, name, role, password_hash, disabled, notify_email, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
        insert.bind(user.email, user.name, to_string(user.role), user.password_hash, user.disabled,
                    user.notify_email, user.created_at);
        User added = user;
        added.id = returned_id(insert);
        db().prepare(
               "INSERT INTO invitations (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(invitation.token_hash, added.id, invitation.created_at, invitation.expires_at)
            .run();
        mail.kind = MailKind::invitation;
        mail.user_id = added.id;
        mail.recipient = added.email;
        insert_mail(mail);
        bump_team_revision();
        tx.commit();
        return added;
    });
}

std::optional<Invitation> SqlStore::invitation(const std::string& token_hash) {
    return read_only([&]() -> std::optional<Invitation> {
        auto stmt = db().prepare(
            "SELECT token_hash, user_id, created_at, expires_at, used_at FROM invitations "
            "WHERE token_hash = ?");
        if (!stmt.bind(token_hash).step()) return std::nullopt;
        return Invitation{stmt.text(0), stmt.int64(1), stmt.int64(2), stmt.int64(3), stmt.optional_int64(4)};
    });
}

Result<User> SqlStore::accept_invitation(const std::string& token_hash, const std::string& password_hash,
                                            Timestamp now) {
    return with_error([&]() -> Result<User> {
        Transaction tx(db());
        // Compare-and-set: of two uses of one link, exactly one sets the password.
        db().prepare(
               "UPDATE invitations SET used_at = ? WHERE token_hash = ? AND used_at IS NULL "
               "AND expires_at > ?")
            .bind(now, token_hash, now)
            .run();
        if (db().changes() == 0) {
            return make_error(store_error::kStale, "This invitation was already used or has expired.", "token");
        }
        UserId user_id = 0;
        {
            auto stmt = db().prepare("SELECT user_id FROM invitations WHERE token_hash = ?");
            if (stmt.bind(token_hash).step()) user_id = stmt.int64(0);
        }
        db().prepare("UPDATE users SET password_hash = ? WHERE id = ?").bind(password_hash, user_id).run();
        // Other links of the same user (an admin who invited twice) die with this use.
        db().prepare("UPDATE invitations SET used_at = ? WHERE user_id = ? AND used_at IS NULL")
            .bind(now, user_id)
            .run();
        User u;
        {
            auto stmt = db().prepare("SELECT id, email, name, role FROM users WHERE id = ?");
            if (!stmt.bind(user_id).step()) return no_user(user_id);
            u.id = stmt.int64(0);
            u.email = stmt.text(1);
            u.name = stmt.text(2);
            u.role = parse_role(stmt.text(3)).value_or(Role::operator_);
        }
        bump_team_revision();
        tx.commit();
        return u;
    });
}

}  // namespace helpline::server
