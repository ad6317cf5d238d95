#pragma once
// An RFB viewer written for the tests: through the relay's WebSocket view it speaks RFB 3.8
// as the operator's noVNC does (VNC authentication with the session's one-time password,
// ClientInit, raw encoding) and asks for the whole screen once.

#include <cstdint>
#include <string>

#include "tests/server/relay/view_client.h"

namespace helpline::test {

/// What the customer's backend showed.
struct RfbScreen {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    unsigned bits_per_pixel = 0;
    std::uint64_t area = 0;  ///< pixels received in raw rectangles: width × height when whole
    std::uint64_t pixel_bytes() const { return area * bits_per_pixel / 8; }
};

/// Runs the handshake and one full framebuffer update on `view`; fails the test (REQUIRE)
/// when the server offers no password authentication, refuses `password`, or stops early.
RfbScreen view_screen(ViewClient& view, const std::string& password);

/// The VNC authentication response (RFC 6143 §7.2.2) to the 16-byte `challenge`.
std::string vnc_response(const std::string& password, const std::string& challenge);

}  // namespace helpline::test
