// The SQLite Store: tickets.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "server/store/sql_store.h"
#include "server/store/store_errors.h"
#include "server/store/ticket_rows.h"

namespace helpline::server {

Ticket read_ticket(const Db& db, const Statement& row) {
    Ticket t;
    t.number = row.int64(0);
    t.device_id = row.optional_text(1).value_or("");
    t.email = row.text(2);
    t.subject = row.text(3);
    t.description = row.text(4);
    const auto priority = parse_priority(row.text(5));
    const auto status = parse_ticket_status(row.text(8));
    if (!priority || !status) {
        throw_corrupt(db, fmt::format("ticket {} has an unknown priority or status", t.number));
    }
    t.priority = *priority;
    t.group_id = row.optional_text(6);
    t.operator_id = row.optional_int64(7);
    t.status = *status;
    t.created_at = row.int64(9);
    t.updated_at = row.int64(10);
    t.closed_at = row.optional_int64(11);
    t.closed_by = row.optional_int64(12);
    t.assigned_at = row.optional_int64(13);
    t.message_count = row.int64(14);
    t.last_customer_message_id = row.int64(15);
    return t;
}

namespace {

std::optional<std::string> optional_device(const std::string& device_id) {
    if (device_id.empty()) return std::nullopt;
    return device_id;
}

/// The "ticket-created" audit detail: what the ticket started with (its timeline shows it).
std::string created_detail(const NewTicket& ticket) {
    return nlohmann::json{{"priority", to_string(ticket.priority)},
                          {"group_id", ticket.group_id ? nlohmann::json(*ticket.group_id) : nlohmann::json()}}
        .dump();
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Helpers (mutex held)

void SqlStore::fill_handlers(Ticket& ticket) {
    auto stmt = db().prepare(
        "SELECT user_id FROM ticket_handlers WHERE ticket_number = ? ORDER BY user_id");
    stmt.bind(ticket.number);
    ticket.handled_by.clear();
    while (stmt.step()) ticket.handled_by.push_back(stmt.int64(0));
}

std::vector<Ticket> SqlStore::load_tickets(Statement& stmt, bool handlers) {
    std::vector<Ticket> out;
    while (stmt.step()) out.push_back(read_ticket(db(), stmt));
    // One small indexed query per ticket: cheap in-process; PostgreSQL would aggregate.
    if (handlers)
        for (Ticket& t : out) fill_handlers(t);
    return out;
}

std::optional<Ticket> SqlStore::load_ticket(TicketNumber number) {
    auto stmt =
        db().prepare(fmt::format("SELECT {} FROM tickets WHERE number = ?", kTicketColumns));
    stmt.bind(number);
    auto found = load_tickets(stmt);
    if (found.empty()) return std::nullopt;
    return std::move(found.front());
}

void SqlStore::insert_handler(TicketNumber number, UserId user) {
    // closed_at follows the ticket's (history reads an operator's handled tickets by it).
    db().prepare(
           "INSERT INTO ticket_handlers (ticket_number, user_id, closed_at) "
           "SELECT number, ?, closed_at FROM tickets WHERE number = ? "
           "ON CONFLICT DO NOTHING")
        .bind(user, number)
        .run();
}

void SqlStore::count_in_history(const std::optional<std::string>& group_id, TicketStatus status) {
    db().prepare(
           "INSERT INTO history_counts (group_id, status, n) VALUES (?, ?, 1) "
           "ON CONFLICT (group_id, status) DO UPDATE SET n = history_counts.n + 1")
        .bind(group_id.value_or(""), to_string(status))
        .run();
}

void SqlStore::handlers_closed(TicketNumber number, Timestamp closed_at) {
    db().prepare("UPDATE ticket_handlers SET closed_at = ? WHERE ticket_number = ?")
        .bind(closed_at, number)
        .run();
}

// ---------------------------------------------------------------------------------------
// Tickets

// Group commit. A durable commit costs one fsync of the WAL, whatever it holds, so the
// submissions that arrive while one commit is on its way to disk wait in a queue, and the
// next commit takes them all in one transaction (each in its own savepoint, so one that
// fails leaves the others alone). Nobody gets an answer before the transaction holding
// their ticket is committed. There is no extra thread: the first waiting caller that finds
// no commit in progress leads the next one (leader/follower).
struct SqlStore::PendingSubmission {
    const NewTicket& ticket;
    const std::string& idempotency_key;
    const std::string& request_hash;
    const std::function<bool()>& may_create;
    std::optional<Result<SubmitResult>> result;  ///< set under submit_mutex_
};

Result<SubmitResult> SqlStore::submit_ticket(const NewTicket& ticket,
                                                const std::string& idempotency_key,
                                                const std::string& request_hash,
                                                const std::function<bool()>& may_create) {
    PendingSubmission mine{ticket, idempotency_key, request_hash, may_create, std::nullopt};
    std::unique_lock lock(submit_mutex_);
    submit_queue_.push_back(&mine);
    while (!mine.result) {
        if (submit_leader_) {
            submit_done_.wait(lock);
            continue;
        }
        submit_leader_ = true;
        lock.unlock();
        std::vector<PendingSubmission*> batch;
        auto results = commit_submissions(batch);
        lock.lock();
        for (std::size_t i = 0; i < batch.size(); ++i) batch[i]->result = std::move(results[i]);
        ++submission_commits_;
        submit_leader_ = false;
        submit_done_.notify_all();
    }
    return std::move(*mine.result);
}

std::size_t SqlStore::queued_submissions() {
    std::lock_guard lock(submit_mutex_);
    return submit_queue_.size();
}

std::uint64_t SqlStore::submission_commits() {
    std::lock_guard lock(submit_mutex_);
    return submission_commits_;
}

std::vector<SqlStore::PendingSubmission*> SqlStore::take_batch() {
    std::lock_guard lock(submit_mutex_);
    const auto take = std::min(submit_queue_.size(), kMaxSubmissionsPerCommit);
    std::vector<PendingSubmission*> batch(submit_queue_.begin(), submit_queue_.begin() + static_cast<long>(take));
    submit_queue_.erase(submit_queue_.begin(), submit_queue_.begin() + static_cast<long>(take));
    return batch;
}

std::vector<Result<SubmitResult>> SqlStore::commit_submissions(std::vector<PendingSubmission*>& batch) {
    std::lock_guard lock(mutex_);
    std::vector<Result<SubmitResult>> results;
    try {
        // The write lock is taken before any key is looked up, so two submissions with the
        // same key (in this batch, from another process, ...) cannot both miss it. The
        // batch is taken once the lock is held: what queued while it was awaited (another
        // server's commit, on PostgreSQL) joins this commit rather than the next.
        std::optional<Transaction> tx;
        try {
            tx.emplace(db());
        } catch (const DbException&) {
            batch = take_batch();
            throw;
        }
        batch = take_batch();
        results.reserve(batch.size());
        for (const PendingSubmission* p : batch) {
            db().exec("SAVEPOINT submission");
            try {
                results.push_back(submit_in_transaction(*p));
            } catch (const DbException& e) {
                // If SQLite rolled the whole transaction back (a full disk, an I/O error),
                // the savepoint is gone too and this throws: the batch fails as a whole.
                db().exec("ROLLBACK TO submission");
                results.emplace_back(e.error());
            }
            db().exec("RELEASE submission");
        }
        // With synchronous=FULL the commit returns only once every ticket is on disk.
        tx->commit();
    } catch (const DbException& e) {
        // Nothing of this batch is durable, so nobody may be told otherwise.
        results.assign(batch.size(), Result<SubmitResult>(e.error()));
    } catch (const std::exception& e) {  // bad_alloc, a throwing may_create: the same
        results.assign(batch.size(), Result<SubmitResult>(make_error(
                                         store_error::kIo, fmt::format("The submission could "
                                                                       "not be stored: {}.",
                                                                       e.what()))));
    }
    return results;
}

Result<SubmitResult> SqlStore::submit_in_transaction(const PendingSubmission& p) {
    const NewTicket& ticket = p.ticket;
    std::optional<TicketNumber> seen;
    {
        auto key = db().prepare(
            "SELECT request_hash, ticket_number FROM idempotency_keys "
            "WHERE device_id = ? AND idempotency_key = ?");
        if (key.bind(ticket.device_id, p.idempotency_key).step()) {
            if (key.text(0) != p.request_hash) {
                return make_error(
                    store_error::kIdempotencyMismatch,
                    "This idempotency key was already used for a different request. Send "
                    "the same request again, or a new request with a new key.",
                    "Idempotency-Key");
            }
            seen = key.int64(1);
        }
    }
    if (seen) {
        auto first = load_ticket(*seen);
        if (!first) {
            throw_corrupt(db(), fmt::format("idempotency key of missing ticket {}", *seen));
        }
        return SubmitResult{std::move(*first), false};
    }
    if (ticket.group_id && !group_exists(*ticket.group_id)) return no_group(*ticket.group_id);
    if (!ticket.device_id.empty() && !device_exists(ticket.device_id)) {
        return no_device(ticket.device_id);
    }
    if (p.may_create && !p.may_create()) {
        return make_error(store_error::kRefused, "The submission was refused (rate limit).");
    }

    db().prepare("UPDATE counters SET value = value + 1 WHERE name = 'ticket_number'").run();
    const TicketNumber number =
        db().query_int64("SELECT value FROM counters WHERE name = 'ticket_number'");
    db().prepare(fmt::format("INSERT INTO tickets ({}) VALUES "
                             "(?, ?, ?, ?, ?, ?, ?, NULL, 'open', ?, ?, NULL, NULL, NULL, 0, 0)",
                             kTicketColumns))
        .bind(number, optional_device(ticket.device_id), ticket.email, ticket.subject,
              ticket.description, to_string(ticket.priority), ticket.group_id,
              ticket.created_at, ticket.created_at)
        .run();
    db().prepare(
           "INSERT INTO idempotency_keys (device_id, idempotency_key, request_hash, "
           "ticket_number, created_at) VALUES (?, ?, ?, ?, ?)")
        .bind(ticket.device_id, p.idempotency_key, p.request_hash, number, ticket.created_at)
        .run();
    if (!ticket.audit_actor.empty()) {
        db().prepare(
               "INSERT INTO audit_log (at, actor, action, ticket_number, request_id, "
               "session_id, detail) VALUES (?, ?, 'ticket-created', ?, '', '', ?)")
            .bind(ticket.created_at, ticket.audit_actor, number, created_detail(ticket))
            .run();
    }
    Ticket created;
    created.number = number;
    created.device_id = ticket.device_id;
    created.email = ticket.email;
    created.subject = ticket.subject;
    created.description = ticket.description;
    created.priority = ticket.priority;
    created.group_id = ticket.group_id;
    created.status = TicketStatus::open;
    created.created_at = ticket.created_at;
    created.updated_at = ticket.created_at;
    // In the ticket's transaction (savepoint): the group's members hear of it exactly
    // when the ticket exists.
    queue_ticket_mail(nullptr, created, std::nullopt, ticket.created_at);
    return SubmitResult{std::move(created), true};
}

std::optional<Ticket> SqlStore::ticket(TicketNumber number) {
    return read_only([&] {
        Transaction tx(db(), Transaction::Kind::read);
        return load_ticket(number);
    });
}

std::vector<Ticket> SqlStore::device_tickets(const std::string& device_id, int limit) {
    return read_only([&] {
        Transaction tx(db(), Transaction::Kind::read);
        auto stmt = db().prepare(fmt::format(
            "SELECT {} FROM tickets WHERE device_id = ? ORDER BY created_at DESC, number DESC "
            "LIMIT ?",
            kTicketColumns));
        stmt.bind(device_id, clamp_limit(limit));
        return load_tickets(stmt);
    });
}

Result<Ticket> SqlStore::update_ticket(TicketNumber number, const TicketChanges& changes,
                                          Timestamp now) {
    return with_error([&]() -> Result<Ticket> {
        Transaction tx(db());
        auto current = load_ticket(number);
        if (!current) return no_ticket(number);
        if (changes.group_id && *changes.group_id && !group_exists(**changes.group_id)) {
            return no_group(**changes.group_id);
        }
        if (changes.operator_id && *changes.operator_id && !user_exists(**changes.operator_id)) {
            Error error = no_user(**changes.operator_id);
            error.where = "operator_id";
            return error;
        }
        const Priority priority = changes.priority.value_or(current->priority);
        const auto group_id = changes.group_id.value_or(current->group_id);
        const auto operator_id = changes.operator_id.value_or(current->operator_id);
        // assigned_at: when the current operator got it (kept when assigned again to the
        // same operator).
        auto assigned_at = current->assigned_at;
        if (operator_id != current->operator_id) assigned_at = operator_id ? std::optional(now) : std::nullopt;
        db().prepare(
               "UPDATE tickets SET priority = ?, group_id = ?, operator_id = ?, assigned_at = ?, "
               "updated_at = ? WHERE number = ?")
            .bind(to_string(priority), group_id, operator_id, assigned_at, now, number)
            .run();
        // Being assigned counts as handling the ticket, for history visibility (§6).
        if (changes.operator_id && *changes.operator_id)
            insert_handler(number, **changes.operator_id);
        auto updated = load_ticket(number);
        queue_ticket_mail(&*current, *updated, changes.actor, now);  // committed with the change
        tx.commit();
        return std::move(*updated);
    });
}

Result<ClosedTicket> SqlStore::close_ticket(TicketNumber number, UserId by, Timestamp now) {
    return with_error([&]() -> Result<ClosedTicket> {
        Transaction tx(db());
        auto current = load_ticket(number);
        if (!current) return no_ticket(number);
        if (current->status != TicketStatus::open) {
            return make_error(
                store_error::kStale,
                current->status == TicketStatus::closed
                    ? fmt::format("Ticket {number} is already closed.", fmt::arg("number", number))
                    : fmt::format("Ticket {number} has expired.", fmt::arg("number", number)),
                "number");
        }
        if (!user_exists(by)) return no_user(by);
        db().prepare(
               "UPDATE tickets SET status = 'closed', closed_at = ?, closed_by = ?, "
               "updated_at = ? WHERE number = ?")
            .bind(now, by, now, number)
            .run();
        insert_handler(number, by);
        handlers_closed(number, now);
        count_in_history(current->group_id, TicketStatus::closed);
        // In the same transaction: once the ticket is closed, no request of it can be
        // accepted, however the answer and the close interleave.
        auto cancelled = cancel_pending_requests(number, now);
        auto closed = load_ticket(number);
        tx.commit();
        return ClosedTicket{std::move(*closed), std::move(cancelled)};
    });
}

Status SqlStore::add_handler(TicketNumber number, UserId user) {
    return with_error([&]() -> Status {
        Transaction tx(db());
        if (!db().prepare("SELECT 1 FROM tickets WHERE number = ?").bind(number).step()) {
            return no_ticket(number);
        }
        if (!user_exists(user)) return no_user(user);
        insert_handler(number, user);
        tx.commit();
        return Ok{};
    });
}

std::vector<ClosedTicket> SqlStore::expire_tickets(Timestamp cutoff, Timestamp now) {
    return or_empty([&] {
        Transaction tx(db());
        std::vector<TicketNumber> numbers;
        {
            auto stmt = db().prepare(
                "SELECT number FROM tickets WHERE status = 'open' AND COALESCE(reopened_at, created_at) < ? "
                "ORDER BY number");
            stmt.bind(cutoff);
            while (stmt.step()) numbers.push_back(stmt.int64(0));
        }
        std::vector<ClosedTicket> expired;
        if (numbers.empty()) return expired;
        db().prepare(
               "UPDATE tickets SET status = 'expired', closed_at = ?, updated_at = ? "
               "WHERE status = 'open' AND COALESCE(reopened_at, created_at) < ?")
            .bind(now, now, cutoff)
            .run();
        for (const TicketNumber number : numbers) {
            handlers_closed(number, now);
            auto cancelled = cancel_pending_requests(number, now);
            if (auto t = load_ticket(number)) {
                count_in_history(t->group_id, TicketStatus::expired);
                expired.push_back(ClosedTicket{std::move(*t), std::move(cancelled)});
            }
        }
        tx.commit();
        return expired;
    });
}

}  // namespace helpline::server
