#pragma once
// An RFB viewer over plain TCP, for the tests of the backends: tests/support's
// RfbScreenViewer on a socket to 127.0.0.1:port (the relay's tests run the same viewer over
// the WebSocket view).

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "shared/unique_fd.h"
#include "tests/support/rfb_screen_viewer.h"

namespace helpline::test {

class RfbTcpViewer {
  public:
    /// Connects to 127.0.0.1:`port`; connected() says whether it worked.
    explicit RfbTcpViewer(std::uint16_t port,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));
    bool connected() const { return fd_.get() >= 0; }
    int fd() const { return fd_.get(); }

    RfbLogin login(const std::string& password, const std::string& version = "RFB 003.008\n") {
        return viewer_.login(password, version);
    }
    RfbFrame read_screen() { return viewer_.read_screen(); }
    bool read_changes(RfbFrame& frame, std::chrono::milliseconds wait) {
        return viewer_.read_changes(frame, wait);
    }
    RfbScreenViewer& rfb() { return viewer_; }
    void close() { fd_.reset(); }

  private:
    UniqueFd fd_;
    RfbScreenViewer viewer_;
};

/// A 127.0.0.1 port the system considered free a moment ago.
std::uint16_t free_loopback_port();

}  // namespace helpline::test
