#pragma once
// The seeder's few SQLite calls (bench/seed_writer.cpp): a connection that throws with
// SQLite's message, and a prepared statement run many times with positional values.
// Deliberately not the store's Db (server/store/sqlite_db.h): the seeder writes rows the
// way the server's migrations shape them, without going through the store's code.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

namespace helpline::bench::seed {

class Connection {
  public:
    explicit Connection(const std::filesystem::path& path) {
        if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                            nullptr) != SQLITE_OK)
            fail("cannot open " + path.string());
        sqlite3_busy_timeout(db_, 2000);
        sqlite3_extended_result_codes(db_, 1);
    }
    ~Connection() { sqlite3_close_v2(db_); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    sqlite3* get() const { return db_; }
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error(what + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory"));
    }
    void exec(const std::string& sql) {
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
    }
    /// The first column of the first row of `sql` as text ("" when there is no row).
    std::string text(const std::string& sql);
    std::int64_t integer(const std::string& sql) { return std::stoll("0" + text(sql)); }

  private:
    sqlite3* db_ = nullptr;
};

using Value = std::variant<std::nullptr_t, std::int64_t, std::string_view>;

/// A prepared statement run many times with positional values.
class Statement {
  public:
    Statement(Connection& db, const char* sql) : db_(db) {
        if (sqlite3_prepare_v3(db.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) !=
            SQLITE_OK)
            db.fail(std::string("cannot prepare ") + sql);
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    /// Binds `values` and steps to the end; a constraint that fails throws with the SQL.
    void run(std::initializer_list<Value> values) {
        int i = 0;
        for (const Value& v : values) {
            ++i;
            int rc = SQLITE_OK;
            if (const auto* n = std::get_if<std::int64_t>(&v))
                rc = sqlite3_bind_int64(stmt_, i, *n);
            else if (const auto* s = std::get_if<std::string_view>(&v))
                rc = sqlite3_bind_text(stmt_, i, s->data(), static_cast<int>(s->size()),
                                       SQLITE_TRANSIENT);
            else
                rc = sqlite3_bind_null(stmt_, i);
            if (rc != SQLITE_OK) db_.fail("cannot bind to " + std::string(sqlite3_sql(stmt_)));
        }
        int rc;
        while ((rc = sqlite3_step(stmt_)) == SQLITE_ROW) {
        }
        if (rc != SQLITE_DONE) db_.fail(std::string("failed: ") + sqlite3_sql(stmt_));
        sqlite3_reset(stmt_);
    }
    std::int64_t last_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }

  private:
    Connection& db_;
    sqlite3_stmt* stmt_ = nullptr;
};

inline std::string Connection::text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) fail(sql);
    std::string out;
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr)
        out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) fail(sql);
    return out;
}

}  // namespace helpline::bench::seed
