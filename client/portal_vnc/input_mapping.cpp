#include "client/portal_vnc/input_mapping.h"

namespace helpline::portal_vnc {

namespace {

constexpr int kBtnLeft = 0x110, kBtnRight = 0x111, kBtnMiddle = 0x112;  // linux/input-event-codes.h

struct ButtonBit {
    std::uint8_t bit;
    int code;
};
constexpr ButtonBit kButtons[] = {{0x01, kBtnLeft}, {0x02, kBtnMiddle}, {0x04, kBtnRight}};

struct WheelBit {
    std::uint8_t bit;
    int vertical;
    int horizontal;
};
constexpr WheelBit kWheel[] = {{0x08, -1, 0}, {0x10, 1, 0}, {0x20, 0, -1}, {0x40, 0, 1}};

}  // namespace

PointerChanges pointer_changes(std::uint8_t before, std::uint8_t now) {
    PointerChanges changes;
    for (const auto& b : kButtons) {
        const bool was = (before & b.bit) != 0, is = (now & b.bit) != 0;
        if (was != is) changes.buttons.push_back({b.code, is});
    }
    for (const auto& w : kWheel) {
        if ((before & w.bit) == 0 && (now & w.bit) != 0) {
            changes.scroll_vertical += w.vertical;
            changes.scroll_horizontal += w.horizontal;
        }
    }
    return changes;
}

}  // namespace helpline::portal_vnc
