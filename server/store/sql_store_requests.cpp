// The SQLite Store: connection requests and device events.
#include <fmt/format.h>

#include "server/store/sql_store.h"
#include "server/store/store_errors.h"

namespace helpline::server {

namespace {

constexpr const char* kRequestColumns =
    "id, ticket_number, device_id, operator_id, state, created_at, expires_at, answered_at, "
    "session_id, relay_token_hash, vnc_password, ended_at, decline_reason";

ConnectionRequest read_request(const Db& db, const Statement& row) {
    ConnectionRequest r;
    r.id = row.text(0);
    r.ticket_number = row.int64(1);
    r.device_id = row.text(2);
    r.operator_id = row.int64(3);
    const auto state = parse_request_state(row.text(4));
    if (!state) throw_corrupt(db, fmt::format("connection request {} has an unknown state", r.id));
    r.state = *state;
    r.created_at = row.int64(5);
    r.expires_at = row.int64(6);
    r.answered_at = row.optional_int64(7);
    r.session_id = row.optional_text(8);
    r.relay_token_hash = row.optional_text(9);
    r.vnc_password = row.optional_text(10);
    r.ended_at = row.optional_int64(11);
    if (r.state == RequestState::declined) {
        const auto reason = row.optional_text(12);
        r.decline_reason = reason ? parse_decline_reason(*reason) : DeclineReason::customer;
        if (!r.decline_reason)
            throw_corrupt(db, fmt::format("connection request {} has an unknown decline reason", r.id));
    }
    return r;
}

std::vector<ConnectionRequest> read_requests(const Db& db, Statement& stmt) {
    std::vector<ConnectionRequest> out;
    while (stmt.step()) out.push_back(read_request(db, stmt));
    return out;
}

/// The VNC password is plaintext (the operator's viewer needs it), so it is kept only while
/// it can be used: in an accepted session. Every other state drops it.
std::optional<std::string> kept_password(const ConnectionRequest& r) {
    return r.state == RequestState::accepted ? r.vnc_password : std::nullopt;
}

/// The reason is written for a declined request only (NULL otherwise, as the schema
/// documents); a declined one without a reason is the customer's No.
std::optional<std::string> stored_decline_reason(const ConnectionRequest& r) {
    if (r.state != RequestState::declined) return std::nullopt;
    return std::string(to_string(r.decline_reason.value_or(DeclineReason::customer)));
}

Error session_taken(const std::string& session_id) {
    return make_error(
        store_error::kConflict,
        fmt::format("The session id \"{id}\" is already in use.", fmt::arg("id", session_id)),
        "session_id");
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Connection requests

std::vector<ConnectionRequest> SqlStore::cancel_pending_requests(TicketNumber number,
                                                                    Timestamp now) {
    std::vector<ConnectionRequest> cancelled;
    {
        auto stmt = db().prepare(fmt::format(
            "SELECT {} FROM connection_requests WHERE ticket_number = ? AND state = 'pending' "
            "ORDER BY created_at, id",
            kRequestColumns));
        stmt.bind(number);
        cancelled = read_requests(db(), stmt);
    }
    if (cancelled.empty()) return cancelled;
    db().prepare(
           "UPDATE connection_requests SET state = 'cancelled', ended_at = ? "
           "WHERE ticket_number = ? AND state = 'pending'")
        .bind(now, number)
        .run();
    for (ConnectionRequest& r : cancelled) {
        r.state = RequestState::cancelled;
        r.ended_at = now;
    }
    return cancelled;
}

Status SqlStore::add_connection_request(const ConnectionRequest& request) {
    return with_error([&]() -> Status {
        Transaction tx(db());
        if (db().prepare("SELECT 1 FROM connection_requests WHERE id = ?")
                .bind(request.id)
                .step()) {
            return make_error(store_error::kConflict,
                              fmt::format("A connection request with the id \"{id}\" already "
                                          "exists.",
                                          fmt::arg("id", request.id)),
                              "id");
        }
        if (!db().prepare("SELECT 1 FROM tickets WHERE number = ?")
                 .bind(request.ticket_number)
                 .step()) {
            return no_ticket(request.ticket_number);
        }
        if (!device_exists(request.device_id)) return no_device(request.device_id);
        if (!user_exists(request.operator_id)) return no_user(request.operator_id);
        if (request.session_id &&
            db().prepare("SELECT 1 FROM connection_requests WHERE session_id = ?")
                .bind(*request.session_id)
                .step()) {
            return session_taken(*request.session_id);
        }
        db().prepare(fmt::format("INSERT INTO connection_requests ({}) VALUES "
                                 "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 kRequestColumns))
            .bind(request.id, request.ticket_number, request.device_id, request.operator_id,
                  to_string(request.state), request.created_at, request.expires_at,
                  request.answered_at, request.session_id, request.relay_token_hash,
                  kept_password(request), request.ended_at, stored_decline_reason(request))
            .run();
        tx.commit();
        return Ok{};
    });
}

std::optional<ConnectionRequest> SqlStore::connection_request(const std::string& id) {
    return read_only([&]() -> std::optional<ConnectionRequest> {
        auto stmt = db().prepare(
            fmt::format("SELECT {} FROM connection_requests WHERE id = ?", kRequestColumns));
        if (!stmt.bind(id).step()) return std::nullopt;
        return read_request(db(), stmt);
    });
}

std::optional<ConnectionRequest> SqlStore::request_by_session(const std::string& session_id) {
    return read_only([&]() -> std::optional<ConnectionRequest> {
        auto stmt = db().prepare(fmt::format(
            "SELECT {} FROM connection_requests WHERE session_id = ?", kRequestColumns));
        if (!stmt.bind(session_id).step()) return std::nullopt;
        return read_request(db(), stmt);
    });
}

Status SqlStore::transition_request(const ConnectionRequest& updated, RequestState expected) {
    return with_error([&]() -> Status {
        Transaction tx(db());
        {
            auto current = db().prepare("SELECT state FROM connection_requests WHERE id = ?");
            if (!current.bind(updated.id).step()) return no_connection_request(updated.id);
            if (current.text(0) != to_string(expected)) {
                return make_error(
                    store_error::kStale,
                    fmt::format("The connection request \"{id}\" is already {state}.",
                                fmt::arg("id", updated.id), fmt::arg("state", current.text(0))),
                    "state");
            }
        }
        if (updated.session_id &&
            db().prepare("SELECT 1 FROM connection_requests WHERE session_id = ? AND id <> ?")
                .bind(*updated.session_id, updated.id)
                .step()) {
            return session_taken(*updated.session_id);
        }
        // The state in the WHERE clause is the compare-and-set. Under SQLite's write lock
        // the check above already decided; the clause keeps the statement correct on its
        // own, as it must be where writers are not serialised (PostgreSQL).
        db().prepare(
               "UPDATE connection_requests SET state = ?, expires_at = ?, answered_at = ?, "
               "session_id = ?, relay_token_hash = ?, vnc_password = ?, ended_at = ?, "
               "decline_reason = ? WHERE id = ? AND state = ?")
            .bind(to_string(updated.state), updated.expires_at, updated.answered_at,
                  updated.session_id, updated.relay_token_hash, kept_password(updated),
                  updated.ended_at, stored_decline_reason(updated), updated.id,
                  to_string(expected))
            .run();
        if (db().changes() == 0) {
            return make_error(store_error::kStale,
                              fmt::format("The connection request \"{id}\" was answered meanwhile.",
                                          fmt::arg("id", updated.id)),
                              "state");
        }
        tx.commit();
        return Ok{};
    });
}

std::vector<ConnectionRequest> SqlStore::pending_requests(const std::string& device_id,
                                                             Timestamp now) {
    return read_only([&] {
        auto stmt = db().prepare(fmt::format(
            "SELECT {} FROM connection_requests WHERE device_id = ? AND state = 'pending' "
            "AND expires_at > ? ORDER BY created_at, id",
            kRequestColumns));
        stmt.bind(device_id, now);
        return read_requests(db(), stmt);
    });
}

std::vector<ConnectionRequest> SqlStore::expire_requests(Timestamp now) {
    return or_empty([&] {
        Transaction tx(db());
        std::vector<ConnectionRequest> expired;
        {
            auto stmt = db().prepare(fmt::format(
                "SELECT {} FROM connection_requests WHERE state = 'pending' AND expires_at <= ? "
                "ORDER BY expires_at, id",
                kRequestColumns));
            stmt.bind(now);
            expired = read_requests(db(), stmt);
        }
        if (expired.empty()) return expired;
        db().prepare(
               "UPDATE connection_requests SET state = 'expired' "
               "WHERE state = 'pending' AND expires_at <= ?")
            .bind(now)
            .run();
        tx.commit();
        for (ConnectionRequest& r : expired) r.state = RequestState::expired;
        return expired;
    });
}

// ---------------------------------------------------------------------------------------
// Device events

Result<std::int64_t> SqlStore::append_event(const StoredEvent& event) {
    return with_error([&]() -> Result<std::int64_t> {
        Transaction tx(db());
        if (!device_exists(event.device_id)) return no_device(event.device_id);
        auto insert = db().prepare(
            "INSERT INTO device_events (device_id, type, data, created_at) "
            "VALUES (?, ?, ?, ?) RETURNING id");
        insert.bind(event.device_id, event.type, event.data, event.created_at);
        const std::int64_t id = returned_id(insert);
        tx.commit();
        return id;
    });
}

std::vector<StoredEvent> SqlStore::events_after(const std::string& device_id,
                                                   std::int64_t after_id, int limit) {
    return read_only([&] {
        std::vector<StoredEvent> out;
        auto stmt = db().prepare(
            "SELECT id, device_id, type, data, created_at FROM device_events "
            "WHERE device_id = ? AND id > ? ORDER BY id LIMIT ?");
        stmt.bind(device_id, after_id, clamp_limit(limit));
        while (stmt.step()) {
            out.push_back(StoredEvent{stmt.int64(0), stmt.text(1), stmt.text(2), stmt.text(3),
                                      stmt.int64(4)});
        }
        return out;
    });
}

Status SqlStore::prune_events(Timestamp before) {
    return with_error([&]() -> Status {
        db().prepare("DELETE FROM device_events WHERE created_at < ?").bind(before).run();
        return Ok{};
    });
}

}  // namespace helpline::server
