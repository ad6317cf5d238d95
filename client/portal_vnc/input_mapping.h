#pragma once
// What a VNC viewer's pointer message means to the desktop. RFB sends the whole button
// state with every pointer event (a bit mask); the portal wants changes: a Linux evdev
// button pressed or released, or scroll steps. The wheel arrives as a button pressed and
// released per notch (bits 3–6), which becomes one discrete scroll step on its press.

#include <cstdint>
#include <vector>

namespace helpline::portal_vnc {

struct ButtonChange {
    int evdev_code = 0;  ///< BTN_LEFT (0x110), BTN_RIGHT (0x111), BTN_MIDDLE (0x112)
    bool pressed = false;
    bool operator==(const ButtonChange&) const = default;
};

struct PointerChanges {
    std::vector<ButtonChange> buttons;
    int scroll_vertical = 0;    ///< discrete steps, positive = down (Wayland's sense)
    int scroll_horizontal = 0;  ///< discrete steps, positive = right
};

/// The changes from the button mask `before` to `now`.
PointerChanges pointer_changes(std::uint8_t before, std::uint8_t now);

}  // namespace helpline::portal_vnc
