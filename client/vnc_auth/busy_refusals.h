#pragma once
// Viewers that arrive while one is connected: each gets our RFB version, and once it has
// answered with its own, an empty list of security types with a reason ("another viewer is
// connected") — what a VNC viewer shows instead of a bare dropped connection. Handled inside
// the byte-copying loop without ever blocking it; a few at a time, each for a short while.

#include <poll.h>

#include <chrono>
#include <string>
#include <vector>

#include "client/vnc_auth/socket_io.h"

namespace helpline::client::vnc_auth {

class BusyRefusals {
  public:
    explicit BusyRefusals(std::string reason,
                          std::chrono::milliseconds patience = std::chrono::milliseconds(2000),
                          std::size_t max_pending = 4);

    /// A new connection to turn away. Past `max_pending` it is closed at once.
    void add(UniqueFd connection);
    /// Appends a POLLIN entry for each pending connection.
    void add_poll_entries(std::vector<pollfd>& fds) const;
    /// After poll: `entries` points at the first entry add_poll_entries() appended. Finishes
    /// the refusals whose viewer has answered, drops those past their time.
    void service(const pollfd* entries);
    /// Milliseconds until the next one runs out of time (-1: none pending).
    int next_timeout_ms() const;
    std::size_t pending() const { return pending_.size(); }

  private:
    struct Pending {
        UniqueFd fd;
        std::string received;
        Clock::time_point deadline;
        bool done = false;
    };
    std::string reason_;
    std::chrono::milliseconds patience_;
    std::size_t max_pending_;
    std::vector<Pending> pending_;
};

}  // namespace helpline::client::vnc_auth
