#pragma once
// A ticket's timeline (docs/protocol.md, "A ticket's page"): its audit entries turned into
// what happened, in words a console can show — created, assigned, priority and group
// changes, connection requests with the customer's answer, sessions with their duration
// and who ended them, closed or expired. A plain function of the audit and the names.

#include <nlohmann/json.hpp>
#include <vector>

#include "server/api/services.h"

namespace helpline::server::api {

/// A ticket's timeline from its audit entries (oldest first), oldest first.
nlohmann::json ticket_timeline(const std::vector<AuditEntry>& audit, const Directory& dir);

/// An audit actor ("user:12", "device:ab…", "system", "cli") as the timeline shows it.
nlohmann::json timeline_actor(const std::string& actor, const Directory& dir);

}  // namespace helpline::server::api
