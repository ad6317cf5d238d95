#pragma once
// Copying a captured frame into the VNC framebuffer and finding what changed, in one pass.
// PipeWire may say which regions changed (damage metadata), but compositors differ in
// whether and how precisely they do; comparing tiles while copying costs one read of the
// frame that the copy needs anyway, and it keeps updates to what really changed (an
// unchanged frame, e.g. a blinking cursor's second half, sends nothing).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace helpline::portal_vnc {

struct Rect {
    int x = 0, y = 0, width = 0, height = 0;
    bool operator==(const Rect&) const = default;
};

/// A 32-bit-per-pixel image in memory: `stride` bytes from one row to the next.
struct FrameView {
    const std::uint8_t* data = nullptr;
    int width = 0;
    int height = 0;
    int stride = 0;
};

/// Tile edge in pixels: small enough that a typing cursor sends little, large enough that
/// the list of changed rectangles stays short (1280×800 has 400 tiles).
inline constexpr int kTileSize = 64;

/// Copies the part of `frame` inside `region` (clipped to both images) into `target`
/// (`target_width` × `target_height`, rows of `target_width` × 4 bytes), comparing tile by
/// tile while reading row by row, and returns the tiles whose pixels changed, merged along
/// rows. `region` is the whole frame when the producer gave no damage.
std::vector<Rect> copy_changed(const FrameView& frame, Rect region, std::uint8_t* target,
                               int target_width, int target_height);

}  // namespace helpline::portal_vnc
