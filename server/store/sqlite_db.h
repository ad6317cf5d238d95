#pragma once
// A small RAII layer over the SQLite C API for the store: one connection with its cached
// prepared statements, statements that reset themselves, and transactions that roll
// back unless committed. Not thread-safe by itself: SqliteStore serialises every use.
//
// Failures are thrown as DbException, inside the store only: every SQLite call can fail,
// and checking each one by hand is where such code goes wrong. Each public Store method
// catches it in one place and returns its Error.

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "shared/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace helpline::server {

class DbException : public std::exception {
  public:
    explicit DbException(Error error) : error_(std::move(error)) {}
    const Error& error() const { return error_; }
    const char* what() const noexcept override { return error_.message.c_str(); }

  private:
    Error error_;
};

class Db;

/// A prepared statement in use. Parameters are bound in order with bind(); step() moves
/// to the next row. On destruction it is reset and handed back to the connection's cache.
class Statement {
  public:
    Statement(Db& db, sqlite3_stmt* stmt, bool* in_use);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&&) = delete;

    /// Binds the next parameters, in order, from the first unbound one.
    template <typename... Args>
    Statement& bind(const Args&... args) {
        (bind_next(args), ...);
        return *this;
    }

    /// True when a row is ready; false when the statement is done.
    bool step();
    /// Runs a statement that returns no rows (or whose rows do not matter).
    void run();

    bool is_null(int column) const;
    std::int64_t int64(int column) const;
    std::optional<std::int64_t> optional_int64(int column) const;
    std::string text(int column) const;
    std::optional<std::string> optional_text(int column) const;

  private:
    void bind_next(std::int64_t value);
    void bind_next(int value) { bind_next(static_cast<std::int64_t>(value)); }
    void bind_next(bool value) { bind_next(static_cast<std::int64_t>(value ? 1 : 0)); }
    void bind_next(std::string_view value);
    void bind_next(const std::string& value) { bind_next(std::string_view(value)); }
    void bind_next(const char* value) { bind_next(std::string_view(value)); }
    void bind_next(std::nullopt_t);
    template <typename T>
    void bind_next(const std::optional<T>& value) {
        if (value) {
            bind_next(*value);
        } else {
            bind_next(std::nullopt);
        }
    }
    void check_bind(int rc);

    Db* db_;
    sqlite3_stmt* stmt_;
    bool* in_use_;  ///< the cache's flag; nullptr: this statement is not cached, finalize it
    int next_parameter_ = 1;
};

/// One connection to a database file.
class Db {
  public:
    /// Opens or creates the file, in WAL mode with synchronous=FULL, foreign keys on and a
    /// busy timeout (another process may hold the write lock for a moment).
    static std::unique_ptr<Db> open(const std::string& path);
    /// A second connection to the file `open` made, for reads only (PRAGMA query_only): in
    /// WAL mode it reads the last commit while the writer's connection is busy committing.
    static std::unique_ptr<Db> open_reader(const std::string& path);
    ~Db();
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    /// A statement for `sql`, prepared once per connection and reused.
    Statement prepare(std::string_view sql);
    /// Runs SQL text without parameters, possibly several statements (migrations).
    void exec(const std::string& sql);
    /// A single integer from a query (PRAGMA user_version, COUNT(*), ...).
    std::int64_t query_int64(std::string_view sql);

    /// Copies the pages the write-ahead log holds back into the database file, without
    /// waiting for readers or writers (SQLITE_CHECKPOINT_PASSIVE). Returns the frames in
    /// the log and how many of them are now in the database file.
    std::pair<int, int> checkpoint_passive();
    /// Hands WAL checkpoints to the caller: SQLite stops checkpointing inline at commit,
    /// and `after_commit(frames in the log)` runs on the committing thread after each
    /// commit instead (it must be quick: it runs inside the commit).
    void on_commit(std::function<void(int)> after_commit);

    /// How long a statement waits for another connection's lock before failing with
    /// "busy" (Db::open sets 5 s).
    void set_busy_timeout(std::chrono::milliseconds timeout);
    static constexpr std::chrono::milliseconds kDefaultBusyTimeout{5000};

    std::int64_t last_insert_id() const;
    /// Rows changed by the last INSERT, UPDATE or DELETE.
    std::int64_t changes() const;
    const std::string& path() const { return path_; }

    /// The error for the connection's last failure, `rc` being the code that reported it.
    [[noreturn]] void fail(int rc, std::string_view doing) const;

  private:
    Db(sqlite3* handle, std::string path);
    /// Opens `path` with `flags` (+ NOMUTEX), extended result codes and the busy timeout.
    static std::unique_ptr<Db> connect(const std::string& path, int flags);

    struct CachedStatement {
        sqlite3_stmt* stmt = nullptr;
        bool in_use = false;
    };

    sqlite3* handle_;
    std::string path_;
    std::function<void(int)> after_commit_;
    // Node-based, so the in_use flags a Statement points at stay put.
    std::unordered_map<std::string, CachedStatement> cache_;
};

/// Throws the error for a row the store cannot read back (a value outside its CHECKs,
/// written by hand or by a damaged file).
[[noreturn]] void throw_corrupt(const Db& db, std::string_view what);

/// BEGIN IMMEDIATE (write) or BEGIN (read) ... COMMIT; rolls back if not committed.
/// IMMEDIATE takes the write lock up front, so a transaction that reads and then writes
/// never sees its snapshot go stale under another process (SQLITE_BUSY_SNAPSHOT).
class Transaction {
  public:
    enum class Kind { read, write };
    explicit Transaction(Db& db, Kind kind = Kind::write);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    void commit();

  private:
    Db& db_;
    bool open_ = true;
};

}  // namespace helpline::server
