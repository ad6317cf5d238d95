#include "server/api/console_viewer.h"

#include "server/api/visibility.h"

namespace helpline::server {

ConsoleViewer::ConsoleViewer(User user, std::vector<std::string> groups, std::string session_token_hash,
                             std::int64_t team_revision)
    : user_id_(user.id),
      session_token_hash_(std::move(session_token_hash)),
      user_(std::move(user)),
      groups_(std::move(groups)),
      team_revision_(team_revision) {}

bool ConsoleViewer::can_see(const Ticket& ticket) const {
    std::lock_guard lock(mutex_);
    if (ended_) return false;
    return ticket.status == TicketStatus::open ? can_see_ticket(user_, groups_, ticket)
                                               : can_see_history(user_, groups_, ticket);
}

ConsoleViewer::Refresh ConsoleViewer::refresh(Store& store, Timestamp now, std::int64_t team_revision) {
    // Read outside the lock: events keep flowing while the store answers.
    const auto session = store.session(session_token_hash_);
    auto user = session && session->user_id == user_id_ && session->expires_at > now ? store.user(user_id_)
                                                                                      : std::nullopt;
    auto groups = user ? store.groups_of(user_id_) : std::vector<std::string>{};

    std::lock_guard lock(mutex_);
    if (ended_) return Refresh::ended;
    // A slower refresh that read before a newer one was applied must not undo it.
    if (team_revision < team_revision_) return Refresh::unchanged;
    if (!user || user->disabled) {
        ended_ = true;
        return Refresh::ended;
    }
    const bool view_changed = user->role != user_.role || groups != groups_;
    const bool team_changed = team_revision != team_revision_;
    user_ = std::move(*user);
    groups_ = std::move(groups);
    team_revision_ = team_revision;
    return view_changed || team_changed ? Refresh::changed : Refresh::unchanged;
}

}  // namespace helpline::server
