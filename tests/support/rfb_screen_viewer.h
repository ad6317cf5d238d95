#pragma once
// An RFB 3.8 viewer for tests that look at the screen: VNC authentication (shared DES code),
// a known pixel format (32 bits, 0xRRGGBB), raw encoding, every pixel kept; then
// incremental updates, pointer and key events. It speaks over any byte transport — a TCP
// socket to a backend (tests/client/vnc_auth/rfb_tcp_viewer.h) or the relay's WebSocket view
// (tests/server/relay/view_client.h), as the operator's noVNC does.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

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
    /// The server's own pixel format from ServerInit: depth and the true-colour flag.
    unsigned depth = 0;
    unsigned true_colour = 0;
    std::vector<std::uint32_t> pixels;
    std::uint32_t at(std::uint32_t x, std::uint32_t y) const {
        return pixels.at(std::size_t{y} * width + x);
    }
};

class RfbScreenViewer {
  public:
    /// Exactly `count` bytes within `timeout`, nullopt when they did not come (or the end).
    using Read = std::function<std::optional<std::string>(std::size_t count,
                                                          std::chrono::milliseconds timeout)>;
    using Write = std::function<bool(const std::string& bytes)>;

    RfbScreenViewer(Read read, Write write,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));

    /// Version 3.8 (or `version`), security type 2, the answer to the challenge under
    /// `password`, SecurityResult. REQUIREs that each step arrives.
    RfbLogin login(const std::string& password, const std::string& version = "RFB 003.008\n");
    /// ClientInit, SetPixelFormat, SetEncodings [raw], one full FramebufferUpdateRequest;
    /// reads until every pixel has come.
    RfbFrame read_screen();
    /// Asks for what changed since (an incremental request) and applies the next update to
    /// `frame`; false when none came within `wait` (nothing changed).
    bool read_changes(RfbFrame& frame, std::chrono::milliseconds wait);
    /// PointerEvent: the pointer at (x, y) with `buttons` held (bit 0 left, 1 middle, 2 right).
    void pointer(std::uint32_t x, std::uint32_t y, std::uint8_t buttons = 0);
    /// KeyEvent: `keysym` pressed, then released.
    void key(std::uint32_t keysym);

  private:
    std::string need(std::size_t count);
    void send(const std::string& bytes);
    void request(const RfbFrame& frame, bool incremental);
    /// The rest of one server message whose type byte was `type`; the pixels it covered.
    std::uint64_t apply(unsigned char type, RfbFrame& frame);

    Read read_;
    Write write_;
    std::chrono::milliseconds timeout_;
};

}  // namespace helpline::test
