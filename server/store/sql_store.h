#pragma once
// The Store on SQL, for both engines (sql_db.h): one writing connection, serialised by a
// mutex — the database takes one writer at a time anyway (SQLite by its nature, PostgreSQL
// by the advisory lock every write transaction takes), and a single one keeps every change
// simply one transaction seen whole by the next — and a few reading connections for the
// lookups (reader_pool.h), which see the last commit without waiting for the one in
// progress. Open it with open_store() (store.h).

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>

#include "server/store/reader_pool.h"
#include "server/store/sql_db.h"
#include "server/store/store.h"
#include "server/store/wal_checkpointer.h"

namespace helpline::server {

class SqlStore final : public Store {
  public:
    /// Takes over the writing connection `db`, the `readers` for lookups (none: lookups use
    /// the writer) and, for SQLite in a file, the `checkpointer` that `db` reports its
    /// commits to (wal_checkpointer.h).
    SqlStore(std::unique_ptr<Db> db, std::unique_ptr<ReaderPool> readers,
             std::unique_ptr<WalCheckpointer> checkpointer = nullptr);

    std::optional<std::string> setting(const std::string& key) override;
    Status set_setting(const std::string& key, const std::string& value) override;

    Result<User> add_user(const User& user) override;
    std::optional<User> user(UserId id) override;
    std::optional<User> user_by_email(const std::string& email) override;
    std::vector<User> users() override;
    Status update_user(const User& user) override;

    Status add_group(const Group& group) override;
    Status rename_group(const std::string& id, const std::string& name) override;
    Result<GroupDeletion> delete_group(const std::string& id) override;
    std::map<std::string, GroupTicketCounts> group_ticket_counts() override;
    std::vector<Group> groups() override;
    std::optional<Group> group(const std::string& id) override;
    Status set_group_members(const std::string& id, const std::vector<UserId>& users) override;
    std::vector<UserId> group_members(const std::string& id) override;
    std::vector<std::string> groups_of(UserId user) override;

    Status add_organization(const Organization& org) override;
    Status remove_organization(const std::string& domain) override;
    Status rename_organization(const std::string& domain, const std::string& name) override;
    std::vector<Organization> organizations() override;
    std::int64_t team_revision() override;

    Status add_device(const Device& device) override;
    std::optional<Device> device_by_token_hash(const std::string& token_hash) override;
    std::optional<Device> device(const std::string& id) override;
    Status touch_devices(const std::vector<std::pair<std::string, Timestamp>>& seen) override;

    Result<SubmitResult> submit_ticket(const NewTicket& ticket, const std::string& idempotency_key,
                                       const std::string& request_hash,
                                       const std::function<bool()>& may_create = {}) override;
    std::optional<Ticket> ticket(TicketNumber number) override;
    std::vector<Ticket> queue(std::optional<UserId> visible_to) override;
    HistoryPage history(const HistoryFilter& filter) override;
    HistoryCounts history_counts(std::optional<UserId> visible_to) override;
    std::vector<std::string> history_requesters(const std::string& prefix,
                                                std::optional<UserId> visible_to,
                                                int limit) override;
    DashboardData dashboard(const DashboardQuery& query) override;
    std::vector<AuditEntry> ticket_audit(TicketNumber number) override;
    std::vector<Ticket> device_tickets(const std::string& device_id, int limit) override;
    Result<Ticket> update_ticket(TicketNumber number, const TicketChanges& changes,
                                 Timestamp now) override;
    Result<ClosedTicket> close_ticket(TicketNumber number, UserId by, Timestamp now) override;
    Status add_handler(TicketNumber number, UserId user) override;
    std::vector<ClosedTicket> expire_tickets(Timestamp cutoff, Timestamp now) override;

    Status add_connection_request(const ConnectionRequest& request) override;
    std::optional<ConnectionRequest> connection_request(const std::string& id) override;
    std::optional<ConnectionRequest> request_by_session(const std::string& session_id) override;
    Status transition_request(const ConnectionRequest& updated, RequestState expected) override;
    std::vector<ConnectionRequest> pending_requests(const std::string& device_id,
                                                    Timestamp now) override;
    std::vector<ConnectionRequest> expire_requests(Timestamp now) override;

    Result<std::int64_t> append_event(const StoredEvent& event) override;
    std::vector<StoredEvent> events_after(const std::string& device_id, std::int64_t after_id,
                                          int limit) override;
    Status prune_events(Timestamp before) override;

    Status add_session(const OperatorSession& session) override;
    std::optional<OperatorSession> session(const std::string& token_hash) override;
    Status delete_session(const std::string& token_hash) override;
    Status delete_user_sessions(UserId user) override;
    Status delete_user_sessions_except(UserId user, const std::string& keep_token_hash) override;
    std::vector<OperatorSession> user_sessions(UserId user, Timestamp now) override;
    Status touch_session(const std::string& token_hash, Timestamp now) override;

    std::optional<TwoFactorState> two_factor(UserId user) override;
    Status set_pending_two_factor(UserId user, const std::string& secret) override;
    Status confirm_two_factor(UserId user, const std::string& secret, std::int64_t step,
                              const std::vector<std::string>& recovery_hashes) override;
    Status disable_two_factor(UserId user) override;
    Status use_totp_step(UserId user, std::int64_t step) override;
    Status use_recovery_code(UserId user, const std::string& code_hash, Timestamp now) override;
    Status add_login_challenge(const LoginChallenge& challenge, Timestamp now) override;
    std::optional<LoginChallenge> login_challenge(const std::string& token_hash) override;
    Status delete_login_challenge(const std::string& token_hash) override;

    Status put_profile(const PublishedProfile& profile) override;
    std::optional<PublishedProfile> profile(const std::string& id) override;
    std::vector<PublishedProfile> profiles() override;

    Status audit(const AuditEntry& entry) override;
    std::vector<AuditEntry> audit_log(int limit) override;
    AuditPage audit_page(const AuditFilter& filter) override;

    void set_mail_notifications(bool on) override;
    std::vector<OutboxMail> due_mail(Timestamp now, int limit) override;
    std::optional<OutboxMail> outbox_mail(std::int64_t id) override;
    Status mail_sent(std::int64_t id, Timestamp now) override;
    Status mail_retry(std::int64_t id, Timestamp next_attempt_at, const std::string& error) override;
    Status mail_failed(std::int64_t id, Timestamp now, const std::string& error) override;
    bool mail_failing(UserId user) override;
    MailSummary mail_summary() override;
    Result<User> add_invited_user(const User& user, const Invitation& invitation, OutboxMail mail) override;
    std::optional<Invitation> invitation(const std::string& token_hash) override;
    Result<User> accept_invitation(const std::string& token_hash, const std::string& password_hash,
                                   Timestamp now) override;

    Status node_alive(const ClusterNode& node) override;
    std::vector<ClusterNode> cluster_nodes() override;
    Status remove_node(const std::string& node_id) override;
    Status set_device_stream(const std::string& device_id, const std::string& node_id, bool open) override;
    std::vector<std::pair<std::string, std::string>> device_streams() override;
    Result<std::string> claim_relay_home(const std::string& session_id, const std::string& node_id,
                                         Timestamp now) override;
    Status prune_relay_homes(Timestamp before) override;
    Result<std::int64_t> count_sign_in_attempt(const std::string& account, Timestamp now) override;
    bool lead_jobs() override;
    Status notify(const std::string& payload) override;

    /// For several servers on one database: `connect` opens the connections the job lock
    /// and notifications use (PostgreSQL); without it the store is alone (SQLite).
    void enable_cluster(std::function<std::unique_ptr<Db>()> connect);

    Result<PostedMessage> post_message(const NewMessage& message) override;
    Result<StoredAttachment> store_attachment(const NewAttachment& attachment, const std::string& file) override;
    std::vector<Message> messages(TicketNumber number, bool internal) override;
    std::vector<Attachment> attachments(TicketNumber number, bool internal) override;
    std::optional<Attachment> attachment(std::int64_t id) override;
    Status read_blob(const std::string& sha256, const std::function<void(std::string_view)>& sink) override;
    Status mark_read(TicketNumber number, const std::string& reader, std::int64_t message_id) override;
    std::map<TicketNumber, std::int64_t> read_marks(const std::string& reader,
                                                    const std::vector<TicketNumber>& numbers) override;
    std::map<TicketNumber, std::int64_t> unread_by_device(const std::vector<TicketNumber>& numbers) override;
    Result<std::int64_t> remove_old_attachments(Timestamp closed_before, Timestamp now) override;

    bool healthy() override;
    bool reachable() override;
    std::int64_t count_open_tickets() override;
    std::int64_t count_pending_requests(Timestamp now) override;

    /// Submissions waiting for the commit in progress to finish (for tests and metrics).
    std::size_t queued_submissions();
    /// Write transactions that committed submissions (several submissions may share one).
    std::uint64_t submission_commits();
    /// WAL checkpoints the background thread has run (for tests).
    int background_checkpoints();

  private:
    /// Runs `f` (returning a Result) under the mutex; a database failure becomes its Error.
    template <typename F>
    auto with_error(F&& f) -> decltype(f()) {
        std::lock_guard lock(mutex_);
        try {
            return std::forward<F>(f)();
        } catch (const DbException& e) {
            return e.error();
        }
    }

    /// Runs `f` under the mutex for the methods whose answer has no error channel (lookups,
    /// lists, the expiry sweeps): a database failure reads as "nothing"; healthy() and the
    /// methods returning Status report it.
    template <typename F>
    auto or_empty(F&& f) -> decltype(f()) {
        std::lock_guard lock(mutex_);
        try {
            return std::forward<F>(f)();
        } catch (const DbException&) {
            return {};
        }
    }

    /// Runs the lookup `f` (returning a value) on a reader connection (reader_pool.h),
    /// so that it does not wait for a commit in progress; a database failure reads as
    /// "nothing". Without readers (a database in memory) it runs like or_empty().
    template <typename F>
    auto read_only(F&& f) -> decltype(f()) {
        if (!readers_) return or_empty(std::forward<F>(f));
        const auto lease = readers_->acquire();
        reading_ = &lease.db();
        for (int attempt = 1;; ++attempt) {
            try {
                auto result = f();
                reading_ = nullptr;
                return result;
            } catch (const DbException&) {
                // A reader whose server went away (PostgreSQL restarted) learns it only by
                // failing; a lookup may run again, and its second try connects anew.
                if (attempt == 1 && lease.db().lost()) continue;
                reading_ = nullptr;
                return {};
            }
        }
    }
    /// The connection of the call in progress: the reader inside read_only(), else the
    /// writer (under mutex_).
    Db& db() { return reading_ != nullptr ? *reading_ : *db_; }
    static thread_local Db* reading_;

    /// Lists are capped so that one request cannot make the server read the whole table.
    static constexpr int kMaxLimit = 1000;
    static int clamp_limit(int limit);

    // Helpers; they expect the mutex held (and usually a transaction).
    std::optional<Ticket> load_ticket(TicketNumber number);
    /// Reads the rows of `stmt` (kTicketColumns); with `handlers`, each one's handled_by too.
    std::vector<Ticket> load_tickets(Statement& stmt, bool handlers = true);
    void fill_handlers(Ticket& ticket);
    /// Merges history pages of several sources (an operator's groups, their handled
    /// tickets), each in history order, into one page of `limit` rows.
    static HistoryPage merge_history(std::vector<std::vector<Ticket>> sources, int limit);
    void insert_handler(TicketNumber number, UserId user);  ///< idempotent
    /// The ticket was closed or expired at `closed_at`: its handlers' rows say so.
    void handlers_closed(TicketNumber number, Timestamp closed_at);
    /// One more ticket of `group_id` in history with `status` (history_counts).
    void count_in_history(const std::optional<std::string>& group_id, TicketStatus status);
    /// A customer's reply reopened a closed or expired ticket: open again, out of history.
    void reopen_ticket(const Ticket& ticket, Timestamp now);
    /// Writes the blob `sha256` from `file` unless stored (sql_store_conversation.cpp).
    void store_blob(const std::string& sha256, std::int64_t size, const std::string& file, Timestamp now);
    bool user_exists(UserId id);
    bool group_exists(const std::string& id);
    bool device_exists(const std::string& id);
    /// In a team-management transaction: counts the change (team_revision()).
    void bump_team_revision();
    /// Cancels the ticket's pending connection requests; returns them (as now stored).
    std::vector<ConnectionRequest> cancel_pending_requests(TicketNumber number, Timestamp now);
    // The mail outbox (sql_store_mail.cpp).
    /// Queues the notifications of a ticket that was created (`before` null) or changed.
    void queue_ticket_mail(const Ticket* before, const Ticket& after, std::optional<UserId> actor, Timestamp now);
    std::int64_t insert_mail(const OutboxMail& mail);  ///< its id
    std::atomic<bool> mail_notifications_{false};

    // Group commit of submissions (sql_store_tickets.cpp).
    struct PendingSubmission;
    static constexpr std::size_t kMaxSubmissionsPerCommit = 64;
    /// Takes up to kMaxSubmissionsPerCommit queued submissions (under submit_mutex_).
    std::vector<PendingSubmission*> take_batch();
    /// One write transaction, one savepoint per submission; takes mutex_, then the write
    /// lock, then the batch (into `batch`); their results, in order.
    std::vector<Result<SubmitResult>> commit_submissions(std::vector<PendingSubmission*>& batch);
    Result<SubmitResult> submit_in_transaction(const PendingSubmission& p);
    std::mutex submit_mutex_;  ///< guards the three below; may be taken inside mutex_, never around it
    std::condition_variable submit_done_;
    std::deque<PendingSubmission*> submit_queue_;
    bool submit_leader_ = false;  ///< a caller is committing a batch
    std::uint64_t submission_commits_ = 0;

    // Several servers (sql_store_cluster.cpp): connections of their own, so that holding
    // the job lock or notifying never waits for the writer.
    std::function<std::unique_ptr<Db>()> connect_;
    std::mutex job_mutex_;
    std::unique_ptr<Db> job_db_;  ///< holds the session advisory lock while it leads the jobs
    bool leading_jobs_ = false;
    std::mutex notify_mutex_;
    std::unique_ptr<Db> notify_db_;

    std::unique_ptr<WalCheckpointer> checkpointer_;  ///< outlives db_, whose commits call it
    std::mutex mutex_;
    std::unique_ptr<Db> db_;
    std::unique_ptr<ReaderPool> readers_;  ///< none for a database in memory
};

}  // namespace helpline::server
