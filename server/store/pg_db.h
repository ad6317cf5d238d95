#pragma once
// The PostgreSQL connection (sql_db.h), through libpq. The store's SQL is written with `?`
// parameters; each statement is prepared once per connection with them numbered ($1, $2,
// ...), parameters are sent as text for the server to type by their context, and every
// result is read whole (the store's queries are bounded by their LIMITs).
//
// A lost connection (the database restarted, a network cut) fails the call in progress
// with store.io, and the next call outside a transaction connects again: a server recovers
// by itself once PostgreSQL is back.

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/store/sql_db.h"

struct pg_conn;

namespace helpline::server {

class PgDb final : public Db {
  public:
    /// Connects to `url` (throws DbException with the reason when it cannot).
    static std::unique_ptr<PgDb> open(const std::string& url);
    ~PgDb() override;

    Engine engine() const override { return Engine::postgresql; }
    const std::string& path() const override { return shown_url_; }
    void exec(const std::string& sql) override;
    std::int64_t changes() const override { return changes_; }
    /// BEGIN, then for a write transaction pg_advisory_xact_lock(kWriteLock): every server
    /// on the database takes it, so write transactions run one at a time as on SQLite, and
    /// the store's read-then-write logic (compare-and-set, idempotency keys, counters) holds
    /// across servers. A read transaction is REPEATABLE READ READ ONLY: one snapshot.
    void begin(TransactionKind kind) override;
    void commit() override;
    void rollback() override;
    std::int64_t schema_version() override;  ///< the table helpline_schema; 0 without it
    void set_schema_version(std::int64_t version) override;
    /// Connects again if needed and reads the counters table.
    bool ready() override;
    bool lost() const override;

    /// The advisory lock key of write transactions ("Help" in ASCII).
    static constexpr std::int64_t kWriteLock = 0x48656c70;

    /// `url` with any password replaced by "***" (for messages and logs).
    static std::string without_password(std::string_view url);

    /// The error for a failed call: `what` is libpq's message, `sqlstate` its code.
    [[noreturn]] void fail(std::string_view doing, const std::string& what, const std::string& sqlstate) const;

  protected:
    StatementImpl* acquire_statement(std::string_view sql) override;
    void release_statement(StatementImpl* statement) noexcept override;

  private:
    class PgStatement;
    friend class PgStatement;
    PgDb(pg_conn* conn, std::string url);
    /// Outside a transaction, connects again when the connection was lost.
    void ensure_connected();
    void set_changes(std::int64_t changes) { changes_ = changes; }

    pg_conn* conn_;
    std::string url_;
    std::string shown_url_;
    bool in_transaction_ = false;
    std::int64_t changes_ = 0;
    int next_statement_ = 0;
    std::unordered_map<std::string, std::unique_ptr<PgStatement>> cache_;
};

/// `sql` with its `?` parameters numbered as PostgreSQL wants them ($1, $2, ...); a `?`
/// inside a quoted literal or identifier is left alone. Sets `parameters` to their count.
std::string number_parameters(std::string_view sql, int& parameters);

}  // namespace helpline::server
