#include "client/portal_vnc/frame_copy.h"

#include <algorithm>
#include <cstring>

namespace helpline::portal_vnc {

namespace {

constexpr int kBytesPerPixel = 4;

Rect intersect(Rect a, Rect b) {
    const int x0 = std::max(a.x, b.x), y0 = std::max(a.y, b.y);
    const int x1 = std::min(a.x + a.width, b.x + b.width);
    const int y1 = std::min(a.y + a.height, b.y + b.height);
    return Rect{x0, y0, std::max(0, x1 - x0), std::max(0, y1 - y0)};
}

/// Copies one tile's rows; true when any byte differed.
bool copy_tile(const FrameView& frame, Rect tile, std::uint8_t* target, int target_width) {
    bool changed = false;
    const std::size_t row_bytes = static_cast<std::size_t>(tile.width) * kBytesPerPixel;
    for (int y = tile.y; y < tile.y + tile.height; ++y) {
        const std::uint8_t* from = frame.data + static_cast<std::ptrdiff_t>(y) * frame.stride +
                                   static_cast<std::ptrdiff_t>(tile.x) * kBytesPerPixel;
        std::uint8_t* to = target +
                           (static_cast<std::ptrdiff_t>(y) * target_width + tile.x) * kBytesPerPixel;
        // Once a row differs the rest is copied without comparing: the tile is sent anyway.
        if (changed || std::memcmp(from, to, row_bytes) != 0) {
            std::memcpy(to, from, row_bytes);
            changed = true;
        }
    }
    return changed;
}

}  // namespace

std::vector<Rect> copy_changed(const FrameView& frame, Rect region, std::uint8_t* target,
                               int target_width, int target_height) {
    std::vector<Rect> changed;
    if (frame.data == nullptr || target == nullptr) return changed;
    const Rect area =
        intersect(intersect(region, Rect{0, 0, frame.width, frame.height}),
                  Rect{0, 0, target_width, target_height});
    if (area.width == 0 || area.height == 0) return changed;

    // Tiles sit on a fixed grid, so a region's tiles line up with the previous frame's.
    const int first_col = area.x / kTileSize, last_col = (area.x + area.width - 1) / kTileSize;
    const int first_row = area.y / kTileSize, last_row = (area.y + area.height - 1) / kTileSize;
    for (int row = first_row; row <= last_row; ++row) {
        for (int col = first_col; col <= last_col; ++col) {
            const Rect inside = intersect(
                Rect{col * kTileSize, row * kTileSize, kTileSize, kTileSize}, area);
            if (inside.width == 0 || inside.height == 0) continue;
            if (!copy_tile(frame, inside, target, target_width)) continue;
            // Neighbours on one row become one rectangle: fewer, larger updates.
            if (!changed.empty() && changed.back().y == inside.y &&
                changed.back().height == inside.height &&
                changed.back().x + changed.back().width == inside.x)
                changed.back().width += inside.width;
            else
                changed.push_back(inside);
        }
    }
    return changed;
}

}  // namespace helpline::portal_vnc
