#pragma once
// The store's view of a database connection, whichever engine is behind it: SQLite
// (sqlite_db.h, embedded, the default) or PostgreSQL (pg_db.h, through libpq). The store's
// SQL is written once, with `?` parameters, in the forms both engines accept; a connection
// runs it, hands out prepared statements that reset themselves, and opens transactions
// that roll back unless committed. Not thread-safe by itself: SqlStore serialises every use.
//
// Failures are thrown as DbException, inside the store only: every database call can fail,
// and checking each one by hand is where such code goes wrong. Each public Store method
// catches it in one place and returns its Error.

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "shared/result.h"

namespace helpline::server {

class DbException : public std::exception {
  public:
    explicit DbException(Error error) : error_(std::move(error)) {}
    const Error& error() const { return error_; }
    const char* what() const noexcept override { return error_.message.c_str(); }

  private:
    Error error_;
};

/// One engine's prepared statement. Parameters are 1-based, columns 0-based.
class StatementImpl {
  public:
    virtual ~StatementImpl() = default;
    virtual void bind_int64(int parameter, std::int64_t value) = 0;
    virtual void bind_text(int parameter, std::string_view value) = 0;
    virtual void bind_null(int parameter) = 0;
    /// Bytes, not text (an attachment's chunk): SQLite BLOB, PostgreSQL BYTEA.
    virtual void bind_blob(int parameter, std::string_view bytes) = 0;
    /// True when a row is ready; false when the statement is done.
    virtual bool step() = 0;
    virtual bool is_null(int column) const = 0;
    virtual std::int64_t int64(int column) const = 0;
    virtual std::string text(int column) const = 0;
    /// A BLOB / BYTEA column's bytes.
    virtual std::string blob(int column) const = 0;
    /// The result's columns (after the first step on PostgreSQL; any time on SQLite).
    virtual int column_count() const = 0;
    virtual std::string column_name(int column) const = 0;
};

class Db;

/// A parameter to bind as bytes (Statement::bind(Bytes{...})). Not copied: the bytes must
/// stay as they are until the statement has run.
struct Bytes {
    std::string_view bytes;
};

/// A prepared statement in use. Parameters are bound in order with bind(); step() moves
/// to the next row. On destruction it goes back to its connection (reset, for reuse).
class Statement {
  public:
    Statement(Db& db, StatementImpl* impl) : db_(&db), impl_(impl) {}
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement(Statement&& other) noexcept
        : db_(other.db_), impl_(std::exchange(other.impl_, nullptr)), next_parameter_(other.next_parameter_) {}
    Statement& operator=(Statement&&) = delete;

    /// Binds the next parameters, in order, from the first unbound one.
    template <typename... Args>
    Statement& bind(const Args&... args) {
        (bind_next(args), ...);
        return *this;
    }

    bool step() { return impl_->step(); }
    /// Runs a statement that returns no rows (or whose rows do not matter).
    void run() {
        while (step()) {
        }
    }

    bool is_null(int column) const { return impl_->is_null(column); }
    std::int64_t int64(int column) const { return impl_->int64(column); }
    std::optional<std::int64_t> optional_int64(int column) const {
        if (is_null(column)) return std::nullopt;
        return int64(column);
    }
    std::string text(int column) const { return impl_->text(column); }
    std::string blob(int column) const { return impl_->blob(column); }
    std::optional<std::string> optional_text(int column) const {
        if (is_null(column)) return std::nullopt;
        return text(column);
    }
    int column_count() const { return impl_->column_count(); }
    std::string column_name(int column) const { return impl_->column_name(column); }

  private:
    void bind_next(std::int64_t value) { impl_->bind_int64(next_parameter_++, value); }
    void bind_next(int value) { bind_next(static_cast<std::int64_t>(value)); }
    void bind_next(bool value) { bind_next(static_cast<std::int64_t>(value ? 1 : 0)); }
    void bind_next(std::string_view value) { impl_->bind_text(next_parameter_++, value); }
    void bind_next(const std::string& value) { bind_next(std::string_view(value)); }
    void bind_next(const char* value) { bind_next(std::string_view(value)); }
    void bind_next(std::nullopt_t) { impl_->bind_null(next_parameter_++); }
    void bind_next(Bytes value) { impl_->bind_blob(next_parameter_++, value.bytes); }
    template <typename T>
    void bind_next(const std::optional<T>& value) {
        if (value) {
            bind_next(*value);
        } else {
            bind_next(std::nullopt);
        }
    }

    Db* db_;
    StatementImpl* impl_;
    int next_parameter_ = 1;
};

/// One connection to a database.
class Db {
  public:
    enum class Engine { sqlite, postgresql };
    enum class TransactionKind { read, write };

    virtual ~Db() = default;
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    virtual Engine engine() const = 0;
    /// Where the data is, for messages: the file's path, or the URL without its password.
    virtual const std::string& path() const = 0;

    /// A statement for `sql`, prepared once per connection and reused.
    Statement prepare(std::string_view sql) { return Statement(*this, acquire_statement(sql)); }
    /// Runs SQL text without parameters, possibly several statements (migrations).
    virtual void exec(const std::string& sql) = 0;
    /// A single integer from a query (COUNT(*), ...); 0 when it returns no row.
    std::int64_t query_int64(std::string_view sql);
    /// Rows changed by the last INSERT, UPDATE or DELETE.
    virtual std::int64_t changes() const = 0;

    /// A write transaction holds the database's one write lock from its start (SQLite's
    /// BEGIN IMMEDIATE; on PostgreSQL a transaction-scoped advisory lock every server
    /// takes): a transaction that reads and then writes never acts on a stale read.
    /// A read transaction sees one snapshot.
    virtual void begin(TransactionKind kind) = 0;
    virtual void commit() = 0;
    virtual void rollback() = 0;

    /// The schema version the migrations reached (0: a new database); read and written
    /// inside the migration's transaction.
    virtual std::int64_t schema_version() = 0;
    virtual void set_schema_version(std::int64_t version) = 0;

    /// Whether a submission could be stored now, answered within about a second (the
    /// readiness probe); throws DbException when the database fails.
    virtual bool ready() = 0;
    /// The connection broke (the server went away); the next use outside a transaction
    /// connects again. An embedded database never loses its connection.
    virtual bool lost() const { return false; }

  protected:
    Db() = default;
    friend class Statement;
    virtual StatementImpl* acquire_statement(std::string_view sql) = 0;
    /// The statement is done with (reset it for reuse, or free it); never throws.
    virtual void release_statement(StatementImpl* statement) noexcept = 0;
};

inline Statement::~Statement() {
    if (impl_ != nullptr) db_->release_statement(impl_);
}

/// Throws the error for a row the store cannot read back (a value outside its CHECKs,
/// written by hand or by a damaged file).
[[noreturn]] void throw_corrupt(const Db& db, std::string_view what);

/// The id an `INSERT ... RETURNING id` statement gave its row (both engines have RETURNING).
std::int64_t returned_id(Statement& insert);

/// SQL text shortened for an error message: whitespace folded, at most 80 characters.
std::string shorten_sql(std::string_view sql);

/// A transaction (Db::begin) that rolls back unless committed.
class Transaction {
  public:
    using Kind = Db::TransactionKind;
    explicit Transaction(Db& db, Kind kind = Kind::write) : db_(db) { db_.begin(kind); }
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    void commit() {
        db_.commit();
        open_ = false;
    }

  private:
    Db& db_;
    bool open_ = true;
};

}  // namespace helpline::server
