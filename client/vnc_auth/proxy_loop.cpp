#include "client/vnc_auth/proxy_loop.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "client/vnc_auth/busy_refusals.h"

namespace helpline::client::vnc_auth {

namespace {

/// One direction: bytes read from `from`, not yet written to `to`.
class Direction {
  public:
    Direction(int from, int to) : from_(from), to_(to), buffer_(kProxyBufferSize) {}

    bool has_room() const { return end_ < buffer_.size() || begin_ > 0; }
    bool has_data() const { return end_ > begin_; }
    int from() const { return from_; }
    int to() const { return to_; }

    /// Reads what is there; false when the source closed or failed.
    bool fill() {
        if (end_ == buffer_.size() && begin_ > 0) {
            std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        while (end_ < buffer_.size()) {
            const ssize_t n = ::recv(from_, buffer_.data() + end_, buffer_.size() - end_, 0);
            if (n > 0) {
                end_ += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
        }
        return true;
    }

    /// Writes what it can; false when the destination closed or failed.
    bool drain() {
        while (has_data()) {
            const ssize_t n = ::send(to_, buffer_.data() + begin_, end_ - begin_, MSG_NOSIGNAL);
            if (n > 0) {
                begin_ += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
        }
        begin_ = end_ = 0;
        return true;
    }

  private:
    int from_;
    int to_;
    std::vector<char> buffer_;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

constexpr int kCheckEveryMs = 100;

}  // namespace

ProxyEnd run_proxy(const ProxyFds& fds, const std::function<bool()>& backend_exited,
                   const std::string& busy_reason) {
    Direction up(fds.viewer, fds.backend);    // the viewer's input, its requests
    Direction down(fds.backend, fds.viewer);  // the screen
    BusyRefusals refusals(busy_reason);
    // Where each descriptor sits in `entries`.
    constexpr std::size_t kStop = 0, kExit = 1, kListener = 2, kViewer = 3, kBackend = 4,
                          kRefusals = 5;
    std::vector<pollfd> entries;
    while (true) {
        entries.clear();
        entries.push_back({fds.stop, POLLIN, 0});
        entries.push_back({fds.backend_exit, POLLIN, 0});
        entries.push_back({fds.listener, POLLIN, 0});
        // A side is read only while its buffer has room: that is the back-pressure.
        entries.push_back(
            {fds.viewer,
             static_cast<short>((up.has_room() ? POLLIN : 0) | (down.has_data() ? POLLOUT : 0)),
             0});
        entries.push_back(
            {fds.backend,
             static_cast<short>((down.has_room() ? POLLIN : 0) | (up.has_data() ? POLLOUT : 0)),
             0});
        refusals.add_poll_entries(entries);
        int timeout = kCheckEveryMs;
        if (const int t = refusals.next_timeout_ms(); t >= 0 && t < timeout) timeout = t;
        const int rc = ::poll(entries.data(), entries.size(), timeout);
        if (rc < 0 && errno != EINTR) return ProxyEnd::stopped;  // cannot wait: give up safely
        if (rc < 0) continue;

        if ((entries[kStop].revents & POLLIN) != 0) return ProxyEnd::stopped;
        if (entries[kExit].revents != 0 || backend_exited()) return ProxyEnd::backend_exited;
        if ((entries[kListener].revents & POLLIN) != 0) {
            for (int i = 0; i < 8; ++i) {  // what is waiting now; the rest next round
                UniqueFd extra = accept_connection(fds.listener);
                if (extra.get() < 0) break;
                refusals.add(std::move(extra));
            }
        }
        refusals.service(entries.data() + kRefusals);

        const short viewer = entries[kViewer].revents;
        const short backend = entries[kBackend].revents;
        // Data first, hang-ups after: what a side sent just before closing is still passed on.
        if ((viewer & (POLLIN | POLLHUP | POLLERR)) != 0 && up.has_room() && !up.fill()) {
            down.drain();
            return ProxyEnd::viewer_left;
        }
        if ((backend & (POLLIN | POLLHUP | POLLERR)) != 0 && down.has_room() && !down.fill()) {
            down.drain();
            return ProxyEnd::backend_left;
        }
        if (up.has_data() && !up.drain()) return ProxyEnd::backend_left;
        if (down.has_data() && !down.drain()) return ProxyEnd::viewer_left;
        // A side that hung up while its buffer was full would wake every poll for nothing.
        if ((viewer & (POLLERR | POLLNVAL | POLLHUP)) != 0) return ProxyEnd::viewer_left;
        if ((backend & (POLLERR | POLLNVAL | POLLHUP)) != 0) return ProxyEnd::backend_left;
    }
}

}  // namespace helpline::client::vnc_auth
