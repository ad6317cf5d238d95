// RFB button masks to the portal's button and scroll calls.

#include <catch2/catch.hpp>

#include "client/portal_vnc/input_mapping.h"

namespace helpline::portal_vnc {

TEST_CASE("buttons become evdev presses and releases only when they change", "[portal_vnc]") {
    auto press = pointer_changes(0x00, 0x01);
    REQUIRE(press.buttons.size() == 1);
    CHECK(press.buttons[0] == ButtonChange{0x110, true});  // BTN_LEFT
    CHECK(pointer_changes(0x01, 0x01).buttons.empty());    // a drag: no new press
    auto release = pointer_changes(0x05, 0x00);            // left and right let go together
    REQUIRE(release.buttons.size() == 2);
    CHECK(release.buttons[0] == ButtonChange{0x110, false});
    CHECK(release.buttons[1] == ButtonChange{0x111, false});  // BTN_RIGHT
    CHECK(pointer_changes(0x00, 0x02).buttons.at(0) == ButtonChange{0x112, true});  // middle
}

TEST_CASE("each wheel notch (press of bits 3-6) is one discrete scroll step", "[portal_vnc]") {
    CHECK(pointer_changes(0x00, 0x08).scroll_vertical == -1);  // up
    CHECK(pointer_changes(0x00, 0x10).scroll_vertical == 1);   // down
    CHECK(pointer_changes(0x00, 0x20).scroll_horizontal == -1);
    CHECK(pointer_changes(0x00, 0x40).scroll_horizontal == 1);
    // The release of a notch scrolls nothing, and no wheel bit is a button.
    const auto release = pointer_changes(0x08, 0x00);
    CHECK(release.scroll_vertical == 0);
    CHECK(release.buttons.empty());
}

}  // namespace helpline::portal_vnc
