#include "tests/support/rfb_screen_viewer.h"

#include <catch2/catch.hpp>

#include "shared/vnc_des.h"

namespace helpline::test {

namespace {

std::string be16(std::uint32_t v) {
    return {static_cast<char>((v >> 8) & 0xff), static_cast<char>(v & 0xff)};
}
std::string be32(std::uint32_t v) { return be16(v >> 16) + be16(v & 0xffff); }
std::uint32_t be16_at(const std::string& bytes, std::size_t at) {
    return (std::uint32_t{static_cast<unsigned char>(bytes[at])} << 8) |
           static_cast<unsigned char>(bytes[at + 1]);
}
std::uint32_t be32_at(const std::string& bytes, std::size_t at = 0) {
    return (be16_at(bytes, at) << 16) | be16_at(bytes, at + 2);
}

}  // namespace

RfbScreenViewer::RfbScreenViewer(Read read, Write write, std::chrono::milliseconds timeout)
    : read_(std::move(read)), write_(std::move(write)), timeout_(timeout) {}

std::string RfbScreenViewer::need(std::size_t count) {
    auto bytes = read_(count, timeout_);
    INFO("waiting for " << count << " bytes from the VNC server");
    REQUIRE(bytes.has_value());
    return *bytes;
}

void RfbScreenViewer::send(const std::string& bytes) { REQUIRE(write_(bytes)); }

RfbLogin RfbScreenViewer::login(const std::string& password, const std::string& version) {
    CHECK(need(12) == "RFB 003.008\n");
    send(version);
    const auto count = static_cast<unsigned char>(need(1)[0]);
    REQUIRE(count > 0);
    const std::string types = need(count);
    CHECK(types == std::string(1, '\x02'));  // VNC authentication, and never None
    send(std::string(1, '\x02'));
    const std::string challenge = need(16);
    auto answer = vnc_challenge_response(password, challenge);
    REQUIRE(answer.ok());
    send(*answer);
    RfbLogin login;
    login.ok = be32_at(need(4)) == 0;
    if (!login.ok && version == "RFB 003.008\n") login.reason = need(be32_at(need(4)));
    return login;
}

RfbFrame RfbScreenViewer::read_screen() {
    send(std::string(1, '\x01'));  // ClientInit: shared
    const std::string init = need(24);
    RfbFrame frame;
    frame.width = be16_at(init, 0);
    frame.height = be16_at(init, 2);
    frame.depth = static_cast<unsigned char>(init[5]);
    frame.true_colour = static_cast<unsigned char>(init[7]);
    frame.name = need(be32_at(init, 20));

    // SetPixelFormat: 32 bpp, depth 24, little-endian, true colour, 255 each, shifts 16/8/0.
    std::string format = std::string("\x00\x00\x00\x00", 4);
    format += std::string("\x20\x18\x00\x01", 4) + be16(255) + be16(255) + be16(255);
    format += std::string("\x10\x08\x00", 3) + std::string(3, '\0');
    send(format);
    send(std::string("\x02\x00", 2) + be16(1) + be32(0));  // SetEncodings: raw only
    request(frame, false);
    frame.pixels.assign(std::size_t{frame.width} * frame.height, 0xff000000u);  // not yet seen
    std::uint64_t area = 0;
    const std::uint64_t whole = std::uint64_t{frame.width} * frame.height;
    while (area < whole) area += apply(static_cast<unsigned char>(need(1)[0]), frame);
    return frame;
}

void RfbScreenViewer::request(const RfbFrame& frame, bool incremental) {
    send(std::string(1, '\x03') + std::string(1, incremental ? '\x01' : '\x00') + be16(0) +
         be16(0) + be16(frame.width) + be16(frame.height));
}

bool RfbScreenViewer::read_changes(RfbFrame& frame, std::chrono::milliseconds wait) {
    request(frame, true);
    while (true) {
        auto type = read_(1, wait);
        if (!type) return false;
        const auto t = static_cast<unsigned char>((*type)[0]);
        apply(t, frame);
        if (t == 0) return true;
    }
}

void RfbScreenViewer::pointer(std::uint32_t x, std::uint32_t y, std::uint8_t buttons) {
    send(std::string(1, '\x05') + std::string(1, static_cast<char>(buttons)) + be16(x) + be16(y));
}

void RfbScreenViewer::key(std::uint32_t keysym) {
    for (const char down : {'\x01', '\x00'})
        send(std::string(1, '\x04') + std::string(1, down) + std::string(2, '\0') + be32(keysym));
}

std::uint64_t RfbScreenViewer::apply(unsigned char type, RfbFrame& frame) {
    if (type == 2) return 0;  // Bell
    if (type == 3) {          // ServerCutText
        need(be32_at(need(7), 3));
        return 0;
    }
    REQUIRE(type == 0);  // FramebufferUpdate
    std::uint64_t area = 0;
    const auto rects = be16_at(need(3), 1);
    for (std::uint32_t i = 0; i < rects; ++i) {
        const std::string rect = need(12);
        const auto x = be16_at(rect, 0), y = be16_at(rect, 2);
        const auto w = be16_at(rect, 4), h = be16_at(rect, 6);
        REQUIRE(be32_at(rect, 8) == 0);  // raw, as asked
        REQUIRE(x + w <= frame.width);
        REQUIRE(y + h <= frame.height);
        const std::string data = need(std::size_t{w} * h * 4);
        for (std::uint32_t row = 0; row < h; ++row)
            for (std::uint32_t col = 0; col < w; ++col) {
                const std::size_t at = (std::size_t{row} * w + col) * 4;
                const std::uint32_t pixel =
                    static_cast<unsigned char>(data[at]) |
                    (std::uint32_t{static_cast<unsigned char>(data[at + 1])} << 8) |
                    (std::uint32_t{static_cast<unsigned char>(data[at + 2])} << 16);
                frame.pixels[std::size_t{y + row} * frame.width + x + col] = pixel;
            }
        area += std::uint64_t{w} * h;
    }
    return area;
}

}  // namespace helpline::test
