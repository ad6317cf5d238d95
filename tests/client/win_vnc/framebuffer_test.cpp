// The picture helpline-win-vnc sends: a captured frame is compared with the last one in tiles
// and only what changed is marked for the viewer; a new desktop size starts a new picture.

#include <catch2/catch.hpp>

#include <cstdint>
#include <ostream>
#include <vector>

#include "client/win_vnc/framebuffer.h"

namespace helpline::portal_vnc {
std::ostream& operator<<(std::ostream& out, const Rect& r) {
    return out << r.width << "x" << r.height << " at " << r.x << "," << r.y;
}
}  // namespace helpline::portal_vnc

namespace helpline::win_vnc {
namespace {

/// A 32-bit GDI-style picture (blue, green, red, unused), rows of width × 4 bytes.
struct Picture {
    int width, height;
    std::vector<std::uint8_t> bytes;
    Picture(int w, int h, std::uint32_t colour) : width(w), height(h), bytes(std::size_t(w) * h * 4) {
        fill(0, 0, w, h, colour);
    }
    void fill(int x0, int y0, int w, int h, std::uint32_t colour) {
        for (int y = y0; y < y0 + h; ++y)
            for (int x = x0; x < x0 + w; ++x)
                for (int i = 0; i < 4; ++i)
                    bytes[(std::size_t(y) * width + x) * 4 + i] =
                        static_cast<std::uint8_t>(colour >> (8 * i));
    }
    FrameView view() const { return {bytes.data(), width, height, width * 4}; }
};

std::uint32_t pixel(Framebuffer& fb, int x, int y) {
    const std::uint8_t* p = fb.data() + (std::size_t(y) * fb.width() + x) * 4;
    return p[0] | (p[1] << 8) | (p[2] << 16);
}

}  // namespace

TEST_CASE("the first frame marks the whole picture changed, the same frame again nothing",
          "[win_vnc]") {
    Framebuffer fb(100, 70);
    Picture desktop(100, 70, 0x336699);
    const auto first = fb.update(desktop.view());
    // 64-pixel tiles: two rows of tiles, each one rectangle across.
    CHECK(first == std::vector<Rect>{{0, 0, 100, 64}, {0, 64, 100, 6}});
    CHECK(pixel(fb, 99, 69) == 0x336699);
    CHECK(fb.update(desktop.view()).empty());
}

TEST_CASE("a change marks only the tiles it touches", "[win_vnc]") {
    Framebuffer fb(320, 200);
    Picture desktop(320, 200, 0xffffff);
    (void)fb.update(desktop.view());

    desktop.fill(70, 10, 5, 5, 0xff0000);  // inside the tile at (64, 0)
    CHECK(fb.update(desktop.view()) == std::vector<Rect>{{64, 0, 64, 64}});
    CHECK(pixel(fb, 72, 12) == 0xff0000);

    // Across a tile edge, and a second change on another row of tiles.
    desktop.fill(120, 60, 20, 10, 0x00ff00);
    desktop.fill(300, 190, 3, 3, 0x0000ff);  // across the last, 8 pixels high, row of tiles
    CHECK(fb.update(desktop.view()) ==
          std::vector<Rect>{
              {64, 0, 128, 64}, {64, 64, 128, 64}, {256, 128, 64, 64}, {256, 192, 64, 8}});
}

TEST_CASE("a new desktop size gives a black picture of that size, and the old pixels are handed "
          "back to outlive the switch",
          "[win_vnc]") {
    Framebuffer fb(64, 64);
    Picture small(64, 64, 0x123456);
    (void)fb.update(small.view());
    Picture large(200, 100, 0x654321);
    REQUIRE(fb.differs_in_size(large.view()));
    const auto old = fb.resize(200, 100);
    CHECK(old.size() == 64u * 64 * 4);
    CHECK(fb.width() == 200);
    CHECK(fb.height() == 100);
    CHECK(pixel(fb, 199, 99) == 0);
    CHECK_FALSE(fb.update(large.view()).empty());
    CHECK(pixel(fb, 199, 99) == 0x654321);
}

}  // namespace helpline::win_vnc
