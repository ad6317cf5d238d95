#include "server/store/pg_db.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <charconv>
#include <cstring>
#include <vector>

#include "server/store/store.h"

namespace helpline::server {

namespace {

constexpr const char* kUniqueViolation = "23505";
constexpr const char* kForeignKeyViolation = "23503";
constexpr const char* kConnectionFailure = "08006";
/// The oldest server the schema's SQL was checked against.
constexpr int kMinimumServerVersion = 120000;

// Constraint failures the store did not check first still get the store's codes; anything
// else is the database failing.
const char* code_for(const std::string& sqlstate) {
    if (sqlstate == kUniqueViolation) return store_error::kConflict;
    if (sqlstate == kForeignKeyViolation) return store_error::kNotFound;
    return store_error::kIo;
}

std::string trimmed(const char* message) {
    std::string s = message != nullptr ? message : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s.empty() ? "unknown error" : s;
}

/// Frees a PGresult however the scope is left.
struct ResultGuard {
    PGresult* result;
    explicit ResultGuard(PGresult* r) : result(r) {}
    ~ResultGuard() { PQclear(result); }
    ResultGuard(const ResultGuard&) = delete;
    ResultGuard& operator=(const ResultGuard&) = delete;
};

bool succeeded(const PGresult* result) {
    const auto status = PQresultStatus(result);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

std::string sqlstate_of(const PGresult* result) {
    const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    return state != nullptr ? state : kConnectionFailure;
}

std::int64_t affected_rows(const PGresult* result) {
    const char* tuples = PQcmdTuples(const_cast<PGresult*>(result));  // NOLINT: libpq's old signature
    std::int64_t n = 0;
    if (tuples != nullptr && *tuples != '\0') std::from_chars(tuples, tuples + std::strlen(tuples), n);
    return n;
}

}  // namespace

std::string number_parameters(std::string_view sql, int& parameters) {
    std::string out;
    out.reserve(sql.size() + 16);
    parameters = 0;
    char quote = 0;
    for (const char c : sql) {
        if (quote != 0) {
            if (c == quote) quote = 0;  // a doubled quote closes and reopens: still right
            out.push_back(c);
        } else if (c == '\'' || c == '"') {
            quote = c;
            out.push_back(c);
        } else if (c == '?') {
            out += fmt::format("${}", ++parameters);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// Statement

class PgDb::PgStatement final : public StatementImpl {
  public:
    /// `name` empty: not prepared on the server, sent with its SQL each time (a second use
    /// of a statement that is still being read).
    PgStatement(PgDb& db, std::string name, std::string sql, int parameters)
        : db_(db),
          name_(std::move(name)),
          sql_(std::move(sql)),
          values_(parameters),
          nulls_(parameters, 1),
          binary_(parameters, 0) {}
    ~PgStatement() override { PQclear(result_); }
    PgStatement(const PgStatement&) = delete;
    PgStatement& operator=(const PgStatement&) = delete;

    void bind_int64(int parameter, std::int64_t value) override { set(parameter, std::to_string(value)); }
    void bind_text(int parameter, std::string_view value) override { set(parameter, std::string(value)); }
    void bind_null(int parameter) override {
        check(parameter);
        nulls_[parameter - 1] = 1;
    }
    /// Sent in binary format: a chunk of bytes as they are, not twice as many hex digits.
    void bind_blob(int parameter, std::string_view bytes) override {
        set(parameter, std::string(bytes));
        binary_[parameter - 1] = 1;
    }

    bool step() override {
        if (result_ == nullptr) execute();
        ++row_;
        return row_ < rows_;
    }

    bool is_null(int column) const override { return PQgetisnull(result_, row_, column) == 1; }

    std::int64_t int64(int column) const override {
        const char* value = PQgetvalue(result_, row_, column);
        const int length = PQgetlength(result_, row_, column);
        // Booleans come back as t and f; the store reads them as 1 and 0, as SQLite has them.
        if (length == 1 && value[0] == 't') return 1;
        if (length == 1 && value[0] == 'f') return 0;
        std::int64_t n = 0;
        const auto [end, ec] = std::from_chars(value, value + length, n);
        if (ec != std::errc() || end != value + length) {
            throw_corrupt(db_, fmt::format("\"{}\" is not a whole number (from: {})", std::string(value, length),
                                           shorten_sql(sql_)));
        }
        return n;
    }

    std::string text(int column) const override {
        return {PQgetvalue(result_, row_, column), static_cast<std::size_t>(PQgetlength(result_, row_, column))};
    }

    /// Results come as text: BYTEA in its hex form ("\\x…"), decoded here.
    std::string blob(int column) const override {
        std::size_t length = 0;
        unsigned char* bytes = PQunescapeBytea(
            reinterpret_cast<const unsigned char*>(PQgetvalue(result_, row_, column)), &length);
        if (bytes == nullptr) throw_corrupt(db_, fmt::format("a BYTEA value could not be decoded (from: {})", shorten_sql(sql_)));
        std::string out(reinterpret_cast<const char*>(bytes), length);
        PQfreemem(bytes);
        return out;
    }

    int column_count() const override { return result_ != nullptr ? PQnfields(result_) : 0; }
    std::string column_name(int column) const override {
        const char* name = result_ != nullptr ? PQfname(result_, column) : nullptr;
        return name != nullptr ? name : "";
    }

    /// Done with: ready for the next use.
    void reset() {
        PQclear(result_);
        result_ = nullptr;
        row_ = -1;
        rows_ = 0;
        std::fill(nulls_.begin(), nulls_.end(), 1);
        std::fill(binary_.begin(), binary_.end(), 0);
        in_use = false;
    }
    bool prepared() const { return !name_.empty(); }
    bool in_use = false;
    bool cached = true;

  private:
    void check(int parameter) const {
        if (parameter < 1 || parameter > static_cast<int>(values_.size())) {
            throw DbException(make_error(store_error::kIo,
                                         fmt::format("Parameter {} does not exist in: {}", parameter,
                                                     shorten_sql(sql_))));
        }
    }
    void set(int parameter, std::string value) {
        check(parameter);
        values_[parameter - 1] = std::move(value);
        nulls_[parameter - 1] = 0;
        binary_[parameter - 1] = 0;
    }

    void execute() {
        std::vector<const char*> values(values_.size());
        for (std::size_t i = 0; i < values_.size(); ++i) values[i] = nulls_[i] != 0 ? nullptr : values_[i].c_str();
        const int n = static_cast<int>(values.size());
        // Lengths and formats matter only for binary parameters (text ends at its NUL).
        std::vector<int> lengths(values_.size()), formats(values_.size());
        for (std::size_t i = 0; i < values_.size(); ++i) {
            lengths[i] = static_cast<int>(values_[i].size());
            formats[i] = binary_[i];
        }
        result_ = prepared() ? PQexecPrepared(db_.conn_, name_.c_str(), n, values.data(), lengths.data(),
                                              formats.data(), 0)
                             : PQexecParams(db_.conn_, sql_.c_str(), n, nullptr, values.data(), lengths.data(),
                                            formats.data(), 0);
        if (!succeeded(result_)) {
            const std::string what = trimmed(result_ != nullptr ? PQresultErrorMessage(result_) : PQerrorMessage(db_.conn_));
            const std::string state = sqlstate_of(result_);
            PQclear(result_);
            result_ = nullptr;
            db_.fail(fmt::format("run: {}", shorten_sql(sql_)), what, state);
        }
        rows_ = PQresultStatus(result_) == PGRES_TUPLES_OK ? PQntuples(result_) : 0;
        row_ = -1;
        db_.set_changes(affected_rows(result_));
    }

    PgDb& db_;
    std::string name_;
    std::string sql_;
    std::vector<std::string> values_;
    std::vector<char> nulls_;
    std::vector<int> binary_;  ///< 1: the parameter is bytes (bind_blob), sent in binary format
    PGresult* result_ = nullptr;
    int row_ = -1;
    int rows_ = 0;
};

// ---------------------------------------------------------------------------------------
// Connection

PgDb::PgDb(pg_conn* conn, std::string url)
    : conn_(conn), url_(std::move(url)), shown_url_(without_password(url_)) {}

PgDb::~PgDb() {
    cache_.clear();
    PQfinish(conn_);
}

std::string PgDb::without_password(std::string_view url) {
    // postgresql://user:password@host/... : the password is between the first ':' after
    // the scheme and the '@' of the authority.
    std::string out(url);
    const auto scheme = out.find("://");
    if (scheme == std::string::npos) return out;
    const auto authority_end = out.find_first_of("/?", scheme + 3);
    const auto at = out.rfind('@', authority_end == std::string::npos ? std::string::npos : authority_end);
    if (at == std::string::npos || at < scheme + 3) return out;
    const auto colon = out.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    // A password given as a query parameter (?password=...) is hidden too.
    if (const auto p = out.find("password="); p != std::string::npos) {
        const auto end = out.find('&', p);
        out.replace(p + 9, (end == std::string::npos ? out.size() : end) - p - 9, "***");
    }
    return out;
}

std::unique_ptr<PgDb> PgDb::open(const std::string& url) {
    // Defaults the URL may override (later entries win, and the URL is expanded in place):
    // a bounded connect, and a name that says who holds the connection in pg_stat_activity.
    const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {"5", "helpline-server", url.c_str(), nullptr};
    pg_conn* conn = PQconnectdbParams(keywords, values, 1);
    const std::string shown = without_password(url);
    if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
        const std::string reason = conn != nullptr ? trimmed(PQerrorMessage(conn)) : "out of memory";
        PQfinish(conn);
        throw DbException(make_error(
            store_error::kIo,
            fmt::format("Could not connect to the PostgreSQL database \"{url}\": {reason}. Check the URL, that "
                        "PostgreSQL runs and accepts this user (password, passfile, sslmode: "
                        "docs/operations.md), and that the database exists.",
                        fmt::arg("url", shown), fmt::arg("reason", reason)),
            shown));
    }
    // Notices ("relation already exists, skipping") are not errors; libpq would print them.
    PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
    std::unique_ptr<PgDb> db(new PgDb(conn, url));
    if (const int version = PQserverVersion(conn); version < kMinimumServerVersion) {
        throw DbException(make_error(
            store_error::kIo,
            fmt::format("The PostgreSQL server of \"{}\" is version {}.{}; Helpline needs 12 or newer (15 is "
                        "tested).",
                        shown, version / 10000, version % 10000),
            shown));
    }
    return db;
}

bool PgDb::lost() const {
    return PQstatus(conn_) != CONNECTION_OK;
}

void PgDb::ensure_connected() {
    if (in_transaction_) return;
    // A server that shut down told its idle clients so: reading that (without waiting)
    // marks the connection bad now, rather than failing the statement about to be sent.
    if (PQstatus(conn_) == CONNECTION_OK && PQconsumeInput(conn_) == 1 && PQstatus(conn_) == CONNECTION_OK) return;
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) {
        fail("connect again", trimmed(PQerrorMessage(conn_)), kConnectionFailure);
    }
    // The statements prepared on the lost session are gone with it. One still being read
    // (its rows are in memory) is freed when released.
    for (auto& [sql, statement] : cache_) {
        if (statement->in_use) statement.release()->cached = false;  // NOLINT: freed by release_statement
    }
    cache_.clear();
}

void PgDb::fail(std::string_view doing, const std::string& what, const std::string& sqlstate) const {
    const bool lost = PQstatus(conn_) != CONNECTION_OK;
    throw DbException(make_error(
        code_for(sqlstate),
        fmt::format("The PostgreSQL database \"{path}\" failed: {reason}{lost} (while trying to {doing}).",
                    fmt::arg("path", shown_url_), fmt::arg("reason", what),
                    fmt::arg("lost", lost ? "; the connection is lost and will be made again" : ""),
                    fmt::arg("doing", doing)),
        shown_url_));
}

StatementImpl* PgDb::acquire_statement(std::string_view sql) {
    ensure_connected();
    auto it = cache_.find(std::string(sql));
    if (it != cache_.end() && !it->second->in_use) {
        it->second->in_use = true;
        return it->second.get();
    }
    int parameters = 0;
    std::string numbered = number_parameters(sql, parameters);
    if (it != cache_.end()) {
        // The same SQL is still being read: a private, unprepared statement for this use.
        auto* statement = new PgStatement(*this, {}, std::move(numbered), parameters);  // NOLINT: released
        statement->cached = false;
        statement->in_use = true;
        return statement;
    }
    std::string name = fmt::format("helpline_{}", ++next_statement_);
    PGresult* prepared = PQprepare(conn_, name.c_str(), numbered.c_str(), parameters, nullptr);
    ResultGuard guard(prepared);
    if (!succeeded(prepared)) {
        fail(fmt::format("prepare: {}", shorten_sql(sql)),
             trimmed(prepared != nullptr ? PQresultErrorMessage(prepared) : PQerrorMessage(conn_)),
             sqlstate_of(prepared));
    }
    auto& slot = cache_[std::string(sql)];
    slot = std::make_unique<PgStatement>(*this, std::move(name), std::move(numbered), parameters);
    slot->in_use = true;
    return slot.get();
}

void PgDb::release_statement(StatementImpl* statement) noexcept {
    auto* s = static_cast<PgStatement*>(statement);
    if (s->cached) {
        s->reset();
    } else {
        delete s;  // NOLINT(cppcoreguidelines-owning-memory): made by acquire_statement
    }
}

void PgDb::exec(const std::string& sql) {
    ensure_connected();
    PGresult* result = PQexec(conn_, sql.c_str());
    ResultGuard guard(result);
    if (!succeeded(result)) {
        fail(fmt::format("run: {}", shorten_sql(sql)),
             trimmed(result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn_)), sqlstate_of(result));
    }
    changes_ = affected_rows(result);
}

void PgDb::begin(TransactionKind kind) {
    ensure_connected();
    if (kind == TransactionKind::read) {
        exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        in_transaction_ = true;
        return;
    }
    exec("BEGIN");
    in_transaction_ = true;
    try {
        exec(fmt::format("SELECT pg_advisory_xact_lock({})", kWriteLock));
    } catch (const DbException&) {
        // The Transaction that called is never made, so nothing else would end this one. Left
        // marked open, the connection would never be made again after a restart cut the wait
        // for the lock: every later request failed, and /readyz said 503, until the server
        // itself was restarted.
        try {
            rollback();
        } catch (const DbException&) {  // NOLINT(bugprone-empty-catch): the connection is gone, and the transaction with it
        }
        throw;
    }
}

void PgDb::commit() {
    in_transaction_ = false;
    PGresult* result = PQexec(conn_, "COMMIT");
    ResultGuard guard(result);
    if (!succeeded(result)) {
        fail("commit", trimmed(result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn_)),
             sqlstate_of(result));
    }
    // COMMIT of a transaction an error aborted answers ROLLBACK: nothing was stored.
    if (std::string_view(PQcmdStatus(result)) == "ROLLBACK") {
        fail("commit", "the transaction had failed and was rolled back", "25P02");
    }
}

void PgDb::rollback() {
    in_transaction_ = false;
    if (PQstatus(conn_) != CONNECTION_OK) return;  // the server ended it with the connection
    exec("ROLLBACK");
}

std::int64_t PgDb::schema_version() {
    if (query_int64("SELECT CASE WHEN to_regclass('helpline_schema') IS NULL THEN 0 ELSE 1 END") == 0) return 0;
    return query_int64("SELECT version FROM helpline_schema");
}

void PgDb::set_schema_version(std::int64_t version) {
    exec("CREATE TABLE IF NOT EXISTS helpline_schema (version BIGINT NOT NULL)");
    exec(fmt::format("DELETE FROM helpline_schema; INSERT INTO helpline_schema (version) VALUES ({})", version));
}

bool PgDb::ready() {
    try {
        return query_int64("SELECT COUNT(*) FROM counters") > 0;
    } catch (const DbException&) {
        // A connection PostgreSQL dropped (a restart) is only found out by using it: once
        // more, on a new one.
        if (PQstatus(conn_) == CONNECTION_OK || in_transaction_) throw;
        return query_int64("SELECT COUNT(*) FROM counters") > 0;
    }
}

}  // namespace helpline::server
