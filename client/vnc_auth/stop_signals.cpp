#include "client/vnc_auth/stop_signals.h"

#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>

#include <cerrno>
#include <cstring>

namespace helpline::client::vnc_auth {

Result<StopSignals> StopSignals::install() {
    // Writes to a viewer that has gone fail with EPIPE instead of ending the process.
    ::signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0)
        return make_error(
            "signals", fmt::format("Could not block the stop signals: {}.", std::strerror(errno)));
    UniqueFd fd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
    if (fd.get() < 0)
        return make_error(
            "signals", fmt::format("Could not watch the stop signals: {}.", std::strerror(errno)));
    return StopSignals(std::move(fd));
}

bool StopSignals::fired() const {
    pollfd pfd{fd_.get(), POLLIN, 0};
    return ::poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN) != 0;
}

}  // namespace helpline::client::vnc_auth
