#pragma once
// The SQLite connection (sql_db.h): one database file, its prepared statements cached per
// connection, WAL mode with synchronous=FULL.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "server/store/sql_db.h"

struct sqlite3;
struct sqlite3_stmt;

namespace helpline::server {

class SqliteDb final : public Db {
  public:
    /// Opens or creates the file, in WAL mode with synchronous=FULL, foreign keys on and a
    /// busy timeout (another process may hold the write lock for a moment).
    static std::unique_ptr<SqliteDb> open(const std::string& path);
    /// A second connection to the file `open` made, for reads only (PRAGMA query_only): in
    /// WAL mode it reads the last commit while the writer's connection is busy committing.
    static std::unique_ptr<SqliteDb> open_reader(const std::string& path);
    ~SqliteDb() override;

    Engine engine() const override { return Engine::sqlite; }
    const std::string& path() const override { return path_; }
    void exec(const std::string& sql) override;
    std::int64_t changes() const override;
    /// BEGIN IMMEDIATE (write) or BEGIN (read). IMMEDIATE takes the write lock up front, so
    /// a transaction that reads and then writes never sees its snapshot go stale under
    /// another process (SQLITE_BUSY_SNAPSHOT).
    void begin(TransactionKind kind) override;
    void commit() override { exec("COMMIT"); }
    void rollback() override { exec("ROLLBACK"); }
    std::int64_t schema_version() override;  ///< PRAGMA user_version, in the file's header
    void set_schema_version(std::int64_t version) override;
    /// The file reads and the write lock can be had within 1 s (another process may hold
    /// it), not the 5 s a request would wait.
    bool ready() override;

    /// Copies the pages the write-ahead log holds back into the database file, without
    /// waiting for readers or writers (SQLITE_CHECKPOINT_PASSIVE). Returns the frames in
    /// the log and how many of them are now in the database file.
    std::pair<int, int> checkpoint_passive();
    /// Hands WAL checkpoints to the caller: SQLite stops checkpointing inline at commit,
    /// and `after_commit(frames in the log)` runs on the committing thread after each
    /// commit instead (it must be quick: it runs inside the commit).
    void on_commit(std::function<void(int)> after_commit);

    /// How long a statement waits for another connection's lock before failing with
    /// "busy" (open sets 5 s).
    void set_busy_timeout(std::chrono::milliseconds timeout);
    static constexpr std::chrono::milliseconds kDefaultBusyTimeout{5000};

    /// The error for the connection's last failure, `rc` being the code that reported it.
    [[noreturn]] void fail(int rc, std::string_view doing) const;

  protected:
    StatementImpl* acquire_statement(std::string_view sql) override;
    void release_statement(StatementImpl* statement) noexcept override;

  private:
    class SqliteStatement;
    SqliteDb(sqlite3* handle, std::string path);
    /// Opens `path` with `flags` (+ NOMUTEX), extended result codes and the busy timeout.
    static std::unique_ptr<SqliteDb> connect(const std::string& path, int flags);

    sqlite3* handle_;
    std::string path_;
    std::function<void(int)> after_commit_;
    // Node-based, so the statements stay put while in use.
    std::unordered_map<std::string, std::unique_ptr<SqliteStatement>> cache_;
};

}  // namespace helpline::server
