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

constexpr std::size_t kSqlInMessage = 80;

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

std::string shorten(std::string_view sql) {
    std::string out;
    for (const char c : sql.substr(0, kSqlInMessage)) {
        const bool space = c == '\n' || c == '\t' || c == ' ';
        if (space && (out.empty() || out.back() == ' ')) continue;
        out.push_back(space ? ' ' : c);
    }
    if (sql.size() > kSqlInMessage) out += "...";
    return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Statement

Statement::Statement(Db& db, sqlite3_stmt* stmt, bool* in_use)
    : db_(&db), stmt_(stmt), in_use_(in_use) {}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)),
      next_parameter_(other.next_parameter_) {}

Statement::~Statement() {
    if (stmt_ == nullptr) return;
    if (in_use_ == nullptr) {
        sqlite3_finalize(stmt_);
        return;
    }
    // The result of reset repeats the last step's error, which was already reported.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    *in_use_ = false;
}

void Statement::check_bind(int rc) {
    if (rc != SQLITE_OK)
        db_->fail(rc, fmt::format("bind a value for: {}", shorten(sqlite3_sql(stmt_))));
    ++next_parameter_;
}

void Statement::bind_next(std::int64_t value) {
    check_bind(sqlite3_bind_int64(stmt_, next_parameter_, value));
}

void Statement::bind_next(std::string_view value) {
    // A null pointer would bind SQL NULL, not an empty string.
    const char* data = value.data() != nullptr ? value.data() : "";
    check_bind(
        sqlite3_bind_text64(stmt_, next_parameter_, data, value.size(), kTransient, SQLITE_UTF8));
}

void Statement::bind_next(std::nullopt_t) {
    check_bind(sqlite3_bind_null(stmt_, next_parameter_));
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    db_->fail(rc, fmt::format("run: {}", shorten(sqlite3_sql(stmt_))));
}

void Statement::run() {
    while (step()) {
    }
}

bool Statement::is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::int64(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

std::optional<std::int64_t> Statement::optional_int64(int column) const {
    if (is_null(column)) return std::nullopt;
    return int64(column);
}

std::string Statement::text(int column) const {
    // column_text before column_bytes: the byte count is of the converted text.
    const auto* data = sqlite3_column_text(stmt_, column);
    const auto size = sqlite3_column_bytes(stmt_, column);
    if (data == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size));
}

std::optional<std::string> Statement::optional_text(int column) const {
    if (is_null(column)) return std::nullopt;
    return text(column);
}

// ---------------------------------------------------------------------------------------
// Db

Db::Db(sqlite3* handle, std::string path) : handle_(handle), path_(std::move(path)) {}

Db::~Db() {
    for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
    sqlite3_close_v2(handle_);
}

std::unique_ptr<Db> Db::connect(const std::string& path, int flags) {
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
    std::unique_ptr<Db> db(new Db(handle, path));
    sqlite3_extended_result_codes(handle, 1);
    sqlite3_busy_timeout(handle, static_cast<int>(kDefaultBusyTimeout.count()));
    return db;
}

std::unique_ptr<Db> Db::open_reader(const std::string& path) {
    // No CREATE: the writer made the file. READWRITE all the same: a WAL reader writes its
    // read marks in the shared-memory index. query_only makes any write an error.
    auto db = connect(path, SQLITE_OPEN_READWRITE);
    db->exec("PRAGMA query_only=ON");
    return db;
}

std::unique_ptr<Db> Db::open(const std::string& path) {
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

Statement Db::prepare(std::string_view sql) {
    auto [it, inserted] = cache_.try_emplace(std::string(sql));
    CachedStatement& cached = it->second;
    if (!cached.in_use) {
        if (cached.stmt == nullptr) {
            const int rc = sqlite3_prepare_v3(handle_, sql.data(), static_cast<int>(sql.size()),
                                              SQLITE_PREPARE_PERSISTENT, &cached.stmt, nullptr);
            if (rc != SQLITE_OK) {
                cache_.erase(it);
                fail(rc, fmt::format("prepare: {}", shorten(sql)));
            }
        }
        cached.in_use = true;
        return Statement(*this, cached.stmt, &cached.in_use);
    }
    // The same SQL is already stepping (a query used while iterating another use of
    // itself): a private statement, finalized after use, keeps the two apart.
    sqlite3_stmt* stmt = nullptr;
    const int rc =
        sqlite3_prepare_v2(handle_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) fail(rc, fmt::format("prepare: {}", shorten(sql)));
    return Statement(*this, stmt, nullptr);
}

void Db::exec(const std::string& sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(handle_, sql.c_str(), nullptr, nullptr, &message);
    sqlite3_free(message);  // sqlite3_errmsg() below says the same
    if (rc != SQLITE_OK) fail(rc, fmt::format("run: {}", shorten(sql)));
}

std::int64_t Db::query_int64(std::string_view sql) {
    auto stmt = prepare(sql);
    const std::int64_t value = stmt.step() ? stmt.int64(0) : 0;
    stmt.run();
    return value;
}

std::pair<int, int> Db::checkpoint_passive() {
    int frames = 0;
    int copied = 0;
    const int rc =
        sqlite3_wal_checkpoint_v2(handle_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied);
    if (rc != SQLITE_OK) fail(rc, "copy the write-ahead log into the database (checkpoint)");
    return {frames, copied};
}

void Db::on_commit(std::function<void(int)> after_commit) {
    after_commit_ = std::move(after_commit);
    // Replaces the automatic checkpoint, which is itself a WAL hook.
    sqlite3_wal_hook(
        handle_,
        [](void* self, sqlite3*, const char*, int frames) {
            static_cast<Db*>(self)->after_commit_(frames);
            return SQLITE_OK;
        },
        this);
}

void Db::set_busy_timeout(std::chrono::milliseconds timeout) {
    sqlite3_busy_timeout(handle_, static_cast<int>(timeout.count()));
}

std::int64_t Db::last_insert_id() const {
    return sqlite3_last_insert_rowid(handle_);
}

std::int64_t Db::changes() const {
    return sqlite3_changes(handle_);
}

void Db::fail(int rc, std::string_view doing) const {
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

void throw_corrupt(const Db& db, std::string_view what) {
    throw DbException(make_error(
        store_error::kIo,
        fmt::format("The database \"{path}\" holds a record the server cannot read: {what}.",
                    fmt::arg("path", db.path()), fmt::arg("what", what)),
        db.path()));
}

// ---------------------------------------------------------------------------------------
// Transaction

Transaction::Transaction(Db& db, Kind kind) : db_(db) {
    db_.exec(kind == Kind::write ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
    if (!open_) return;
    // An I/O error or a full disk may already have rolled the transaction back.
    try {
        db_.exec("ROLLBACK");
    } catch (const DbException&) {  // NOLINT(bugprone-empty-catch): nothing left to undo
    }
}

void Transaction::commit() {
    db_.exec("COMMIT");
    open_ = false;
}

}  // namespace helpline::server
