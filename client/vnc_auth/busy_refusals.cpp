#include "client/vnc_auth/busy_refusals.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "client/vnc_auth/rfb_handshake.h"

namespace helpline::client::vnc_auth {

BusyRefusals::BusyRefusals(std::string reason, std::chrono::milliseconds patience,
                           std::size_t max_pending)
    : reason_(std::move(reason)), patience_(patience), max_pending_(max_pending) {}

void BusyRefusals::add(UniqueFd connection) {
    if (connection.get() < 0 || pending_.size() >= max_pending_) return;  // closed here
    // 12 bytes into a new socket's empty buffer: this send never blocks.
    if (::send(connection.get(), kServerVersion.data(), kServerVersion.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(kServerVersion.size()))
        return;
    pending_.push_back({std::move(connection), {}, Clock::now() + patience_});
}

void BusyRefusals::add_poll_entries(std::vector<pollfd>& fds) const {
    for (const auto& p : pending_) fds.push_back({p.fd.get(), POLLIN, 0});
}

void BusyRefusals::service(const pollfd* entries) {
    const auto now = Clock::now();
    for (std::size_t i = 0; i < pending_.size(); ++i) {
        Pending& p = pending_[i];
        if (entries[i].revents != 0) {
            char buffer[12];
            const ssize_t n = ::recv(p.fd.get(), buffer, 12 - p.received.size(), 0);
            if (n > 0) p.received.append(buffer, static_cast<std::size_t>(n));
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) p.done = true;
            if (p.received.size() == 12) {
                const std::string refusal = refusal_after_version(p.received, reason_);
                ::send(p.fd.get(), refusal.data(), refusal.size(), MSG_NOSIGNAL);
                ::shutdown(p.fd.get(), SHUT_WR);
                p.done = true;
            }
        }
        if (now >= p.deadline) p.done = true;
    }
    std::erase_if(pending_, [](const Pending& p) { return p.done; });
}

int BusyRefusals::next_timeout_ms() const {
    if (pending_.empty()) return -1;
    auto first = pending_.front().deadline;
    for (const auto& p : pending_) first = std::min(first, p.deadline);
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(first - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left) + 1;
}

}  // namespace helpline::client::vnc_auth
