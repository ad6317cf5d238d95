#pragma once
// SIGTERM, SIGINT and SIGHUP as a readable descriptor (signalfd), so that every wait of
// helpline-vnc-auth — for the backend's socket, a viewer, the byte copying — ends promptly
// when the client's launcher stops the session (it gives 500 ms before SIGKILL).

#include "shared/result.h"
#include "shared/unique_fd.h"

namespace helpline::client::vnc_auth {

class StopSignals {
  public:
    /// Blocks the three signals for the (single-threaded) process and opens the signalfd.
    /// Programs it starts get an empty signal mask back (BackendProcess).
    static Result<StopSignals> install();
    int fd() const { return fd_.get(); }
    /// Whether one of them has arrived (without consuming it).
    bool fired() const;

  private:
    explicit StopSignals(UniqueFd fd) : fd_(std::move(fd)) {}
    UniqueFd fd_;
};

}  // namespace helpline::client::vnc_auth
