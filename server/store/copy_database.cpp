#include "server/store/copy_database.h"

#include <fmt/format.h>

#include <array>
#include <string_view>
#include <vector>

#include "server/store/store.h"

namespace helpline::server {

namespace {

// Parents before children (foreign keys), as the migrations create them.
constexpr std::array<const char*, 25> kCopied = {
    "settings",        "users",           "team_groups",     "group_members",  "organizations",
    "devices",         "counters",        "tickets",         "ticket_handlers", "idempotency_keys",
    "connection_requests", "device_events", "operator_sessions", "profiles",     "audit_log",
    "history_counts",  "mail_outbox",     "invitations",     "recovery_codes", "login_challenges",
    "ticket_messages", "blobs",           "blob_chunks",     "attachments",    "ticket_reads",
};
constexpr std::array<const char*, 4> kUncopied = {"cluster_nodes", "device_streams", "relay_homes",
                                                  "sign_in_attempts"};
/// Tables whose ids the database generates: the target's sequence must start past them.
constexpr std::array<const char*, 6> kGeneratedIds = {"users",       "device_events",   "audit_log",
                                                      "mail_outbox", "ticket_messages", "attachments"};
/// Columns of bytes (BLOB / BYTEA), copied as bytes rather than as text.
bool is_bytes(std::string_view table, std::string_view column) {
    return table == "blob_chunks" && column == "data";
}

std::int64_t count_rows(Db& db, const char* table) {
    return db.query_int64(fmt::format("SELECT COUNT(*) FROM {}", table));
}

Error copy_error(const std::string& message) {
    return make_error(store_error::kConflict, message, "--to");
}

}  // namespace

std::span<const char* const> copied_tables() { return kCopied; }
std::span<const char* const> uncopied_tables() { return kUncopied; }

Result<std::vector<TableCount>> copy_database(Db& from, Db& to) {
    try {
        Transaction read(from, Transaction::Kind::read);
        Transaction write(to);
        if (count_rows(to, "users") > 0 || count_rows(to, "tickets") > 0) {
            return copy_error(fmt::format(
                "The database \"{}\" already holds a team (users or tickets); the copy goes only into an empty "
                "one. Create a new database (createdb) and name it with --to.",
                to.path()));
        }
        std::vector<TableCount> counts;
        for (const char* table : kCopied) {
            // The rows a new database starts with (the counters) make way for the team's.
            to.exec(fmt::format("DELETE FROM {}", table));
            auto rows = from.prepare(fmt::format("SELECT * FROM {}", table));
            bool more = rows.step();
            const int columns = rows.column_count();
            std::string names;
            std::string marks;
            std::vector<bool> bytes(static_cast<std::size_t>(columns));
            for (int c = 0; c < columns; ++c) {
                bytes[static_cast<std::size_t>(c)] = is_bytes(table, rows.column_name(c));
                names += (c > 0 ? ", " : "") + rows.column_name(c);
                marks += c > 0 ? ", ?" : "?";
            }
            const std::string insert = fmt::format("INSERT INTO {} ({}) VALUES ({})", table, names, marks);
            for (; more; more = rows.step()) {
                auto out = to.prepare(insert);
                for (int c = 0; c < columns; ++c) {
                    if (rows.is_null(c)) {
                        out.bind(std::nullopt);
                    } else if (bytes[static_cast<std::size_t>(c)]) {
                        const std::string value = rows.blob(c);
                        out.bind(Bytes{value});
                    } else {
                        out.bind(rows.text(c));
                    }
                }
                out.run();
            }
            counts.push_back({table, count_rows(from, table), count_rows(to, table)});
        }
        if (to.engine() == Db::Engine::postgresql) {
            for (const char* table : kGeneratedIds) {
                to.exec(fmt::format("SELECT setval(pg_get_serial_sequence('{0}', 'id'), "
                                    "(SELECT COALESCE(MAX(id), 0) + 1 FROM {0}), false)",
                                    table));
            }
        }
        for (const TableCount& c : counts) {
            if (c.source != c.target) {
                return make_error(store_error::kIo,
                                  fmt::format("The copy of {} holds {} rows where the source has {}; nothing "
                                              "was committed.",
                                              c.table, c.target, c.source),
                                  to.path());
            }
        }
        write.commit();
        return counts;
    } catch (const DbException& e) {
        return e.error();
    }
}

}  // namespace helpline::server
