#pragma once
// The VNC viewer of bench/wayland_capture: plain TCP to 127.0.0.1, VNC authentication
// (shared/vnc_des.h), 32-bit pixels and the raw encoding only — what every VNC server
// speaks, so that both programs under test do the same work and the viewer's own cost
// stays a copy. It keeps the whole picture and notes when the rectangle holding one
// watched pixel (the benchmark's marker) arrived, for the latency measure.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace helpline::bench {

/// The 32-bit pixel format the viewer asks for.
enum class RfbPixels {
    /// Blue in the lowest byte (red shift 16), depth 24: what x11vnc on a 24-bit X server
    /// and helpline-portal-vnc on mutter (BGRx) hold, so neither converts a pixel.
    native,
    /// Red in the lowest byte (red shift 0), depth 24: what noVNC, the console's viewer,
    /// asks for; both servers then convert every pixel.
    novnc,
};

/// What one FramebufferUpdate brought.
struct RfbUpdate {
    std::uint32_t rectangles = 0;
    std::uint64_t pixels = 0;  ///< the area of its rectangles
    /// CLOCK_MONOTONIC ns when the rectangle covering the watched pixel had arrived whole;
    /// empty when no rectangle covered it.
    std::optional<std::int64_t> watched_at_ns;
    std::uint32_t watched_value = 0;  ///< the watched pixel then, 0xRRGGBB
};

class RfbBenchViewer {
  public:
    /// Connects to 127.0.0.1:`port`, answers VNC authentication with `password`, sends
    /// ClientInit (shared), SetPixelFormat and SetEncodings [raw]. Throws std::runtime_error
    /// saying which step failed. `timeout` bounds every step and every message once begun.
    RfbBenchViewer(std::uint16_t port, const std::string& password, RfbPixels format,
                   std::chrono::milliseconds timeout = std::chrono::seconds(10));
    ~RfbBenchViewer();
    RfbBenchViewer(const RfbBenchViewer&) = delete;
    RfbBenchViewer& operator=(const RfbBenchViewer&) = delete;

    int width() const { return width_; }
    int height() const { return height_; }
    const std::string& name() const { return name_; }

    /// The pixel whose arrival next_update() reports.
    void watch(int x, int y) {
        watch_x_ = x;
        watch_y_ = y;
    }
    /// FramebufferUpdateRequest for the whole screen.
    void request(bool incremental);
    /// Reads server messages until one FramebufferUpdate has arrived whole; empty when none
    /// began within `wait`. Throws when the server broke the connection or the protocol.
    std::optional<RfbUpdate> next_update(std::chrono::milliseconds wait);
    /// The picture so far, 0xRRGGBB whichever the format.
    std::uint32_t pixel(int x, int y) const {
        const std::uint32_t p =
            pixels_[static_cast<std::size_t>(y) * static_cast<std::size_t>(width_) +
                    static_cast<std::size_t>(x)];
        return red_first_ ? ((p & 0xff) << 16) | (p & 0xff00) | ((p >> 16) & 0xff) : p & 0xffffff;
    }

  private:
    using Clock = std::chrono::steady_clock;
    /// Whether at least one byte is buffered by `deadline`; throws on EOF or an error.
    bool fill(Clock::time_point deadline);
    void read_exact(void* into, std::size_t count, Clock::time_point deadline);
    std::string read_string(std::size_t count, Clock::time_point deadline);
    void write_all(const std::string& bytes);

    std::chrono::milliseconds timeout_;
    int fd_ = -1;
    int width_ = 0;
    int height_ = 0;
    std::string name_;
    bool red_first_ = false;
    int watch_x_ = -1;
    int watch_y_ = -1;
    std::vector<std::uint32_t> pixels_;
    std::vector<unsigned char> buffer_;
    std::size_t begin_ = 0;  ///< buffered bytes are [begin_, end_)
    std::size_t end_ = 0;
};

}  // namespace helpline::bench
