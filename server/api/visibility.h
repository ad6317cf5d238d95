#pragma once
// The queue's visibility rules (DESIGN.md §6), as pure functions.
//
// - An admin sees every ticket and all history.
// - An operator sees open tickets of the groups they belong to and tickets assigned to
//   them; a ticket moved to a group they are not in (and not assigned to them) leaves
//   their view.
// - History for an operator: tickets they handled (assigned, connected, closed) or that
//   their groups handled.

#include <string>
#include <vector>

#include "server/store/model.h"

namespace helpline::server {

bool can_see_ticket(const User& user, const std::vector<std::string>& groups, const Ticket& ticket);
bool can_see_history(const User& user, const std::vector<std::string>& groups, const Ticket& ticket);

/// Queue order: priority (urgent first), then age (oldest first), then number.
void sort_queue(std::vector<Ticket>& tickets);

}  // namespace helpline::server
