#include "bench/rfb_bench_viewer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "shared/vnc_des.h"

namespace helpline::bench {

namespace {

constexpr std::size_t kBufferSize = 1 << 20;
constexpr std::uint32_t kSecurityVncAuth = 2;
constexpr std::uint32_t kEncodingRaw = 0;

std::string be16(std::uint32_t v) {
    return {static_cast<char>((v >> 8) & 0xff), static_cast<char>(v & 0xff)};
}
std::string be32(std::uint32_t v) {
    return be16(v >> 16) + be16(v & 0xffff);
}
std::uint32_t be16_at(const std::string& s, std::size_t at) {
    return (std::uint32_t{static_cast<unsigned char>(s[at])} << 8) |
           static_cast<unsigned char>(s[at + 1]);
}
std::uint32_t be32_at(const std::string& s, std::size_t at) {
    return (be16_at(s, at) << 16) | be16_at(s, at + 2);
}

std::int64_t monotonic_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

RfbBenchViewer::RfbBenchViewer(std::uint16_t port, const std::string& password, RfbPixels format,
                               std::chrono::milliseconds timeout)
    : timeout_(timeout), red_first_(format == RfbPixels::novnc), buffer_(kBufferSize) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port) + ": " +
                                 why);
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    const auto deadline = Clock::now() + timeout_;
    const std::string version = read_string(12, deadline);
    if (version.rfind("RFB 003.", 0) != 0)
        throw std::runtime_error("not an RFB server: it greeted with '" + version + "'");
    write_all("RFB 003.008\n");
    const auto count = static_cast<unsigned char>(read_string(1, deadline)[0]);
    if (count == 0) throw std::runtime_error("the server offered no security type");
    const std::string types = read_string(count, deadline);
    if (types.find(static_cast<char>(kSecurityVncAuth)) == std::string::npos)
        throw std::runtime_error("the server does not offer VNC authentication");
    write_all(std::string(1, static_cast<char>(kSecurityVncAuth)));
    auto answer = vnc_challenge_response(password, read_string(16, deadline));
    if (!answer) throw std::runtime_error(answer.error().message);
    write_all(*answer);
    if (be32_at(read_string(4, deadline), 0) != 0)
        throw std::runtime_error("the server refused the password");

    write_all(std::string(1, '\x01'));  // ClientInit: shared
    const std::string init = read_string(24, deadline);
    width_ = static_cast<int>(be16_at(init, 0));
    height_ = static_cast<int>(be16_at(init, 2));
    name_ = read_string(be32_at(init, 20), deadline);
    pixels_.assign(static_cast<std::size_t>(width_) * static_cast<std::size_t>(height_), 0);
    // SetPixelFormat: 32 bpp, depth 24, little-endian, true colour, 255 each, red and blue
    // shifts 16 and 0 (native) or 0 and 16 (noVNC's).
    const std::string shifts =
        red_first_ ? std::string("\x00\x08\x10", 3) : std::string("\x10\x08\x00", 3);
    write_all(std::string(4, '\0') + std::string("\x20\x18\x00\x01", 4) + be16(255) + be16(255) +
              be16(255) + shifts + std::string(3, '\0'));
    write_all(std::string("\x02\x00", 2) + be16(1) + be32(kEncodingRaw));
}

RfbBenchViewer::~RfbBenchViewer() {
    if (fd_ >= 0) ::close(fd_);
}

void RfbBenchViewer::request(bool incremental) {
    write_all(std::string(1, '\x03') + std::string(1, incremental ? '\x01' : '\x00') + be16(0) +
              be16(0) + be16(static_cast<std::uint32_t>(width_)) +
              be16(static_cast<std::uint32_t>(height_)));
}

std::optional<RfbUpdate> RfbBenchViewer::next_update(std::chrono::milliseconds wait) {
    auto start_deadline = Clock::now() + wait;
    while (true) {
        if (!fill(start_deadline)) return std::nullopt;
        const auto deadline = Clock::now() + timeout_;
        const auto type = static_cast<unsigned char>(read_string(1, deadline)[0]);
        if (type == 2) continue;  // Bell
        if (type == 3) {          // ServerCutText
            read_string(be32_at(read_string(7, deadline), 3), deadline);
            continue;
        }
        if (type == 1) {  // SetColourMapEntries: not for a true-colour format, but skip it
            const std::string head = read_string(5, deadline);
            read_string(std::size_t{be16_at(head, 3)} * 6, deadline);
            continue;
        }
        if (type != 0)
            throw std::runtime_error("the server sent message type " + std::to_string(type) +
                                     ", which this viewer never asked for");
        RfbUpdate update;
        update.rectangles = be16_at(read_string(3, deadline), 1);
        for (std::uint32_t i = 0; i < update.rectangles; ++i) {
            const std::string rect = read_string(12, deadline);
            const int x = static_cast<int>(be16_at(rect, 0)),
                      y = static_cast<int>(be16_at(rect, 2));
            const int w = static_cast<int>(be16_at(rect, 4)),
                      h = static_cast<int>(be16_at(rect, 6));
            const std::uint32_t encoding = be32_at(rect, 8);
            if (encoding != kEncodingRaw)
                throw std::runtime_error("the server used encoding " + std::to_string(encoding) +
                                         " although only raw was offered");
            if (x + w > width_ || y + h > height_)
                throw std::runtime_error("a rectangle outside the screen");
            for (int row = 0; row < h; ++row)
                read_exact(&pixels_[static_cast<std::size_t>(y + row) * width_ + x],
                           static_cast<std::size_t>(w) * 4, deadline);
            update.pixels += static_cast<std::uint64_t>(w) * static_cast<std::uint64_t>(h);
            if (watch_x_ >= x && watch_x_ < x + w && watch_y_ >= y && watch_y_ < y + h) {
                update.watched_at_ns = monotonic_ns();
                update.watched_value = pixel(watch_x_, watch_y_);
            }
        }
        return update;
    }
}

bool RfbBenchViewer::fill(Clock::time_point deadline) {
    if (begin_ < end_) return true;
    begin_ = end_ = 0;
    while (true) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        pollfd p{fd_, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(std::max<long long>(0, left)));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return false;
        const ssize_t n = ::recv(fd_, buffer_.data(), buffer_.size(), 0);
        if (n > 0) {
            end_ = static_cast<std::size_t>(n);
            return true;
        }
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        throw std::runtime_error(n == 0 ? "the server closed the connection"
                                        : std::string("recv: ") + std::strerror(errno));
    }
}

void RfbBenchViewer::read_exact(void* into, std::size_t count, Clock::time_point deadline) {
    auto* out = static_cast<unsigned char*>(into);
    while (count > 0) {
        if (!fill(deadline))
            throw std::runtime_error("a message stopped half-way for " +
                                     std::to_string(timeout_.count()) + " ms");
        const std::size_t take = std::min(count, end_ - begin_);
        std::memcpy(out, buffer_.data() + begin_, take);
        begin_ += take;
        out += take;
        count -= take;
    }
}

std::string RfbBenchViewer::read_string(std::size_t count, Clock::time_point deadline) {
    std::string bytes(count, '\0');
    read_exact(bytes.data(), count, deadline);
    return bytes;
}

void RfbBenchViewer::write_all(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error(std::string("send: ") + std::strerror(errno));
        sent += static_cast<std::size_t>(n);
    }
}

}  // namespace helpline::bench
