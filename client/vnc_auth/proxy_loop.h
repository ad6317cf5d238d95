#pragma once
// The session itself: bytes copied both ways between the authenticated viewer and the
// backend, from ClientInit onward, through two bounded buffers (64 KiB each way: a side that
// does not read makes the other wait, memory never grows). Other viewers are turned away
// meanwhile. One poll loop, one thread.

#include <cstddef>
#include <functional>
#include <string>

namespace helpline::client::vnc_auth {

struct ProxyFds {
    int viewer = -1;        ///< non-blocking
    int backend = -1;       ///< non-blocking
    int listener = -1;      ///< where further viewers knock; -1: none
    int stop = -1;          ///< readable: stop now; -1: none
    int backend_exit = -1;  ///< readable once the backend process exited; -1: none
};

enum class ProxyEnd { viewer_left, backend_left, stopped, backend_exited };

/// Copies until either side closes, `stop` fires or the backend process exits
/// (`backend_exited`, asked at least every 100 ms, covers kernels without a pidfd).
ProxyEnd run_proxy(const ProxyFds& fds, const std::function<bool()>& backend_exited,
                   const std::string& busy_reason);

inline constexpr std::size_t kProxyBufferSize = std::size_t{64} * 1024;

}  // namespace helpline::client::vnc_auth
