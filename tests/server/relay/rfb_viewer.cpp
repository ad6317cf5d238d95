// RFB 3.8 over the relay's WebSocket view, for the tests (rfb_viewer.h).
#include "tests/server/relay/rfb_viewer.h"

#include <catch2/catch.hpp>
#include <chrono>

#include "shared/vnc_des.h"

namespace helpline::test {
namespace {

using namespace std::chrono_literals;

std::uint32_t be(const std::string& bytes, std::size_t at, std::size_t size) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < size; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
    return v;
}

std::string be16(unsigned v) {
    return {static_cast<char>(v >> 8), static_cast<char>(v & 0xff)};
}

/// Takes `count` bytes from the viewer, or fails the test.
std::string need(ViewClient& view, std::size_t count) {
    auto bytes = view.take(count, 20s);
    INFO("waited for " << count << " bytes; the viewer ended with " << view.close_reason());
    REQUIRE(bytes.has_value());
    return *bytes;
}

}  // namespace

/// The VNC authentication response (RFC 6143 §7.2.2), as shared/vnc_des.h computes it for
/// helpline-vnc-auth too.
std::string vnc_response(const std::string& password, const std::string& challenge) {
    auto answer = vnc_challenge_response(password, challenge);
    INFO((answer ? "" : answer.error().message));
    REQUIRE(answer.ok());
    return *answer;
}

RfbScreen view_screen(ViewClient& view, const std::string& password) {
    // Version, security (VNC authentication, never none), init.
    const std::string version = need(view, 12);
    CHECK(version.substr(0, 4) == "RFB ");
    REQUIRE(view.send("RFB 003.008\n"));
    const auto types_count = static_cast<unsigned char>(need(view, 1)[0]);
    REQUIRE(types_count > 0);
    const std::string types = need(view, types_count);
    REQUIRE(types.find('\x02') != std::string::npos);
    CHECK(types.find('\x01') == std::string::npos);  // never without a password
    REQUIRE(view.send(std::string(1, '\x02')));
    const std::string challenge = need(view, 16);
    REQUIRE(view.send(vnc_response(password, challenge)));
    REQUIRE(be(need(view, 4), 0, 4) == 0);       // SecurityResult: OK
    REQUIRE(view.send(std::string(1, '\x01')));  // ClientInit: shared
    const std::string init = need(view, 24);
    RfbScreen screen;
    screen.width = be(init, 0, 2);
    screen.height = be(init, 2, 2);
    screen.bits_per_pixel = static_cast<unsigned char>(init[4]);
    need(view, be(init, 20, 4));  // the desktop's name

    // SetEncodings (raw only), then a full FramebufferUpdateRequest.
    REQUIRE(view.send(std::string("\x02\x00", 2) + be16(1) + std::string(4, '\0')));
    REQUIRE(view.send(std::string("\x03\x00", 2) + be16(0) + be16(0) + be16(screen.width) +
                      be16(screen.height)));
    // The whole screen comes back, in raw rectangles (in one update or a few).
    const std::uint64_t whole = std::uint64_t{screen.width} * screen.height;
    while (screen.area < whole) {
        const auto type = static_cast<unsigned char>(need(view, 1)[0]);
        if (type == 2) continue;  // Bell
        if (type == 3) {          // ServerCutText
            need(view, be(need(view, 7), 3, 4));
            continue;
        }
        REQUIRE(type == 0);  // FramebufferUpdate
        const auto rects = be(need(view, 3), 1, 2);
        for (std::uint32_t i = 0; i < rects; ++i) {
            const std::string rect = need(view, 12);
            const auto w = be(rect, 4, 2), h = be(rect, 6, 2);
            REQUIRE(be(rect, 8, 4) == 0);  // raw, as asked
            need(view, std::size_t{w} * h * screen.bits_per_pixel / 8);
            screen.area += std::uint64_t{w} * h;
        }
    }
    return screen;
}

}  // namespace helpline::test
