#pragma once
// An RFB viewer over plain TCP, for the tests of helpline-vnc-auth: the relay's RFB viewer
// (tests/server/relay/rfb_viewer.h) speaks through the relay's WebSocket; this one connects
// to 127.0.0.1:port itself, answers VNC authentication with the shared DES code, asks for a
// known pixel format and keeps the pixels, so that a test can check what the screen shows.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "shared/unique_fd.h"

namespace helpline::test {

/// What the server answered to the password.
struct RfbLogin {
    bool ok = false;
    std::string reason;  ///< the server's reason on failure (RFB 3.8)
};

/// A whole screen in 0xRRGGBB pixels, row by row.
struct RfbFrame {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::string name;
    std::vector<std::uint32_t> pixels;
};

class RfbTcpViewer {
  public:
    /// Connects to 127.0.0.1:`port`; connected() says whether it worked.
    explicit RfbTcpViewer(std::uint16_t port,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));
    bool connected() const { return fd_.get() >= 0; }
    int fd() const { return fd_.get(); }

    /// Version 3.8 (or `version`), security type 2, the answer to the challenge under
    /// `password`, SecurityResult. REQUIREs that each step arrives.
    RfbLogin login(const std::string& password, const std::string& version = "RFB 003.008\n");
    /// ClientInit, SetPixelFormat (32 bits, 0xRRGGBB little-endian), SetEncodings [raw], one
    /// full FramebufferUpdateRequest; reads until every pixel has come.
    RfbFrame read_screen();
    /// Asks for what changed since (an incremental request) and applies the next update to
    /// `frame`; false when none came within `wait` (nothing changed).
    bool read_changes(RfbFrame& frame, std::chrono::milliseconds wait);
    void close() { fd_.reset(); }

  private:
    std::string need(std::size_t count);
    void request(const RfbFrame& frame, bool incremental);
    /// The rest of one server message whose type byte was `type`; the pixels it covered.
    std::uint64_t apply(unsigned char type, RfbFrame& frame);
    std::chrono::milliseconds timeout_;
    UniqueFd fd_;
};

/// A 127.0.0.1 port the system considered free a moment ago.
std::uint16_t free_loopback_port();

}  // namespace helpline::test
