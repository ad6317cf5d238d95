// Conversations: messages, attachments and their bytes, read marks (docs/protocol.md
// "Conversations", docs/storage.md). The bytes of an attachment are in the database
// (blob_chunks, one copy per SHA-256): a team on PostgreSQL serves them from any server, and
// a backup of the database holds them.

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <fstream>
#include <memory>

#include <fmt/format.h>

#include "server/store/sql_store.h"
#include "server/store/store_errors.h"
#include "server/store/ticket_rows.h"

namespace helpline::server {

namespace {

constexpr const char* kMessageColumns = "id, ticket_number, author, user_id, body, internal, created_at";
constexpr const char* kAttachmentColumns =
    "id, ticket_number, message_id, author, user_id, upload_key, name, declared_type, type, image, size, "
    "sha256, internal, created_at, removed_at";

Author read_author(const Db& db, const std::string& text) {
    const auto author = parse_author(text);
    if (!author) throw_corrupt(db, fmt::format("a message or attachment has the unknown author \"{}\"", text));
    return *author;
}

Message read_message(const Db& db, const Statement& row) {
    Message m;
    m.id = row.int64(0);
    m.ticket_number = row.int64(1);
    m.author = read_author(db, row.text(2));
    m.user_id = row.optional_int64(3);
    m.body = row.text(4);
    m.internal = row.int64(5) != 0;
    m.created_at = row.int64(6);
    return m;
}

Attachment read_attachment(const Db& db, const Statement& row) {
    Attachment a;
    a.id = row.int64(0);
    a.ticket_number = row.int64(1);
    a.message_id = row.optional_int64(2);
    a.author = read_author(db, row.text(3));
    a.user_id = row.optional_int64(4);
    a.upload_key = row.text(5);
    a.name = row.text(6);
    a.declared_type = row.text(7);
    a.type = row.text(8);
    a.image = row.int64(9) != 0;
    a.size = row.int64(10);
    a.sha256 = row.text(11);
    a.internal = row.int64(12) != 0;
    a.created_at = row.int64(13);
    a.removed_at = row.optional_int64(14);
    return a;
}

/// The rows of a ticket's messages or attachments, oldest first; internal ones if asked.
template <typename Row>
std::vector<Row> ticket_rows(Db& db, const char* table, const char* columns, TicketNumber number, bool internal,
                             Row (*read)(const Db&, const Statement&)) {
    std::vector<Row> out;
    auto stmt = db.prepare(fmt::format("SELECT {} FROM {} WHERE ticket_number = ?{} ORDER BY id", columns, table,
                                       internal ? "" : " AND internal = 0"));
    stmt.bind(number);
    while (stmt.step()) out.push_back(read(db, stmt));
    return out;
}

std::optional<Attachment> attachment_by_id(Db& db, std::int64_t id) {
    auto stmt = db.prepare(fmt::format("SELECT {} FROM attachments WHERE id = ?", kAttachmentColumns));
    if (!stmt.bind(id).step()) return std::nullopt;
    return read_attachment(db, stmt);
}

Error ticket_not_open(const Ticket& t) {
    return make_error(store_error::kStale,
                      t.status == TicketStatus::closed
                          ? fmt::format("Ticket {} is closed.", t.number)
                          : fmt::format("Ticket {} has expired.", t.number),
                      "number");
}

std::string in_list(std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
    return out;
}

/// Runs `sql` (with "{}" where the IN list goes; `before` binds what comes first) on
/// slices of `numbers`: a statement's parameters are bounded (SQLite: 32766). Each row's
/// (number, value) goes into the map.
std::map<TicketNumber, std::int64_t> per_ticket(Db& db, std::string_view sql, const std::vector<TicketNumber>& numbers,
                                                const std::function<void(Statement&)>& before = {}) {
    std::map<TicketNumber, std::int64_t> out;
    for (std::size_t at = 0; at < numbers.size(); at += 500) {
        const std::size_t n = std::min<std::size_t>(500, numbers.size() - at);
        auto stmt = db.prepare(fmt::format(fmt::runtime(sql), in_list(n)));
        if (before) before(stmt);
        for (std::size_t i = 0; i < n; ++i) stmt.bind(numbers[at + i]);
        while (stmt.step()) out[stmt.int64(0)] = stmt.int64(1);
    }
    return out;
}

}  // namespace

void SqlStore::reopen_ticket(const Ticket& ticket, Timestamp now) {
    db().prepare(
           "UPDATE tickets SET status = 'open', closed_at = NULL, closed_by = NULL, reopened_at = ?, "
           "updated_at = ? WHERE number = ?")
        .bind(now, now, ticket.number)
        .run();
    // Out of history: its totals follow, and its handlers see it in the queue again.
    db().prepare("UPDATE history_counts SET n = n - 1 WHERE group_id = ? AND status = ? AND n > 0")
        .bind(ticket.group_id.value_or(""), to_string(ticket.status))
        .run();
    db().prepare("UPDATE ticket_handlers SET closed_at = NULL WHERE ticket_number = ?").bind(ticket.number).run();
}

Result<PostedMessage> SqlStore::post_message(const NewMessage& m) {
    return with_error([&]() -> Result<PostedMessage> {
        Transaction tx(db());
        auto ticket = load_ticket(m.ticket_number);
        if (!ticket) return no_ticket(m.ticket_number);
        PostedMessage out;
        bool reopened = false;
        {
            auto seen = db().prepare(fmt::format("SELECT {}, request_hash FROM ticket_messages "
                                                 "WHERE ticket_number = ? AND author = ? AND idempotency_key = ?",
                                                 kMessageColumns));
            if (seen.bind(m.ticket_number, to_string(m.author), m.idempotency_key).step()) {
                if (seen.text(7) != m.request_hash) {
                    return make_error(store_error::kIdempotencyMismatch,
                                      "This idempotency key was already used for a different message. Send "
                                      "a new message with a new key.",
                                      "Idempotency-Key");
                }
                out.message = read_message(db(), seen);
                out.created = false;
                auto files = db().prepare(
                    fmt::format("SELECT {} FROM attachments WHERE message_id = ? ORDER BY id", kAttachmentColumns));
                files.bind(out.message.id);
                while (files.step()) out.attachments.push_back(read_attachment(db(), files));
                out.ticket = std::move(*ticket);
                return out;
            }
        }
        if (ticket->status != TicketStatus::open) {
            if (!(m.reopen && m.author == Author::customer)) return ticket_not_open(*ticket);
            reopen_ticket(*ticket, m.created_at);
            reopened = true;
        }
        // Its attachments: of this ticket and side, not yet in a message.
        for (const std::int64_t id : m.attachment_ids) {
            auto a = db().prepare(
                "SELECT 1 FROM attachments WHERE id = ? AND ticket_number = ? AND author = ? "
                "AND message_id IS NULL AND removed_at IS NULL");
            if (!a.bind(id, m.ticket_number, to_string(m.author)).step()) {
                return make_error(store_error::kInvalid,
                                  fmt::format("Attachment {} is not a file you uploaded to ticket {} for a new "
                                              "message (or it is in a message already).",
                                              id, m.ticket_number),
                                  "attachments");
            }
        }
        auto inserted = db().prepare(
            "INSERT INTO ticket_messages (ticket_number, author, user_id, body, internal, created_at, "
            "idempotency_key, request_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
        inserted.bind(m.ticket_number, to_string(m.author), m.user_id, m.body, m.internal, m.created_at,
                      m.idempotency_key, m.request_hash);
        const std::int64_t id = returned_id(inserted);
        for (const std::int64_t a : m.attachment_ids) {
            db().prepare("UPDATE attachments SET message_id = ?, internal = ? WHERE id = ?")
                .bind(id, m.internal, a)
                .run();
        }
        if (m.author == Author::customer) {
            db().prepare(
                   "UPDATE tickets SET message_count = message_count + 1, updated_at = ?, "
                   "last_customer_message_id = ? WHERE number = ?")
                .bind(m.created_at, id, m.ticket_number)
                .run();
        } else {
            db().prepare("UPDATE tickets SET message_count = message_count + 1, updated_at = ? WHERE number = ?")
                .bind(m.created_at, m.ticket_number)
                .run();
        }
        out.message = Message{id, m.ticket_number, m.author, m.user_id, m.body, m.internal, m.created_at};
        {
            auto files = db().prepare(
                fmt::format("SELECT {} FROM attachments WHERE message_id = ? ORDER BY id", kAttachmentColumns));
            files.bind(id);
            while (files.step()) out.attachments.push_back(read_attachment(db(), files));
        }
        out.ticket = std::move(*load_ticket(m.ticket_number));
        if (reopened) out.reopened = out.ticket;
        tx.commit();
        return out;
    });
}

void SqlStore::store_blob(const std::string& sha256, std::int64_t size, const std::string& file, Timestamp now) {
    if (db().prepare("SELECT 1 FROM blobs WHERE sha256 = ?").bind(sha256).step()) return;  // stored once
    db().prepare("INSERT INTO blobs (sha256, size, created_at) VALUES (?, ?, ?)").bind(sha256, size, now).run();
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
    if (!in) {
        throw DbException(make_error(store_error::kIo, fmt::format("The uploaded file {} cannot be read.", file),
                                     file));
    }
    std::string chunk(kBlobChunkSize, '\0');
    std::int64_t total = 0;
    for (std::int64_t seq = 0;; ++seq) {
        const std::size_t n = std::fread(chunk.data(), 1, chunk.size(), in.get());
        if (n == 0) break;
        db().prepare("INSERT INTO blob_chunks (sha256, seq, data) VALUES (?, ?, ?)")
            .bind(sha256, seq, Bytes{std::string_view(chunk.data(), n)})
            .run();
        total += static_cast<std::int64_t>(n);
    }
    if (std::ferror(in.get()) != 0 || total != size) {
        throw DbException(make_error(
            store_error::kIo,
            fmt::format("The uploaded file {} changed while it was stored ({} bytes read, {} expected).", file,
                        total, size),
            file));
    }
}

Result<StoredAttachment> SqlStore::store_attachment(const NewAttachment& a, const std::string& file) {
    return with_error([&]() -> Result<StoredAttachment> {
        Transaction tx(db());
        auto ticket = load_ticket(a.ticket_number);
        if (!ticket) return no_ticket(a.ticket_number);
        {
            auto seen = db().prepare(fmt::format(
                "SELECT {} FROM attachments WHERE ticket_number = ? AND author = ? AND upload_key = ?",
                kAttachmentColumns));
            if (seen.bind(a.ticket_number, to_string(a.author), a.upload_key).step()) {
                auto stored = read_attachment(db(), seen);
                if (stored.sha256 != a.sha256 || stored.size != a.size) {
                    return make_error(store_error::kConflict,
                                      "This upload key was already used for a different file. Upload the "
                                      "file with a new key.",
                                      "key");
                }
                return StoredAttachment{std::move(stored), false};
            }
        }
        if (ticket->status != TicketStatus::open && !(a.allow_closed && a.author == Author::customer)) {
            return ticket_not_open(*ticket);
        }
        auto count = db().prepare("SELECT COUNT(*) FROM attachments WHERE ticket_number = ?");
        count.bind(a.ticket_number).step();
        if (count.int64(0) >= kMaxAttachmentsPerTicket) {
            return make_error(store_error::kFull,
                              fmt::format("Ticket {} has {} attachments, as many as a ticket can have.",
                                          a.ticket_number, kMaxAttachmentsPerTicket),
                              "number");
        }
        store_blob(a.sha256, a.size, file, a.created_at);
        auto inserted = db().prepare(
            "INSERT INTO attachments (ticket_number, message_id, author, user_id, upload_key, name, "
            "declared_type, type, image, size, sha256, internal, created_at) "
            "VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
        inserted.bind(a.ticket_number, to_string(a.author), a.user_id, a.upload_key, a.name, a.declared_type, a.type,
                      a.image, a.size, a.sha256, a.internal, a.created_at);
        auto stored = attachment_by_id(db(), returned_id(inserted));
        if (!stored) throw_corrupt(db(), "an attachment just inserted cannot be read back");
        tx.commit();
        return StoredAttachment{std::move(*stored), true};
    });
}

std::vector<Message> SqlStore::messages(TicketNumber number, bool internal) {
    return read_only([&] { return ticket_rows(db(), "ticket_messages", kMessageColumns, number, internal, read_message); });
}

std::vector<Attachment> SqlStore::attachments(TicketNumber number, bool internal) {
    return read_only([&] { return ticket_rows(db(), "attachments", kAttachmentColumns, number, internal, read_attachment); });
}

std::optional<Attachment> SqlStore::attachment(std::int64_t id) {
    return read_only([&] { return attachment_by_id(db(), id); });
}

Status SqlStore::read_blob(const std::string& sha256, const std::function<void(std::string_view)>& sink) {
    // One chunk per statement: a 20 MiB file is never in memory whole (on PostgreSQL a
    // statement's rows all arrive at once). One read transaction: a consistent file.
    std::optional<Status> result;
    const bool read = read_only([&]() -> bool {
        Transaction tx(db(), Db::TransactionKind::read);
        auto count = db().prepare("SELECT COUNT(*) FROM blob_chunks WHERE sha256 = ?");
        count.bind(sha256).step();
        const std::int64_t chunks = count.int64(0);
        if (chunks == 0 && !db().prepare("SELECT 1 FROM blobs WHERE sha256 = ?").bind(sha256).step()) {
            result = make_error(store_error::kNotFound, fmt::format("No file with SHA-256 {} is stored.", sha256),
                                "sha256");
            return true;
        }
        for (std::int64_t seq = 0; seq < chunks; ++seq) {
            auto chunk = db().prepare("SELECT data FROM blob_chunks WHERE sha256 = ? AND seq = ?");
            if (!chunk.bind(sha256, seq).step()) throw_corrupt(db(), fmt::format("chunk {} of {} is missing", seq, sha256));
            sink(chunk.blob(0));
        }
        tx.commit();
        return true;
    });
    if (!read) return make_error(store_error::kIo, "The database could not be read.", "sha256");
    return result.value_or(Ok{});
}

Status SqlStore::mark_read(TicketNumber number, const std::string& reader, std::int64_t message_id) {
    return with_error([&]() -> Status {
        Transaction tx(db());
        auto newest = db().prepare("SELECT COALESCE(MAX(id), 0) FROM ticket_messages WHERE ticket_number = ?");
        newest.bind(number).step();
        if (message_id < 0 || message_id > newest.int64(0)) {
            return make_error(store_error::kInvalid,
                              fmt::format("Ticket {} has no message {}.", number, message_id), "message_id");
        }
        db().prepare(
               "INSERT INTO ticket_reads (ticket_number, reader, message_id) VALUES (?, ?, ?) "
               "ON CONFLICT (ticket_number, reader) DO UPDATE SET message_id = "
               "CASE WHEN excluded.message_id > ticket_reads.message_id THEN excluded.message_id "
               "ELSE ticket_reads.message_id END")
            .bind(number, reader, message_id)
            .run();
        tx.commit();
        return Ok{};
    });
}

std::map<TicketNumber, std::int64_t> SqlStore::read_marks(const std::string& reader,
                                                          const std::vector<TicketNumber>& numbers) {
    if (numbers.empty()) return {};
    return read_only([&] {
        return per_ticket(db(),
                          "SELECT ticket_number, message_id FROM ticket_reads WHERE reader = ? AND ticket_number IN ({})",
                          numbers, [&](Statement& stmt) { stmt.bind(reader); });
    });
}

std::map<TicketNumber, std::int64_t> SqlStore::unread_by_device(const std::vector<TicketNumber>& numbers) {
    if (numbers.empty()) return {};
    return read_only([&] {
        return per_ticket(db(),
                          "SELECT m.ticket_number, COUNT(*) FROM ticket_messages m "
                          "LEFT JOIN ticket_reads r ON r.ticket_number = m.ticket_number AND r.reader = 'device' "
                          "WHERE m.ticket_number IN ({}) AND m.author = 'team' AND m.internal = 0 "
                          "AND m.id > COALESCE(r.message_id, 0) GROUP BY m.ticket_number",
                          numbers);
    });
}

Result<std::int64_t> SqlStore::remove_old_attachments(Timestamp closed_before, Timestamp now) {
    return with_error([&]() -> Result<std::int64_t> {
        Transaction tx(db());
        db().prepare(
               "UPDATE attachments SET removed_at = ? WHERE removed_at IS NULL AND ticket_number IN "
               "(SELECT number FROM tickets WHERE status <> 'open' AND closed_at < ?)")
            .bind(now, closed_before)
            .run();
        const std::int64_t removed = db().changes();
        // Blobs no attachment needs any more: removed ones, and those of deleted tickets.
        db().prepare(
               "DELETE FROM blobs WHERE NOT EXISTS (SELECT 1 FROM attachments a "
               "WHERE a.sha256 = blobs.sha256 AND a.removed_at IS NULL)")
            .run();
        tx.commit();
        return removed;
    });
}

}  // namespace helpline::server
