#include "server/store/sqlite_db.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cstdint>
#include <utility>

#include "server/store/store.h"

namespace helpline::server {

namespace {

// SQLITE_TRANSIENT spelled without the header's C-style cast: SQLite copies the bytes,
// because a bound string need not outlive the bind() call.
// NOLINTNEXTLINE(performance-no-int-to-ptr): the sentinel is SQLite's, not an address
const auto kTransient = reinterpret_cast<sqlite3_destructor_type>(static_cast<std::intptr_t>(-1));

// Constraint failures the store did not check first still get the store's codes; anything
// else is the database failing.
const char* code_for(int extended_rc) {
    switch (extended_rc) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
            return store_error::kConflict;
        case SQLITE_CONSTRAINT_FOREIGNKEY:
            return store_error::kNotFound;
        default:
            return store_error::kIo;
    }
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Statement

class SqliteDb::SqliteStatement final : public StatementImpl {
  public:
    SqliteStatement(SqliteDb& db, sqlite3_stmt* stmt, bool cached) : db_(db), stmt_(stmt), cached_(cached) {}
    ~SqliteStatement() override { sqlite3_finalize(stmt_); }
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    void bind_int64(int parameter, std::int64_t value) override {
        check_bind(sqlite3_bind_int64(stmt_, parameter, value));
    }
    void bind_text(int parameter, std::string_view value) override {
        // A null pointer would bind SQL NULL, not an empty string.
        const char* data = value.data() != nullptr ? value.data() : "";
        check_bind(sqlite3_bind_text64(stmt_, parameter, data, value.size(), kTransient, SQLITE_UTF8));
    }
    void bind_null(int parameter) override { check_bind(sqlite3_bind_null(stmt_, parameter)); }
    void bind_blob(int parameter, std::string_view bytes) override {
        // A null pointer would bind SQL NULL, not zero bytes.
        const char* data = bytes.data() != nullptr ? bytes.data() : "";
        // Not copied (SQLITE_STATIC): the caller's bytes outlive the statement's run
        // (sql_db.h), and a chunk copied once more is that much more memory per upload.
        check_bind(sqlite3_bind_blob64(stmt_, parameter, data, bytes.size(), SQLITE_STATIC));
    }

    bool step() override {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        db_.fail(rc, fmt::format("run: {}", shorten_sql(sqlite3_sql(stmt_))));
    }

    bool is_null(int column) const override { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
    std::int64_t int64(int column) const override { return sqlite3_column_int64(stmt_, column); }
    std::string text(int column) const override {
        // column_text before column_bytes: the byte count is of the converted text.
        const auto* data = sqlite3_column_text(stmt_, column);
        const auto size = sqlite3_column_bytes(stmt_, column);
        if (data == nullptr) return {};
        return std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size));
    }

    std::string blob(int column) const override {
        const void* data = sqlite3_column_blob(stmt_, column);
        const auto size = sqlite3_column_bytes(stmt_, column);
        if (data == nullptr) return {};
        return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
    }

    int column_count() const override { return sqlite3_column_count(stmt_); }
    std::string column_name(int column) const override {
        const char* name = sqlite3_column_name(stmt_, column);
        return name != nullptr ? name : "";
    }

    /// Back to the cache: reset for the next use. The result of reset repeats the last
    /// step's error, which was already reported.
    void reset() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
        in_use = false;
    }
    bool cached() const { return cached_; }
    bool in_use = false;

  private:
    void check_bind(int rc) {
        if (rc != SQLITE_OK) db_.fail(rc, fmt::format("bind a value for: {}", shorten_sql(sqlite3_sql(stmt_))));
    }

    SqliteDb& db_;
    sqlite3_stmt* stmt_;
    bool cached_;
};

// ---------------------------------------------------------------------------------------
// Db

SqliteDb::SqliteDb(sqlite3* handle, std::string path) : handle_(handle), path_(std::move(path)) {}

SqliteDb::~SqliteDb() {
    cache_.clear();
    sqlite3_close_v2(handle_);
}

std::unique_ptr<SqliteDb> SqliteDb::connect(const std::string& path, int flags) {
    if (sqlite3_threadsafe() == 0) {
        throw DbException(make_error(
            store_error::kIo,
            "This SQLite library was built without thread support; the server cannot use it.",
            path));
    }
    sqlite3* handle = nullptr;
    // NOMUTEX: SqliteStore serialises all use of each connection with a mutex of its own.
    const int rc = sqlite3_open_v2(path.c_str(), &handle, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        const std::string reason = handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
        sqlite3_close_v2(handle);
        throw DbException(
            make_error(store_error::kIo,
                       fmt::format("Could not open the database \"{path}\": {reason}.",
                                   fmt::arg("path", path), fmt::arg("reason", reason)),
                       path));
    }
    std::unique_ptr<SqliteDb> db(new SqliteDb(handle, path));
    sqlite3_extended_result_codes(handle, 1);
    sqlite3_busy_timeout(handle, static_cast<int>(kDefaultBusyTimeout.count()));
    return db;
}

std::unique_ptr<SqliteDb> SqliteDb::open_reader(const std::string& path) {
    // No CREATE: the writer made the file. READWRITE all the same: a WAL reader writes its
    // read marks in the shared-memory index. query_only makes any write an error.
    auto db = connect(path, SQLITE_OPEN_READWRITE);
    db->exec("PRAGMA query_only=ON");
    return db;
}

std::unique_ptr<SqliteDb> SqliteDb::open(const std::string& path) {
    auto db = connect(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);

    // The first read of the file: this is where a file that is not a database fails.
    auto mode = db->prepare("PRAGMA journal_mode=WAL");
    const std::string journal = mode.step() ? mode.text(0) : std::string();
    mode.run();
    if (journal != "wal" && path != ":memory:") {
        throw DbException(make_error(
            store_error::kIo,
            fmt::format("The database \"{path}\" cannot use write-ahead logging (journal mode "
                        "is \"{mode}\"); put it on a local file system.",
                        fmt::arg("path", path), fmt::arg("mode", journal)),
            path));
    }
    // FULL: a commit is on disk before it returns, which is what lets submit_ticket promise
    // the customer a ticket number that survives a power cut.
    db->exec("PRAGMA synchronous=FULL");
    // After a burst the log is cut back to this size when it restarts (bytes).
    db->exec("PRAGMA journal_size_limit=16777216");
    db->exec("PRAGMA foreign_keys=ON");
    if (db->query_int64("PRAGMA foreign_keys") != 1) {
        throw DbException(make_error(
            store_error::kIo,
            "This SQLite library does not enforce foreign keys; the server cannot use it.", path));
    }
    return db;
}

StatementImpl* SqliteDb::acquire_statement(std::string_view sql) {
    auto [it, inserted] = cache_.try_emplace(std::string(sql));
    auto& cached = it->second;
    if (!cached || !cached->in_use) {
        if (!cached) {
            sqlite3_stmt* stmt = nullptr;
            const int rc = sqlite3_prepare_v3(handle_, sql.data(), static_cast<int>(sql.size()),
                                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
            if (rc != SQLITE_OK) {
                cache_.erase(it);
                fail(rc, fmt::format("prepare: {}", shorten_sql(sql)));
            }
            cached = std::make_unique<SqliteStatement>(*this, stmt, true);
        }
        cached->in_use = true;
        return cached.get();
    }
    // The same SQL is already stepping (a query used while iterating another use of
    // itself): a private statement, finalized after use, keeps the two apart.
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v2(handle_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) fail(rc, fmt::format("prepare: {}", shorten_sql(sql)));
    return new SqliteStatement(*this, stmt, false);  // NOLINT(cppcoreguidelines-owning-memory): release_statement
}

void SqliteDb::release_statement(StatementImpl* statement) noexcept {
    auto* s = static_cast<SqliteStatement*>(statement);
    if (s->cached()) {
        s->reset();
    } else {
        delete s;  // NOLINT(cppcoreguidelines-owning-memory): made by acquire_statement
    }
}

void SqliteDb::exec(const std::string& sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(handle_, sql.c_str(), nullptr, nullptr, &message);
    sqlite3_free(message);  // sqlite3_errmsg() below says the same
    if (rc != SQLITE_OK) fail(rc, fmt::format("run: {}", shorten_sql(sql)));
}

std::pair<int, int> SqliteDb::checkpoint_passive() {
    int frames = 0;
    int copied = 0;
    const int rc =
        sqlite3_wal_checkpoint_v2(handle_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied);
    if (rc != SQLITE_OK) fail(rc, "copy the write-ahead log into the database (checkpoint)");
    return {frames, copied};
}

void SqliteDb::on_commit(std::function<void(int)> after_commit) {
    after_commit_ = std::move(after_commit);
    // Replaces the automatic checkpoint, which is itself a WAL hook.
    sqlite3_wal_hook(
        handle_,
        [](void* self, sqlite3*, const char*, int frames) {
            static_cast<SqliteDb*>(self)->after_commit_(frames);
            return SQLITE_OK;
        },
        this);
}

void SqliteDb::set_busy_timeout(std::chrono::milliseconds timeout) {
    sqlite3_busy_timeout(handle_, static_cast<int>(timeout.count()));
}

std::int64_t SqliteDb::changes() const {
    return sqlite3_changes(handle_);
}

void SqliteDb::fail(int rc, std::string_view doing) const {
    const int extended =
        sqlite3_extended_errcode(handle_) != 0 ? sqlite3_extended_errcode(handle_) : rc;
    std::string reason = sqlite3_errmsg(handle_);
    if (reason.empty() || reason == "not an error") reason = sqlite3_errstr(rc);
    throw DbException(make_error(
        code_for(extended),
        fmt::format("The database \"{path}\" failed: {reason} (while trying to {doing}).",
                    fmt::arg("path", path_), fmt::arg("reason", reason), fmt::arg("doing", doing)),
        path_));
}

// ---------------------------------------------------------------------------------------
// Transactions, schema version, readiness

void SqliteDb::begin(TransactionKind kind) {
    exec(kind == TransactionKind::write ? "BEGIN IMMEDIATE" : "BEGIN");
}

std::int64_t SqliteDb::schema_version() {
    return query_int64("PRAGMA user_version");
}

void SqliteDb::set_schema_version(std::int64_t version) {
    // user_version lives in the file header and is part of the transaction, so a
    // migration and its number are committed (or rolled back) together.
    exec(fmt::format("PRAGMA user_version = {}", version));
}

bool SqliteDb::ready() {
    // Ready means a submission could be stored now: the file reads, and the write lock can
    // be had (another process may hold it). The probe waits 1 s, not the 5 s a request
    // would, so that a readiness check answers within a prober's timeout.
    struct ProbeTimeout {
        SqliteDb& db;
        explicit ProbeTimeout(SqliteDb& d) : db(d) { db.set_busy_timeout(std::chrono::seconds(1)); }
        ~ProbeTimeout() { db.set_busy_timeout(kDefaultBusyTimeout); }
        ProbeTimeout(const ProbeTimeout&) = delete;
        ProbeTimeout& operator=(const ProbeTimeout&) = delete;
    } probe(*this);
    Transaction tx(*this);  // BEGIN IMMEDIATE; rolled back: nothing is written
    return query_int64("SELECT COUNT(*) FROM counters") > 0;
}

}  // namespace helpline::server
