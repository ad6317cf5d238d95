#include "server/store/sql_db.h"

#include <fmt/format.h>

#include "server/store/store.h"

namespace helpline::server {

namespace {
constexpr std::size_t kSqlInMessage = 80;
}  // namespace

std::int64_t Db::query_int64(std::string_view sql) {
    auto stmt = prepare(sql);
    const std::int64_t value = stmt.step() ? stmt.int64(0) : 0;
    stmt.run();
    return value;
}

std::int64_t returned_id(Statement& insert) {
    if (!insert.step()) throw DbException(make_error(store_error::kIo, "An insert returned no id."));
    const std::int64_t id = insert.int64(0);
    insert.run();
    return id;
}

std::string shorten_sql(std::string_view sql) {
    std::string out;
    for (const char c : sql.substr(0, kSqlInMessage)) {
        const bool space = c == '\n' || c == '\t' || c == ' ';
        if (space && (out.empty() || out.back() == ' ')) continue;
        out.push_back(space ? ' ' : c);
    }
    if (sql.size() > kSqlInMessage) out += "...";
    return out;
}

void throw_corrupt(const Db& db, std::string_view what) {
    throw DbException(make_error(
        store_error::kIo,
        fmt::format("The database \"{path}\" holds a record the server cannot read: {what}.",
                    fmt::arg("path", db.path()), fmt::arg("what", what)),
        db.path()));
}

Transaction::~Transaction() {
    if (!open_) return;
    // An I/O error, a full disk or a lost connection may already have ended it.
    try {
        db_.rollback();
    } catch (const DbException&) {  // NOLINT(bugprone-empty-catch): nothing left to undo
    }
}

}  // namespace helpline::server
