#include "server/api/visibility.h"

#include <algorithm>

namespace helpline::server {
namespace {

bool in_groups(const std::vector<std::string>& groups, const std::optional<std::string>& group) {
    return group && std::find(groups.begin(), groups.end(), *group) != groups.end();
}

}  // namespace

bool can_see_ticket(const User& user, const std::vector<std::string>& groups, const Ticket& ticket) {
    if (user.disabled) return false;
    if (user.role == Role::admin) return true;
    return in_groups(groups, ticket.group_id) || ticket.operator_id == user.id;
}

bool can_see_history(const User& user, const std::vector<std::string>& groups, const Ticket& ticket) {
    if (user.disabled) return false;
    if (user.role == Role::admin) return true;
    if (in_groups(groups, ticket.group_id)) return true;
    if (ticket.operator_id == user.id || ticket.closed_by == user.id) return true;
    return std::find(ticket.handled_by.begin(), ticket.handled_by.end(), user.id) != ticket.handled_by.end();
}

void sort_queue(std::vector<Ticket>& tickets) {
    std::sort(tickets.begin(), tickets.end(), [](const Ticket& a, const Ticket& b) {
        if (a.priority != b.priority) return a.priority > b.priority;
        if (a.created_at != b.created_at) return a.created_at < b.created_at;
        return a.number < b.number;
    });
}

}  // namespace helpline::server
