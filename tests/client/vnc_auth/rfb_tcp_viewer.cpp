#include "tests/client/vnc_auth/rfb_tcp_viewer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>

#include "client/vnc_auth/socket_io.h"
#include "shared/vnc_des.h"

namespace helpline::test {

using client::vnc_auth::be16;
using client::vnc_auth::be32;
using client::vnc_auth::Clock;
using client::vnc_auth::read_be32;

namespace {

std::uint32_t be16_at(const std::string& bytes, std::size_t at) {
    return (std::uint32_t{static_cast<unsigned char>(bytes[at])} << 8) |
           static_cast<unsigned char>(bytes[at + 1]);
}

}  // namespace

std::uint16_t free_loopback_port() {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), size) == 0);
    REQUIRE(::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &size) == 0);
    return ntohs(address.sin_port);
}

RfbTcpViewer::RfbTcpViewer(std::uint16_t port, std::chrono::milliseconds timeout)
    : timeout_(timeout) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
        return;
    client::vnc_auth::set_nonblocking(fd.get());
    fd_ = std::move(fd);
}

std::string RfbTcpViewer::need(std::size_t count) {
    auto bytes = client::vnc_auth::read_exact(fd_.get(), count, Clock::now() + timeout_);
    INFO("waiting for " << count << " bytes: " << (bytes ? "" : bytes.error().message));
    REQUIRE(bytes.ok());
    return *bytes;
}

RfbLogin RfbTcpViewer::login(const std::string& password, const std::string& version) {
    REQUIRE(connected());
    const auto deadline = Clock::now() + timeout_;
    CHECK(need(12) == "RFB 003.008\n");
    REQUIRE(client::vnc_auth::write_all(fd_.get(), version, deadline).ok());
    const auto count = static_cast<unsigned char>(need(1)[0]);
    REQUIRE(count > 0);
    const std::string types = need(count);
    CHECK(types == std::string(1, '\x02'));  // VNC authentication, and never None
    REQUIRE(client::vnc_auth::write_all(fd_.get(), std::string(1, '\x02'), deadline).ok());
    const std::string challenge = need(16);
    auto answer = vnc_challenge_response(password, challenge);
    REQUIRE(answer.ok());
    REQUIRE(client::vnc_auth::write_all(fd_.get(), *answer, deadline).ok());
    RfbLogin login;
    login.ok = read_be32(need(4)) == 0;
    if (!login.ok && version == "RFB 003.008\n") login.reason = need(read_be32(need(4)));
    return login;
}

RfbFrame RfbTcpViewer::read_screen() {
    const auto deadline = Clock::now() + timeout_;
    REQUIRE(
        client::vnc_auth::write_all(fd_.get(), std::string(1, '\x01'), deadline).ok());  // shared
    const std::string init = need(24);
    RfbFrame frame;
    frame.width = be16_at(init, 0);
    frame.height = be16_at(init, 2);
    frame.name = need(read_be32(init, 20));

    // SetPixelFormat: 32 bpp, depth 24, little-endian, true colour, 255 each, shifts 16/8/0.
    std::string format = std::string("\x00\x00\x00\x00", 4);
    format += std::string("\x20\x18\x00\x01", 4) + be16(255) + be16(255) + be16(255);
    format += std::string("\x10\x08\x00", 3) + std::string(3, '\0');
    REQUIRE(client::vnc_auth::write_all(fd_.get(), format, deadline).ok());
    REQUIRE(client::vnc_auth::write_all(fd_.get(), std::string("\x02\x00", 2) + be16(1) + be32(0),
                                        deadline)
                .ok());  // raw only
    request(frame, false);
    frame.pixels.assign(std::size_t{frame.width} * frame.height, 0xff000000u);  // not yet seen
    std::uint64_t area = 0;
    const std::uint64_t whole = std::uint64_t{frame.width} * frame.height;
    while (area < whole) area += apply(static_cast<unsigned char>(need(1)[0]), frame);
    return frame;
}

void RfbTcpViewer::request(const RfbFrame& frame, bool incremental) {
    REQUIRE(client::vnc_auth::write_all(
                fd_.get(),
                std::string(1, '\x03') + std::string(1, incremental ? '\x01' : '\x00') + be16(0) +
                    be16(0) + be16(frame.width) + be16(frame.height),
                Clock::now() + timeout_)
                .ok());
}

bool RfbTcpViewer::read_changes(RfbFrame& frame, std::chrono::milliseconds wait) {
    request(frame, true);
    while (true) {
        auto type = client::vnc_auth::read_exact(fd_.get(), 1, Clock::now() + wait);
        if (!type && type.error().code == client::vnc_auth::io_error::kTimeout) return false;
        INFO((type ? "" : type.error().message));
        REQUIRE(type.ok());
        const auto t = static_cast<unsigned char>((*type)[0]);
        apply(t, frame);
        if (t == 0) return true;
    }
}

std::uint64_t RfbTcpViewer::apply(unsigned char type, RfbFrame& frame) {
    if (type == 2) return 0;  // Bell
    if (type == 3) {          // ServerCutText
        need(read_be32(need(7), 3));
        return 0;
    }
    REQUIRE(type == 0);  // FramebufferUpdate
    std::uint64_t area = 0;
    const auto rects = be16_at(need(3), 1);
    for (std::uint32_t i = 0; i < rects; ++i) {
        const std::string rect = need(12);
        const auto x = be16_at(rect, 0), y = be16_at(rect, 2);
        const auto w = be16_at(rect, 4), h = be16_at(rect, 6);
        REQUIRE(read_be32(rect, 8) == 0);  // raw, as asked
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
