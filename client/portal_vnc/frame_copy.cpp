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

/// Copies the pixels [x0, x1) of one row.
void copy_pixels(const std::uint8_t* from, std::uint8_t* to, int x0, int x1) {
    const auto at = static_cast<std::ptrdiff_t>(x0) * kBytesPerPixel;
    std::memcpy(to + at, from + at, static_cast<std::size_t>(x1 - x0) * kBytesPerPixel);
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
    const int columns = last_col - first_col + 1;
    std::vector<int> tile_x0(columns), tile_x1(columns);
    for (int c = 0; c < columns; ++c) {
        tile_x0[c] = std::max((first_col + c) * kTileSize, area.x);
        tile_x1[c] = std::min((first_col + c + 1) * kTileSize, area.x + area.width);
    }
    std::vector<char> tile_changed(columns);
    // Row by row through a band of tiles rather than tile by tile: the frame is read in
    // address order (the producer's buffer is cold; the prefetcher follows whole rows), and
    // the tiles known to have changed are copied as one span per row.
    for (int row = first_row; row <= last_row; ++row) {
        const int y0 = std::max(row * kTileSize, area.y);
        const int y1 = std::min((row + 1) * kTileSize, area.y + area.height);
        std::fill(tile_changed.begin(), tile_changed.end(), 0);
        for (int y = y0; y < y1; ++y) {
            const std::uint8_t* from = frame.data + static_cast<std::ptrdiff_t>(y) * frame.stride;
            std::uint8_t* to =
                target + static_cast<std::ptrdiff_t>(y) * target_width * kBytesPerPixel;
            int span = -1;  // first pixel of the changed tiles not copied yet, -1: none
            for (int c = 0; c < columns; ++c) {
                const auto at = static_cast<std::ptrdiff_t>(tile_x0[c]) * kBytesPerPixel;
                const auto bytes =
                    static_cast<std::size_t>(tile_x1[c] - tile_x0[c]) * kBytesPerPixel;
                // Once a tile differs its other rows are copied without comparing.
                if (!tile_changed[c] && std::memcmp(from + at, to + at, bytes) != 0)
                    tile_changed[c] = 1;
                if (tile_changed[c] && span < 0) span = tile_x0[c];
                if (!tile_changed[c] && span >= 0) {
                    copy_pixels(from, to, span, tile_x0[c]);
                    span = -1;
                }
            }
            if (span >= 0) copy_pixels(from, to, span, tile_x1[columns - 1]);
        }
        // Neighbours on one row become one rectangle: fewer, larger updates.
        for (int c = 0; c < columns; ++c) {
            if (!tile_changed[c]) continue;
            const Rect inside{tile_x0[c], y0, tile_x1[c] - tile_x0[c], y1 - y0};
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
