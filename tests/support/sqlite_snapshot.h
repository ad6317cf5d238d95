#pragma once
// A SQLite database's content as text, for tests that must show that nothing changed or
// nothing was lost (upgrades from an older schema, a failed migration, a restored backup):
// every table's columns and rows, each value as SQL's quote() writes it (blobs in hex), rows
// in rowid order. Plain sqlite3 C API, so that it reads a file no server has opened.

#include <sqlite3.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace helpline::test {

struct TableContent {
    std::vector<std::string> columns;
    std::vector<std::string> rows;  ///< quote(c1) || ',' || quote(c2) ...
    bool operator==(const TableContent&) const = default;
};
using DatabaseContent = std::map<std::string, TableContent>;

class SqliteFile {
  public:
    explicit SqliteFile(const std::string& path, bool create = false) {
        const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
        if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
            const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
            sqlite3_close(db_);
            throw std::runtime_error("cannot open " + path + ": " + message);
        }
        sqlite3_busy_timeout(db_, 10'000);
    }
    ~SqliteFile() { sqlite3_close(db_); }
    SqliteFile(const SqliteFile&) = delete;
    SqliteFile& operator=(const SqliteFile&) = delete;

    /// Runs one or more statements (a dump, a migration); throws with SQLite's message.
    void exec(const std::string& sql) {
        char* message = nullptr;
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
            const std::string text = message != nullptr ? message : "error";
            sqlite3_free(message);
            throw std::runtime_error("SQL failed: " + text);
        }
    }
    /// The first column of every row of `sql`, as text ("" for NULL).
    std::vector<std::string> column(const std::string& sql) {
        sqlite3_stmt* statement = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("SQL failed: ") + sqlite3_errmsg(db_) + ": " + sql);
        std::vector<std::string> values;
        int rc = SQLITE_ROW;
        while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
            const auto* text = sqlite3_column_text(statement, 0);
            values.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
        }
        sqlite3_finalize(statement);
        if (rc != SQLITE_DONE) throw std::runtime_error(std::string("SQL failed: ") + sqlite3_errmsg(db_));
        return values;
    }
    std::string value(const std::string& sql) {
        const auto values = column(sql);
        return values.empty() ? std::string() : values.front();
    }

    std::vector<std::string> columns_of(const std::string& table) {
        return column("SELECT name FROM pragma_table_info('" + table + "') ORDER BY cid");
    }
    /// `table`'s rows, only `columns` of them, in rowid order (by every column for a table
    /// without rowid).
    std::vector<std::string> rows_of(const std::string& table, const std::vector<std::string>& columns) {
        std::string select, order;
        for (const auto& c : columns) {
            select += (select.empty() ? "" : " || ',' || ") + std::string("quote(\"") + c + "\")";
            order += (order.empty() ? "" : ", ") + std::string("\"") + c + "\"";
        }
        const bool has_rowid =
            value("SELECT COUNT(*) FROM sqlite_master WHERE name = '" + table + "' AND sql LIKE '%WITHOUT ROWID%'") == "0";
        return column("SELECT " + select + " FROM \"" + table + "\" ORDER BY " + (has_rowid ? "rowid" : order));
    }
    /// Every table but SQLite's own.
    DatabaseContent content() {
        DatabaseContent tables;
        for (const auto& table :
             column("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")) {
            TableContent& t = tables[table];
            t.columns = columns_of(table);
            t.rows = rows_of(table, t.columns);
        }
        return tables;
    }

  private:
    sqlite3* db_ = nullptr;
};

}  // namespace helpline::test
