#pragma once
// The viewer's pointer as Windows mouse input. RFB sends the pointer's position in
// framebuffer pixels with the whole button state (a bit mask) every time; SendInput wants
// changes: a move to normalised absolute coordinates, buttons pressed or released, wheel
// notches. The framebuffer is the whole virtual desktop (every monitor), so positions are
// normalised over it (MOUSEEVENTF_VIRTUALDESK), whichever monitor is the primary one.

#include <cstdint>
#include <vector>

#include "client/win_vnc/input_event.h"

namespace helpline::win_vnc {

/// The normalised absolute coordinate (0..65535) that Windows maps back to pixel `pixel` of a
/// desktop `size` pixels wide (or high): Windows takes pixel = coordinate × size / 65536,
/// so the smallest coordinate at or past the pixel's left edge hits it exactly.
std::int32_t normalised(int pixel, int size);

class PointerMapper {
  public:
    /// The input for the viewer's pointer at (`x`, `y`) with `buttons` held (bit 0 left,
    /// 1 middle, 2 right; 3 and 4 the wheel up and down, 5 and 6 left and right, one
    /// press per notch) on a desktop of `width` × `height` pixels: a move when the position
    /// changed, then each button that changed, then a wheel notch for each wheel bit newly set.
    std::vector<InputEvent> pointer(int x, int y, std::uint8_t buttons, int width, int height);
    /// Releases the buttons still held (the viewer left mid-drag).
    std::vector<InputEvent> release_all();

  private:
    int x_ = -1, y_ = -1;
    std::uint8_t buttons_ = 0;
};

}  // namespace helpline::win_vnc
