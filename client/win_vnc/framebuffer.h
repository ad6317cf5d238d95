#pragma once
// The picture the viewer is sent: the last captured frame, kept to compare the next one
// with. Damage detection is helpline-portal-vnc's (client/portal_vnc/frame_copy.h): the new
// frame is compared with this one in 64×64 tiles while it is copied in, so only the tiles
// that changed are marked for the viewer, and an unchanged frame (a still desktop, captured
// 30 times a second) sends nothing. GDI gives no damage of its own.

#include <cstdint>
#include <vector>

#include "client/portal_vnc/frame_copy.h"

namespace helpline::win_vnc {

using portal_vnc::FrameView;
using portal_vnc::Rect;

class Framebuffer {
  public:
    /// A black `width` × `height` picture.
    Framebuffer(int width, int height);

    int width() const { return width_; }
    int height() const { return height_; }
    /// 32 bits a pixel, rows of width × 4 bytes; stays where it is until the next resize().
    std::uint8_t* data() { return pixels_.data(); }

    /// Whether `frame` has another size than this picture (then resize() first).
    bool differs_in_size(const FrameView& frame) const {
        return frame.width != width_ || frame.height != height_;
    }
    /// Becomes a black picture of the new size. Returns the old pixels, which whoever still
    /// points at them (libvncserver, until told of the new buffer) must outlive.
    std::vector<std::uint8_t> resize(int width, int height);
    /// Copies in `frame` (of this size) and returns the rectangles that changed, tile-sized
    /// and merged along rows; none when the frame is the picture already.
    std::vector<Rect> update(const FrameView& frame);

  private:
    int width_;
    int height_;
    std::vector<std::uint8_t> pixels_;
};

}  // namespace helpline::win_vnc
