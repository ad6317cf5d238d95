#pragma once
// Storage of the team server behind one interface: SQLite (embedded, the default) or
// PostgreSQL (several servers sharing one database). Every method is thread-safe and synchronous; each is one transaction.
// Failures the caller must handle come back as Error values with these codes:
//   "store.conflict"   a unique key is taken (user email, group id, org domain)
//   "store.not_found"  the object does not exist
//   "store.stale"      a compare-and-set found another state (connection requests)
//   "store.io"         the database failed (disk full, corrupt, ...)
//   "store.newer_schema" (opening) the database was written by a newer server

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/store/account_model.h"
#include "server/store/conversation_model.h"
#include "server/store/mail_model.h"
#include "server/store/model.h"
#include "shared/result.h"

namespace helpline::server {

namespace store_error {
inline constexpr const char* kConflict = "store.conflict";
inline constexpr const char* kNotFound = "store.not_found";
inline constexpr const char* kStale = "store.stale";
inline constexpr const char* kIo = "store.io";
inline constexpr const char* kIdempotencyMismatch = "store.idempotency_mismatch";
inline constexpr const char* kRefused = "store.refused";
inline constexpr const char* kNewerSchema = "store.newer_schema";
/// A field of the caller's request names something it may not use (an attachment that is
/// another ticket's, or already in a message): the Error's `where` names the field.
inline constexpr const char* kInvalid = "store.invalid";
/// A limit of the ticket is reached (kMaxAttachmentsPerTicket).
inline constexpr const char* kFull = "store.full";
}  // namespace store_error

struct SubmitResult {
    Ticket ticket;
    bool created = false;  ///< false: the same key and body were seen before
};

/// A ticket that was closed or expired, with the pending connection requests of it that
/// were cancelled in the same transaction (a request on a ticket that is no longer open
/// can never be accepted).
struct ClosedTicket {
    Ticket ticket;
    std::vector<ConnectionRequest> cancelled;  ///< now `cancelled`, with ended_at set
};

struct TicketChanges {
    std::optional<Priority> priority;
    std::optional<std::optional<std::string>> group_id;  ///< nullopt: unchanged; inner nullopt: unassign
    std::optional<std::optional<UserId>> operator_id;
    /// Who makes the change: never told of it by email (mail_model.h).
    std::optional<UserId> actor;
};

/// A place in history's order (closed_at descending, then number descending): a page
/// starts right after it (keyset paging).
struct HistoryCursor {
    Timestamp closed_at = 0;
    TicketNumber number = 0;
};

struct HistoryFilter {
    std::optional<std::string> email;  ///< the requester, compared case-insensitively
    std::optional<Timestamp> from;     ///< closed_at >= from
    std::optional<Timestamp> to;       ///< closed_at < to
    std::optional<HistoryCursor> after;  ///< only rows after this one
    /// An operator's view (§6): only tickets they handled or that belong to one of their
    /// groups. Filtered in the query, so that `limit` counts visible tickets. nullopt: all.
    std::optional<UserId> visible_to;
    int limit = 100;  ///< clamped to [1, 1000]
};

/// One page of history. The tickets' handled_by is not filled.
struct HistoryPage {
    std::vector<Ticket> tickets;
    std::optional<HistoryCursor> next;  ///< where the next page starts; nullopt: the last page
};

/// Closed and expired tickets in a history view.
struct HistoryCounts {
    std::int64_t closed = 0;
    std::int64_t expired = 0;
};

/// What the dashboard counts, read in one snapshot. Open tickets by the queue view,
/// closed and expired ones by the history view (`visible_to` as in HistoryFilter).
struct DashboardQuery {
    std::optional<UserId> visible_to;
    Timestamp since = 0;       ///< created / closed since (the per-hour window, "today")
    Timestamp week_from = 0;   ///< time-to-close window
};

struct DashboardData {
    struct OpenCount {
        Priority priority = Priority::medium;
        std::optional<std::string> group_id;
        std::optional<UserId> operator_id;
        std::int64_t count = 0;
    };
    struct Closed {
        Timestamp closed_at = 0;
        std::optional<UserId> closed_by;
    };
    std::vector<OpenCount> open;               ///< open tickets, counted per (priority, group, operator)
    std::optional<Ticket> oldest_open;         ///< the longest-waiting open ticket
    HistoryCounts history;
    std::vector<Timestamp> created;            ///< created_at of tickets created since `since`
    std::vector<Closed> closed;                ///< tickets closed (not expired) since `since`
    std::vector<std::int64_t> close_durations;  ///< closed_at - created_at, closed since week_from, ascending
};

/// What deleting a group did (or, from group_ticket_counts, would do).
struct GroupDeletion {
    std::int64_t unassigned = 0;       ///< open tickets of the group, now without a group
    std::int64_t deleted_history = 0;  ///< its closed and expired tickets, deleted
};

/// Tickets of one group: open ones (in the queue) and closed or expired ones (in history).
struct GroupTicketCounts {
    std::int64_t open = 0;
    std::int64_t history = 0;
};

/// The audit log's filters (all optional, combined with AND) and one keyset page of it.
struct AuditFilter {
    std::optional<std::string> actor;   ///< exactly: "user:12", "cli", "system", ...
    std::optional<std::string> action;  ///< exactly: "user-created", "login", ...
    std::optional<TicketNumber> ticket;
    std::optional<Timestamp> from;  ///< at >= from
    std::optional<Timestamp> to;    ///< at < to
    std::optional<std::int64_t> after;  ///< only entries older than this id (the previous page's next)
    int limit = 100;  ///< clamped to [1, 1000]
};

struct AuditPage {
    std::vector<AuditEntry> entries;   ///< newest (highest id) first
    std::optional<std::int64_t> next;  ///< the id the next page starts after; nullopt: the last page
};

class Store {
public:
    virtual ~Store() = default;

    // Team settings (team name, ...).
    virtual std::optional<std::string> setting(const std::string& key) = 0;
    virtual Status set_setting(const std::string& key, const std::string& value) = 0;

    // Users.
    virtual Result<User> add_user(const User& user) = 0;  ///< id assigned
    virtual std::optional<User> user(UserId id) = 0;
    virtual std::optional<User> user_by_email(const std::string& email) = 0;
    virtual std::vector<User> users() = 0;
    virtual Status update_user(const User& user) = 0;  ///< by id; every field but id/created_at

    // Groups and members.
    virtual Status add_group(const Group& group) = 0;
    virtual Status rename_group(const std::string& id, const std::string& name) = 0;
    /// Deletes the group: its open tickets become unassigned (no group), its closed and
    /// expired tickets are deleted (history_counts follows); says how many of each.
    virtual Result<GroupDeletion> delete_group(const std::string& id) = 0;
    /// Open and history tickets per group id (groups without tickets are absent).
    virtual std::map<std::string, GroupTicketCounts> group_ticket_counts() = 0;
    virtual std::vector<Group> groups() = 0;
    virtual std::optional<Group> group(const std::string& id) = 0;
    virtual Status set_group_members(const std::string& id, const std::vector<UserId>& users) = 0;
    virtual std::vector<UserId> group_members(const std::string& id) = 0;
    virtual std::vector<std::string> groups_of(UserId user) = 0;

    // Organizations.
    virtual Status add_organization(const Organization& org) = 0;  ///< conflict if the domain exists
    virtual Status remove_organization(const std::string& domain) = 0;
    virtual Status rename_organization(const std::string& domain, const std::string& name) = 0;  ///< not_found
    virtual std::vector<Organization> organizations() = 0;

    /// Increases with every change to users, groups, memberships and organizations,
    /// committed with the change, whichever process made it (the server, the CLI on the
    /// same database): a running server compares it to learn of changes it did not make.
    virtual std::int64_t team_revision() = 0;

    // Devices.
    virtual Status add_device(const Device& device) = 0;
    virtual std::optional<Device> device_by_token_hash(const std::string& token_hash) = 0;
    virtual std::optional<Device> device(const std::string& id) = 0;
    /// Records when devices were last seen (id, time), all in one transaction; an id no
    /// longer registered is skipped. The server batches them (SeenDevices) rather than
    /// write one on every event-stream handshake.
    virtual Status touch_devices(const std::vector<std::pair<std::string, Timestamp>>& seen) = 0;

    // Tickets.
    /// Creates a ticket unless (device, key) was seen: then the same body (request_hash)
    /// returns the first ticket with created=false, another body kIdempotencyMismatch.
    /// The key is stored in the same transaction as the ticket, durably (synchronous=FULL).
    /// `may_create`, when given, is asked (inside the transaction) before a new ticket is
    /// made; false -> kRefused and nothing is stored. Retries of a stored submission never
    /// ask it, so a rate limit cannot turn a retry into an error.
    virtual Result<SubmitResult> submit_ticket(const NewTicket& ticket, const std::string& idempotency_key,
                                               const std::string& request_hash,
                                               const std::function<bool()>& may_create = {}) = 0;
    virtual std::optional<Ticket> ticket(TicketNumber number) = 0;
    /// Open tickets in the queue view of `visible_to` (§6: in one of their groups or
    /// assigned to them; nullopt: every open ticket), in queue order, selected by the
    /// query. handled_by is not filled.
    virtual std::vector<Ticket> queue(std::optional<UserId> visible_to) = 0;
    std::vector<Ticket> open_tickets() { return queue(std::nullopt); }
    /// Closed and expired tickets, most recently closed first, one page.
    virtual HistoryPage history(const HistoryFilter& filter) = 0;
    /// How many tickets history holds, per status; `visible_to` as in HistoryFilter.
    virtual HistoryCounts history_counts(std::optional<UserId> visible_to) = 0;
    /// Requester emails in a history view starting with `prefix` (lower-case, ASCII case
    /// folded as lower() does), lower-case, sorted, distinct, at most `limit`.
    virtual std::vector<std::string> history_requesters(const std::string& prefix,
                                                        std::optional<UserId> visible_to,
                                                        int limit) = 0;
    virtual DashboardData dashboard(const DashboardQuery& query) = 0;
    /// The ticket's audit entries, oldest first.
    virtual std::vector<AuditEntry> ticket_audit(TicketNumber number) = 0;
    virtual std::vector<Ticket> device_tickets(const std::string& device_id, int limit) = 0;  ///< newest first
    virtual Result<Ticket> update_ticket(TicketNumber number, const TicketChanges& changes,
                                         Timestamp now) = 0;
    /// Closes an open ticket and cancels its pending connection requests, in one
    /// transaction; kStale when it is not open.
    virtual Result<ClosedTicket> close_ticket(TicketNumber number, UserId by, Timestamp now) = 0;
    /// Records that an operator handled the ticket (for history visibility).
    virtual Status add_handler(TicketNumber number, UserId user) = 0;
    /// Moves open tickets created before `cutoff` to expired and cancels their pending
    /// connection requests, in one transaction; returns them.
    virtual std::vector<ClosedTicket> expire_tickets(Timestamp cutoff, Timestamp now) = 0;

    // Connection requests.
    virtual Status add_connection_request(const ConnectionRequest& request) = 0;
    virtual std::optional<ConnectionRequest> connection_request(const std::string& id) = 0;
    virtual std::optional<ConnectionRequest> request_by_session(const std::string& session_id) = 0;
    /// Compare-and-set: writes `updated` only if the stored state is still `expected`;
    /// else kStale. This is what makes a request single-use under concurrency.
    virtual Status transition_request(const ConnectionRequest& updated, RequestState expected) = 0;
    /// Pending requests of a device that have not expired at `now`.
    virtual std::vector<ConnectionRequest> pending_requests(const std::string& device_id, Timestamp now) = 0;
    /// Moves pending requests whose expires_at <= now to expired; returns them.
    virtual std::vector<ConnectionRequest> expire_requests(Timestamp now) = 0;

    // Device events (for Last-Event-ID resume).
    virtual Result<std::int64_t> append_event(const StoredEvent& event) = 0;  ///< id assigned
    virtual std::vector<StoredEvent> events_after(const std::string& device_id, std::int64_t after_id,
                                                  int limit) = 0;
    virtual Status prune_events(Timestamp before) = 0;

    // Operator sessions.
    /// Also sets the user's last_sign_in_at to the session's created_at: every session
    /// starts with a sign-in, whichever way it was made.
    virtual Status add_session(const OperatorSession& session) = 0;
    virtual std::optional<OperatorSession> session(const std::string& token_hash) = 0;
    virtual Status delete_session(const std::string& token_hash) = 0;
    virtual Status delete_user_sessions(UserId user) = 0;
    /// Ends every session of `user` but the one whose token hashes to `keep_token_hash`.
    virtual Status delete_user_sessions_except(UserId user, const std::string& keep_token_hash) = 0;
    /// The user's sessions that have not expired at `now`, most recently seen first.
    virtual std::vector<OperatorSession> user_sessions(UserId user, Timestamp now) = 0;
    /// Records a request on the session: last_seen_at = now, written only when the stored
    /// value is a minute old or more (a request does not cost a write each time).
    virtual Status touch_session(const std::string& token_hash, Timestamp now) = 0;

    // Two-factor sign-in (account_model.h; sqlite_store_accounts.cpp).
    virtual std::optional<TwoFactorState> two_factor(UserId user) = 0;
    /// Keeps `secret` as the user's pending secret (set up, not confirmed), replacing an
    /// earlier pending one; an active secret stays active until the new one is confirmed.
    virtual Status set_pending_two_factor(UserId user, const std::string& secret) = 0;
    /// Turns two-factor on with the pending secret, which must still be `secret` (else
    /// kStale), with `recovery_hashes` replacing any earlier recovery codes and `step` (the
    /// confirming code's) as the last step used; one transaction.
    virtual Status confirm_two_factor(UserId user, const std::string& secret, std::int64_t step,
                                      const std::vector<std::string>& recovery_hashes) = 0;
    /// Turns two-factor off: secrets, recovery codes and pending challenges are gone.
    virtual Status disable_two_factor(UserId user) = 0;
    /// Compare-and-set: `step` becomes the last step used if it is later than the stored
    /// one; else kStale (a code of that window was used already).
    virtual Status use_totp_step(UserId user, std::int64_t step) = 0;
    /// Marks the user's unused recovery code `code_hash` used; kStale if unknown or used.
    virtual Status use_recovery_code(UserId user, const std::string& code_hash, Timestamp now) = 0;
    /// Stores a challenge, and drops the ones that expired before its creation.
    virtual Status add_login_challenge(const LoginChallenge& challenge, Timestamp now) = 0;
    virtual std::optional<LoginChallenge> login_challenge(const std::string& token_hash) = 0;
    virtual Status delete_login_challenge(const std::string& token_hash) = 0;

    // Published profiles (signed envelopes).
    virtual Status put_profile(const PublishedProfile& profile) = 0;  ///< replaces by id
    virtual std::optional<PublishedProfile> profile(const std::string& id) = 0;
    virtual std::vector<PublishedProfile> profiles() = 0;

    // Audit log (append-only).
    virtual Status audit(const AuditEntry& entry) = 0;
    virtual std::vector<AuditEntry> audit_log(int limit) = 0;  ///< newest first
    /// One page of the entries `filter` selects, newest first (keyset paging by id).
    virtual AuditPage audit_page(const AuditFilter& filter) = 0;

    // Email (mail_model.h; sqlite_store_mail.cpp). With notifications on (the server has
    // an SMTP relay), submit_ticket and update_ticket queue their notifications in the
    // ticket's own transaction: the operator a ticket is assigned to, the members of the
    // group it is assigned to or arrives in, each with notify_email on and not disabled,
    // never TicketChanges::actor; one message per person.
    virtual void set_mail_notifications(bool on) = 0;
    /// Queued messages whose next attempt is due at `now`, oldest due first.
    virtual std::vector<OutboxMail> due_mail(Timestamp now, int limit) = 0;
    virtual std::optional<OutboxMail> outbox_mail(std::int64_t id) = 0;
    /// The relay took it: state sent (an invitation's token is dropped). kStale when the
    /// message is not queued.
    virtual Status mail_sent(std::int64_t id, Timestamp now) = 0;
    /// A temporary failure: one more attempt counted, the next at `next_attempt_at`.
    virtual Status mail_retry(std::int64_t id, Timestamp next_attempt_at, const std::string& error) = 0;
    /// A permanent failure: no more attempts.
    virtual Status mail_failed(std::int64_t id, Timestamp now, const std::string& error) = 0;
    /// Whether the user's last settled message (sent or failed for good) failed.
    virtual bool mail_failing(UserId user) = 0;
    virtual MailSummary mail_summary() = 0;
    /// Adds `user` (conflict on a taken email), their invitation and its message (`mail`:
    /// language, data, created_at, next attempt; the store fills kind, user and recipient)
    /// in one transaction.
    virtual Result<User> add_invited_user(const User& user, const Invitation& invitation, OutboxMail mail) = 0;
    virtual std::optional<Invitation> invitation(const std::string& token_hash) = 0;
    /// Sets the invited user's password if the invitation is unused and unexpired at `now`
    /// (compare-and-set: single use), and ends their other invitations; else kStale.
    virtual Result<User> accept_invitation(const std::string& token_hash, const std::string& password_hash,
                                           Timestamp now) = 0;

    // Several servers on one database (sql_store_cluster.cpp). A server (node) is alive
    // while its heartbeat is recent; what it held (device streams) goes with it.
    /// Records the node (insert or update), heartbeat_at included.
    virtual Status node_alive(const ClusterNode& node) = 0;
    virtual std::vector<ClusterNode> cluster_nodes() = 0;
    /// Deletes a node and its device streams (a clean stop, or one found dead).
    virtual Status remove_node(const std::string& node_id) = 0;
    /// A device's event stream opened (`open`) or its last one closed on `node_id`.
    virtual Status set_device_stream(const std::string& device_id, const std::string& node_id, bool open) = 0;
    /// (device id, node id) of every device stream of every node.
    virtual std::vector<std::pair<std::string, std::string>> device_streams() = 0;
    /// The node a relayed session pairs on: `node_id` if no node claimed the session
    /// before, else the one that did (atomic: two sides arriving at once agree).
    virtual Result<std::string> claim_relay_home(const std::string& session_id, const std::string& node_id,
                                                 Timestamp now) = 0;
    /// Forgets relay homes created before `before`.
    virtual Status prune_relay_homes(Timestamp before) = 0;
    /// Counts one sign-in attempt for `account` in the minute of `now`; the attempts of
    /// that minute so far, this one included (team-wide, whichever server counted them).
    virtual Result<std::int64_t> count_sign_in_attempt(const std::string& account, Timestamp now) = 0;
    /// Whether this server should run the team's periodic jobs (expiry, pruning) now. With
    /// several servers on one database exactly one holds the jobs (PostgreSQL: a session
    /// advisory lock, released when its server dies); an embedded database always does.
    virtual bool lead_jobs() = 0;
    /// Tells the other servers `payload` (PostgreSQL: NOTIFY on the channel "helpline",
    /// after this call's commit); nothing on an embedded database.
    virtual Status notify(const std::string& payload) = 0;

    // Conversations (sql_store_conversation.cpp, docs/protocol.md "Conversations").
    /// Stores a message unless (ticket, author, key) was seen: then the same request_hash
    /// returns the first one (created=false), another kIdempotencyMismatch. kNotFound: no
    /// such ticket; kStale: the ticket is not open (and `reopen` is not set for a customer);
    /// kInvalid (where "attachments"): an attachment not of this ticket and side, or already
    /// in a message. Its attachments take its `internal`.
    virtual Result<PostedMessage> post_message(const NewMessage& message) = 0;
    /// Stores an upload whose bytes are in `file` (`size` bytes, `sha256`), unless (ticket,
    /// author, key) was stored: then the same sha256 returns it (created=false), another
    /// kConflict. kNotFound, kStale as post_message (`allow_closed` for a customer when
    /// replies reopen); kFull past kMaxAttachmentsPerTicket. The bytes are written once
    /// per distinct content, in chunks of kBlobChunkSize, read from `file` one at a time.
    virtual Result<StoredAttachment> store_attachment(const NewAttachment& attachment, const std::string& file) = 0;
    /// The ticket's messages (oldest first) and attachments; internal ones only if asked.
    virtual std::vector<Message> messages(TicketNumber number, bool internal) = 0;
    virtual std::vector<Attachment> attachments(TicketNumber number, bool internal) = 0;
    virtual std::optional<Attachment> attachment(std::int64_t id) = 0;
    /// Writes the bytes of `sha256` to `sink`, a chunk at a time; kNotFound if not stored.
    virtual Status read_blob(const std::string& sha256, const std::function<void(std::string_view)>& sink) = 0;
    /// `reader` ("device" or "user:<id>") has read up to `message_id` (a mark never moves
    /// back). kInvalid (where "message_id") past the ticket's newest message.
    virtual Status mark_read(TicketNumber number, const std::string& reader, std::int64_t message_id) = 0;
    /// The reader's marks on these tickets (absent: 0).
    virtual std::map<TicketNumber, std::int64_t> read_marks(const std::string& reader,
                                                            const std::vector<TicketNumber>& numbers) = 0;
    /// Team messages a device has not read, per ticket (not internal; absent: none).
    virtual std::map<TicketNumber, std::int64_t> unread_by_device(const std::vector<TicketNumber>& numbers) = 0;
    /// Removes the bytes of attachments of tickets closed or expired before `closed_before`
    /// (metadata stays, removed_at = now), and every blob no attachment still needs (also
    /// after a ticket was deleted). Returns how many attachments lost their bytes.
    virtual Result<std::int64_t> remove_old_attachments(Timestamp closed_before, Timestamp now) = 0;

    // Health.
    virtual bool healthy() = 0;
    /// Whether the database answers a read now: cheap (no write lock), for telling a
    /// record that is not there from one that cannot be read (PostgreSQL restarting).
    virtual bool reachable() = 0;
    virtual std::int64_t count_open_tickets() = 0;
    /// Pending connection requests that have not expired at `now`.
    virtual std::int64_t count_pending_requests(Timestamp now) = 0;
};

/// Opens (creating and migrating as needed) the SQLite database at `path`.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path);
/// Opens (migrating as needed) the PostgreSQL database at `url` (postgresql://..., as
/// libpq reads it: user, password, host, port, dbname, sslmode; PGPASSFILE and the other
/// PG* variables fill what the URL leaves out). The database must exist.
Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url);
/// `database` is a PostgreSQL URL (postgresql:// or postgres://), `sqlite:PATH` or a path.
Result<std::unique_ptr<Store>> open_store(const std::string& database);
bool is_postgres_url(std::string_view database);

}  // namespace helpline::server
