#pragma once
// How the SQLite store reads ticket and audit rows; shared by its files (internal to
// server/store).

#include "server/store/model.h"
#include "server/store/sql_db.h"

namespace helpline::server {

/// The columns read_ticket() expects, in its order.
inline constexpr const char* kTicketColumns =
    "number, device_id, email, subject, description, priority, group_id, operator_id, status, "
    "created_at, updated_at, closed_at, closed_by, assigned_at, message_count, last_customer_message_id";

/// The same columns of the table aliased `t` (for joins).
inline constexpr const char* kTicketColumnsOfT =
    "t.number, t.device_id, t.email, t.subject, t.description, t.priority, t.group_id, "
    "t.operator_id, t.status, t.created_at, t.updated_at, t.closed_at, t.closed_by, t.assigned_at, "
    "t.message_count, t.last_customer_message_id";

/// The queue's order: most urgent first, then the longest waiting.
inline constexpr const char* kQueueOrder =
    "CASE priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END DESC, "
    "created_at, number";

/// A row of kTicketColumns; a priority or status it does not know is a corrupt database.
Ticket read_ticket(const Db& db, const Statement& row);

/// A row of "id, at, actor, action, ticket_number, request_id, session_id, detail".
AuditEntry read_audit_entry(const Statement& row);

}  // namespace helpline::server
