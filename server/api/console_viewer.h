#pragma once
// The user behind an operator console's event stream, kept current.
//
// A console stream lives for hours; the user's groups, role and session can change under
// it — through the API, or through the CLI on the same database. Every stream has a
// viewer; events are filtered by its current view, and refresh() (from the sweeper, and
// right after a team change made through the API) reads the user again: a stream whose
// session has ended (signed out, disabled, password changed, expired) is closed, and one
// whose view changed (groups, role), or whose team changed (team_revision: a group
// renamed or deleted, an organization added, ...), is told "queue-changed" so the
// console reloads the queue.

#include <mutex>
#include <string>
#include <vector>

#include "server/store/store.h"

namespace helpline::server {

class ConsoleViewer {
public:
    ConsoleViewer(User user, std::vector<std::string> groups, std::string session_token_hash,
                  std::int64_t team_revision);

    UserId user_id() const { return user_id_; }

    /// Whether the user may hear of `ticket` now: open tickets by the queue's visibility,
    /// closed and expired ones by history's (visibility.h). Any thread.
    bool can_see(const Ticket& ticket) const;

    enum class Refresh {
        unchanged,
        changed,  ///< the view or the team changed: the console should reload the queue
        ended,    ///< the session is over, or the user disabled: close the stream
    };
    /// Reads the session, the user and their groups from `store` and takes them over;
    /// `team_revision` is Store::team_revision(), read once by the caller for all viewers.
    Refresh refresh(Store& store, Timestamp now, std::int64_t team_revision);

private:
    const UserId user_id_;
    const std::string session_token_hash_;
    mutable std::mutex mutex_;
    User user_;
    std::vector<std::string> groups_;
    std::int64_t team_revision_;
    bool ended_ = false;
};

}  // namespace helpline::server
