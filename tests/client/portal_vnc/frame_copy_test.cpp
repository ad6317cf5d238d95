// Copying captured frames into the VNC framebuffer: only changed tiles are reported, damage
// limits the work, strides and sizes that differ are handled without reading out of bounds.

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "client/portal_vnc/frame_copy.h"

namespace helpline::portal_vnc {
namespace {

struct Image {
    int width, height, stride;
    std::vector<std::uint8_t> bytes;
    Image(int w, int h, int s, std::uint8_t fill = 0)
        : width(w), height(h), stride(s), bytes(static_cast<std::size_t>(s) * h, fill) {}
    FrameView view() const { return FrameView{bytes.data(), width, height, stride}; }
    void set(int x, int y, std::uint32_t pixel) {
        auto* p = &bytes[static_cast<std::size_t>(y) * stride + static_cast<std::size_t>(x) * 4];
        for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(pixel >> (8 * i));
    }
};

std::uint32_t pixel_at(const std::vector<std::uint8_t>& target, int width, int x, int y) {
    const auto* p = &target[(static_cast<std::size_t>(y) * width + x) * 4];
    return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

}  // namespace

TEST_CASE("the first frame is copied whole and reported as changed row by row of tiles",
          "[portal_vnc]") {
    Image frame(200, 100, 200 * 4 + 32, 0x7f);  // rows padded: the stride is not width × 4
    std::vector<std::uint8_t> target(200 * 100 * 4, 0);
    const auto changed = copy_changed(frame.view(), {0, 0, 200, 100}, target.data(), 200, 100);
    // 200×100 in 64-pixel tiles: two rows of tiles, each merged into one rectangle.
    REQUIRE(changed.size() == 2);
    CHECK(changed[0] == Rect{0, 0, 200, 64});
    CHECK(changed[1] == Rect{0, 64, 200, 36});
    CHECK(pixel_at(target, 200, 199, 99) == 0x7f7f7f7fu);
}

TEST_CASE("an unchanged frame reports nothing, a one-pixel change reports its tile",
          "[portal_vnc]") {
    Image frame(256, 128, 256 * 4, 0x10);
    std::vector<std::uint8_t> target(256 * 128 * 4, 0);
    (void)copy_changed(frame.view(), {0, 0, 256, 128}, target.data(), 256, 128);
    CHECK(copy_changed(frame.view(), {0, 0, 256, 128}, target.data(), 256, 128).empty());

    frame.set(130, 70, 0xff0000ffu);
    const auto changed = copy_changed(frame.view(), {0, 0, 256, 128}, target.data(), 256, 128);
    REQUIRE(changed.size() == 1);
    CHECK(changed[0] == Rect{128, 64, 64, 64});
    CHECK(pixel_at(target, 256, 130, 70) == 0xff0000ffu);
}

TEST_CASE("damage limits what is looked at, and a change outside it waits for its own damage",
          "[portal_vnc]") {
    Image frame(256, 128, 256 * 4, 0);
    std::vector<std::uint8_t> target(256 * 128 * 4, 0);
    frame.set(10, 10, 0x11223344u);
    frame.set(200, 100, 0x55667788u);
    const auto changed = copy_changed(frame.view(), {0, 0, 20, 20}, target.data(), 256, 128);
    REQUIRE(changed.size() == 1);
    CHECK(changed[0] == Rect{0, 0, 20, 20});  // clipped to the damage, inside its tile
    CHECK(pixel_at(target, 256, 10, 10) == 0x11223344u);
    CHECK(pixel_at(target, 256, 200, 100) == 0u);
}

TEST_CASE("regions and frames larger than the framebuffer are clipped, never overrun",
          "[portal_vnc]") {
    Image frame(300, 200, 300 * 4, 0x20);
    std::vector<std::uint8_t> target(100 * 50 * 4, 0);
    const auto changed =
        copy_changed(frame.view(), {-50, -50, 1000, 1000}, target.data(), 100, 50);
    REQUIRE(changed.size() == 1);
    CHECK(changed[0] == Rect{0, 0, 100, 50});
    CHECK(copy_changed(frame.view(), {500, 500, 10, 10}, target.data(), 100, 50).empty());
    CHECK(copy_changed(FrameView{}, {0, 0, 10, 10}, target.data(), 100, 50).empty());
}

}  // namespace helpline::portal_vnc
