#include "server/store/migrations.h"

#include <fmt/format.h>

#include <array>
#include <string>
#include <vector>

#include "server/store/sql_db.h"
#include "server/store/store.h"

namespace helpline::server {

namespace {

// The SQL keeps to forms PostgreSQL also accepts, except where SQLite has no standard
// spelling (INTEGER PRIMARY KEY [AUTOINCREMENT] for generated ids); docs/storage.md lists
// those differences. Booleans are BOOLEAN (SQLite stores 0/1), times are BIGINT Unix
// seconds, enumerations are TEXT with a CHECK so a bad value fails loudly.
constexpr const char* kMigration1 = R"sql(
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'operator')),
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    notify_email  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL
);
-- Emails are kept as typed but are unique whatever their case.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE team_groups (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES team_groups (id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE organizations (
    domain TEXT PRIMARY KEY,  -- lower-case
    name   TEXT NOT NULL
);

CREATE TABLE devices (
    id             TEXT PRIMARY KEY,
    token_hash     TEXT NOT NULL UNIQUE,
    profile_id     TEXT NOT NULL,
    hostname       TEXT NOT NULL,
    os             TEXT NOT NULL,
    client_version TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    last_seen_at   BIGINT NOT NULL
);

-- Named counters. Ticket numbers come from here rather than from the rowid: they start
-- at 1001 and are never handed out twice, even after the newest tickets are deleted.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('ticket_number', 1000);

CREATE TABLE tickets (
    number      INTEGER PRIMARY KEY,
    device_id   TEXT REFERENCES devices (id),
    email       TEXT NOT NULL,
    subject     TEXT NOT NULL,
    description TEXT NOT NULL,
    priority    TEXT NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
    -- No ON DELETE action: delete_group decides what happens to each ticket.
    group_id    TEXT REFERENCES team_groups (id),
    operator_id INTEGER REFERENCES users (id),
    status      TEXT NOT NULL CHECK (status IN ('open', 'closed', 'expired')),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    closed_at   BIGINT,
    closed_by   INTEGER REFERENCES users (id)
);
CREATE INDEX tickets_status_created ON tickets (status, created_at);
CREATE INDEX tickets_closed ON tickets (closed_at);
CREATE INDEX tickets_device ON tickets (device_id, number);
CREATE INDEX tickets_group ON tickets (group_id);
CREATE INDEX tickets_email ON tickets (lower(email));

CREATE TABLE ticket_handlers (
    ticket_number INTEGER NOT NULL REFERENCES tickets (number) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (ticket_number, user_id)
);
CREATE INDEX ticket_handlers_user ON ticket_handlers (user_id);

-- No reference to devices: a submission need not come from a device (device_id '').
CREATE TABLE idempotency_keys (
    device_id       TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    ticket_number   INTEGER NOT NULL REFERENCES tickets (number) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (device_id, idempotency_key)
);
CREATE INDEX idempotency_keys_ticket ON idempotency_keys (ticket_number);

CREATE TABLE connection_requests (
    id               TEXT PRIMARY KEY,
    ticket_number    INTEGER NOT NULL REFERENCES tickets (number) ON DELETE CASCADE,
    device_id        TEXT NOT NULL REFERENCES devices (id),
    operator_id      INTEGER NOT NULL REFERENCES users (id),
    state            TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'declined',
                                                    'expired', 'cancelled', 'ended')),
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    answered_at      BIGINT,
    session_id       TEXT UNIQUE,
    relay_token_hash TEXT,
    vnc_password     TEXT,
    ended_at         BIGINT
);
CREATE INDEX connection_requests_state ON connection_requests (state, expires_at);
CREATE INDEX connection_requests_device ON connection_requests (device_id, state);
CREATE INDEX connection_requests_ticket ON connection_requests (ticket_number);

-- AUTOINCREMENT: an id is never reused after pruning, so a client resuming with an old
-- Last-Event-ID cannot skip new events that took an old number.
CREATE TABLE device_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id  TEXT NOT NULL REFERENCES devices (id),
    type       TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX device_events_device ON device_events (device_id, id);
CREATE INDEX device_events_created ON device_events (created_at);

CREATE TABLE operator_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX operator_sessions_user ON operator_sessions (user_id);

CREATE TABLE profiles (
    id           TEXT PRIMARY KEY,
    revision     BIGINT NOT NULL,
    envelope     TEXT NOT NULL,
    public_key   TEXT NOT NULL,
    published_at BIGINT NOT NULL
);

-- Append-only. No reference to tickets: the audit outlives deleted history.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            BIGINT NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    ticket_number BIGINT,
    request_id    TEXT NOT NULL,
    session_id    TEXT NOT NULL,
    detail        TEXT NOT NULL
);
CREATE INDEX audit_log_ticket ON audit_log (ticket_number);
)sql";

// The VNC password of a session is kept only while the session is accepted (the store
// drops it on every other state since this version); this clears the ones kept before.
// The team revision counts team-management changes (Store::team_revision).
constexpr const char* kMigration2 = R"sql(
UPDATE connection_requests SET vnc_password = NULL
WHERE state <> 'accepted' AND vnc_password IS NOT NULL;

INSERT INTO counters (name, value) VALUES ('team_revision', 0) ON CONFLICT (name) DO NOTHING;
)sql";

// The console's queue, history and dashboard at scale (thousands of open tickets, millions
// in history): each list is an index range scan in its own order, never a scan of the
// table. Partial indexes cover only the rows a query can want: open tickets for the queue
// view (by group, by operator), closed and expired ones for history (by close time, per
// group, per requester). `ticket_handlers.closed_at` copies the ticket's close time so an
// operator's handled tickets can be read newest first from the index. `assigned_at` is
// when the current operator was assigned (unknown, NULL, for assignments made before).
// The plain `closed_at` and `lower(email)` indexes are replaced by the partial ones.
constexpr const char* kMigration3 = R"sql(
ALTER TABLE tickets ADD COLUMN assigned_at BIGINT;
ALTER TABLE ticket_handlers ADD COLUMN closed_at BIGINT;
UPDATE ticket_handlers SET closed_at =
    (SELECT closed_at FROM tickets WHERE tickets.number = ticket_handlers.ticket_number);

DROP INDEX tickets_closed;
DROP INDEX tickets_email;
CREATE INDEX tickets_open_group ON tickets (group_id) WHERE status = 'open';
CREATE INDEX tickets_open_operator ON tickets (operator_id) WHERE status = 'open';
CREATE INDEX tickets_history ON tickets (closed_at, number) WHERE status <> 'open';
CREATE INDEX tickets_history_group ON tickets (group_id, closed_at, number) WHERE status <> 'open';
CREATE INDEX tickets_history_email ON tickets (lower(email), closed_at, number) WHERE status <> 'open';
CREATE INDEX ticket_handlers_history ON ticket_handlers (user_id, closed_at, ticket_number)
    WHERE closed_at IS NOT NULL;
)sql";

// How many closed and expired tickets history holds, per group ('' for none) and status,
// kept with every close, expiry and group deletion: the dashboard shows these totals on
// every change, and counting a million rows each time cost 100 ms or more
// (benchmarks.md).
constexpr const char* kMigration4 = R"sql(
CREATE TABLE history_counts (
    group_id TEXT NOT NULL,
    status   TEXT NOT NULL CHECK (status IN ('closed', 'expired')),
    n        BIGINT NOT NULL,
    PRIMARY KEY (group_id, status)
);
INSERT INTO history_counts (group_id, status, n)
    SELECT coalesce(group_id, ''), status, COUNT(*) FROM tickets WHERE status <> 'open'
    GROUP BY coalesce(group_id, ''), status;
)sql";

// Team administration in the console: when each user last signed in (set with every new
// session; filled from the audit log's sign-ins for users who signed in before), and the
// audit log's filters (actor, action; date ranges by `at`), each an index range in the
// page's order (newest id first).
constexpr const char* kMigration5 = R"sql(
ALTER TABLE users ADD COLUMN last_sign_in_at BIGINT;
UPDATE users SET last_sign_in_at = (
    SELECT MAX(at) FROM audit_log WHERE action = 'login' AND actor = 'user:' || users.id);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_at ON audit_log (at, id);
)sql";

// Email: the mail outbox, written in the transaction of the change that causes each
// message (never lost), read by the server's outbox worker in due order; and invitations,
// the single-use links new users set their first password with (token stored hashed).
// A message keeps its recipient's address and language as they were when queued.
constexpr const char* kMigration6 = R"sql(
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL CHECK (kind IN ('ticket-assigned', 'ticket-group', 'ticket-new', 'invitation')),
    user_id         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    recipient       TEXT NOT NULL,
    language        TEXT NOT NULL,
    ticket_number   BIGINT,
    data            TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT,
    last_error      TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at, id) WHERE state = 'queued';
CREATE INDEX mail_outbox_user ON mail_outbox (user_id, id);

CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX invitations_user ON invitations (user_id);
)sql";

// Operator accounts: each user's console language (emails use it), two-factor sign-in
// (the TOTP secret, a pending one between setup and confirmation, the last time step a code
// was used in, so that a code works once; recovery codes stored hashed), the short-lived
// challenges between a sign-in's password and its code, and what a user sees of their own
// sessions (browser, address, last seen).
constexpr const char* kMigration7 = R"sql(
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'en'
    CHECK (language IN ('en', 'pt', 'pt_BR', 'it'));
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

CREATE TABLE recovery_codes (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,  -- sha256 hex of the code as normalized (recovery_codes.h)
    used_at   BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE login_challenges (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL
);

ALTER TABLE operator_sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE operator_sessions ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE operator_sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
UPDATE operator_sessions SET last_seen_at = created_at;
)sql";

// Why a connection request was declined (issue 15: besides the customer's own No, the
// desktop's sharing dialog cancelled, or no screen-sharing program could start), so the
// operator is told which. NULL unless declined; requests declined before this version were
// all the customer's No.
constexpr const char* kMigration8 = R"sql(
ALTER TABLE connection_requests ADD COLUMN decline_reason TEXT
    CHECK (decline_reason IN ('customer', 'desktop_dialog', 'no_backend'));
UPDATE connection_requests SET decline_reason = 'customer' WHERE state = 'declined';
)sql";

// Several servers on one database (issue 16; used on PostgreSQL, harmless on SQLite): each
// server (node) says it is alive and where the others reach it (with its certificate's key
// pin, which is how the others trust it over TLS); which devices hold an
// event stream on which node, so that every node's consoles know who is online; on which
// node each relayed session pairs, so that its two sides meet there whichever servers they
// reached; and sign-in attempts per account, counted team-wide rather than per server.
constexpr const char* kMigration9 = R"sql(
CREATE TABLE cluster_nodes (
    id           TEXT PRIMARY KEY,
    url          TEXT NOT NULL,
    tls_pin      TEXT NOT NULL,  -- https node URLs: the key pin of the node's certificate
    started_at   BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL
);

CREATE TABLE device_streams (
    device_id TEXT NOT NULL,
    node_id   TEXT NOT NULL REFERENCES cluster_nodes (id) ON DELETE CASCADE,
    PRIMARY KEY (device_id, node_id)
);
CREATE INDEX device_streams_node ON device_streams (node_id);

CREATE TABLE relay_homes (
    session_id TEXT PRIMARY KEY,
    node_id    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX relay_homes_created ON relay_homes (created_at);

CREATE TABLE sign_in_attempts (
    account TEXT NOT NULL,    -- the email, lower-case
    minute  BIGINT NOT NULL,  -- Unix time / 60
    n       BIGINT NOT NULL,
    PRIMARY KEY (account, minute)
);
)sql";

// Conversations (docs/protocol.md "Conversations"): messages after the request's
// description, attachments and the bytes behind them, and who has read how far.
// Attachments' bytes live in the database, in chunks, so that every server of a team on
// PostgreSQL serves them, and a backup of the database holds them; one copy per distinct
// content (blobs, by SHA-256).
constexpr const char* kMigration10 = R"sql(
ALTER TABLE tickets ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN last_customer_message_id INTEGER NOT NULL DEFAULT 0;
-- A reopened ticket's 24 h before it expires count from its reopening.
ALTER TABLE tickets ADD COLUMN reopened_at INTEGER;

CREATE TABLE ticket_messages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_number   INTEGER NOT NULL REFERENCES tickets (number) ON DELETE CASCADE,
    author          TEXT NOT NULL,     -- 'customer' or 'team'
    user_id         INTEGER,           -- the team member who wrote it
    body            TEXT NOT NULL,
    internal        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    UNIQUE (ticket_number, author, idempotency_key)
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_number, id);

CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE blob_chunks (
    sha256 TEXT NOT NULL REFERENCES blobs (sha256) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    data   BLOB NOT NULL,
    PRIMARY KEY (sha256, seq)
);

CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_number INTEGER NOT NULL REFERENCES tickets (number) ON DELETE CASCADE,
    message_id    INTEGER REFERENCES ticket_messages (id) ON DELETE CASCADE,
    author        TEXT NOT NULL,
    user_id       INTEGER,
    upload_key    TEXT NOT NULL,
    name          TEXT NOT NULL,
    declared_type TEXT NOT NULL,
    type          TEXT NOT NULL,
    image         INTEGER NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    internal      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    removed_at    INTEGER,            -- the retention removed its bytes
    UNIQUE (ticket_number, author, upload_key)
);
CREATE INDEX attachments_ticket ON attachments (ticket_number, id);
CREATE INDEX attachments_sha256 ON attachments (sha256);

-- How far a reader has read a ticket's conversation: 'device' or 'user:<id>'.
CREATE TABLE ticket_reads (
    ticket_number INTEGER NOT NULL REFERENCES tickets (number) ON DELETE CASCADE,
    reader        TEXT NOT NULL,
    message_id    INTEGER NOT NULL,
    PRIMARY KEY (ticket_number, reader)
);
)sql";

constexpr std::array<Migration, 10> kMigrations = {{
    {1, kMigration1},
    {2, kMigration2},
    {3, kMigration3},
    {4, kMigration4},
    {5, kMigration5},
    {6, kMigration6},
    {7, kMigration7},
    {8, kMigration8},
    {9, kMigration9},
    {10, kMigration10},
}};

// PostgreSQL's form of a migration: SQLite's generated ids (INTEGER PRIMARY KEY
// AUTOINCREMENT) become identity columns, and INTEGER, which SQLite stores in 64 bits,
// becomes BIGINT; the rest of the SQL is already in the forms both accept.
std::string postgres_form(std::string sql) {
    const auto replace_all = [&sql](std::string_view from, std::string_view to) {
        for (auto at = sql.find(from); at != std::string::npos; at = sql.find(from, at + to.size()))
            sql.replace(at, from.size(), to);
    };
    replace_all("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
    replace_all("INTEGER", "BIGINT");
    replace_all(" BLOB ", " BYTEA ");
    return sql;
}

}  // namespace

Error newer_schema_error(const std::string& path, std::int64_t found, std::int64_t known) {
    return make_error(
        store_error::kNewerSchema,
        fmt::format("The database \"{path}\" was written by a newer Helpline server (schema "
                    "version {found}; this server knows versions up to {known}). Run the newer "
                    "server, or restore a backup made before the upgrade.",
                    fmt::arg("path", path), fmt::arg("found", found), fmt::arg("known", known)),
        path);
}

std::span<const Migration> sqlite_migrations() {
    return kMigrations;
}

std::span<const Migration> postgres_migrations() {
    static const auto migrations = [] {
        struct Translated {
            std::vector<std::string> sql;
            std::vector<Migration> list;
        } t;
        t.sql.reserve(kMigrations.size());
        for (const Migration& m : kMigrations) t.sql.push_back(postgres_form(m.sql));
        for (std::size_t i = 0; i < kMigrations.size(); ++i) t.list.push_back({kMigrations[i].version, t.sql[i].c_str()});
        return t;
    }();
    return migrations.list;
}

Status migrate(Db& db, std::span<const Migration> migrations) {
    const int latest = migrations.empty() ? 0 : migrations.back().version;
    int applying = 0;
    try {
        if (const auto found = db.schema_version(); found > latest) {
            return newer_schema_error(db.path(), found, latest);
        }
        for (const Migration& migration : migrations) {
            Transaction tx(db);
            // Read again under the write lock: another process opening the same database
            // may have applied this migration since.
            const auto current = db.schema_version();
            if (current > latest) return newer_schema_error(db.path(), current, latest);
            if (current >= migration.version) continue;
            applying = migration.version;
            db.exec(migration.sql);
            // In the same transaction: a migration and its number are committed (or rolled
            // back) together.
            db.set_schema_version(migration.version);
            tx.commit();
        }
    } catch (const DbException& e) {
        if (applying == 0) return e.error();
        Error error = e.error();
        error.message = fmt::format(
            "Could not upgrade the database \"{path}\" to schema version {version}; it is "
            "left as it was. {reason}",
            fmt::arg("path", db.path()), fmt::arg("version", applying),
            fmt::arg("reason", e.error().message));
        return error;
    }
    return Ok{};
}

}  // namespace helpline::server
