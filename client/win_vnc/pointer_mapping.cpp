#include "client/win_vnc/pointer_mapping.h"

#include <algorithm>

namespace helpline::win_vnc {

namespace {

struct Button {
    std::uint8_t bit;
    std::uint32_t down, up;
};
constexpr Button kButtons[] = {
    {0x01, mouse_flag::kLeftDown, mouse_flag::kLeftUp},
    {0x02, mouse_flag::kMiddleDown, mouse_flag::kMiddleUp},
    {0x04, mouse_flag::kRightDown, mouse_flag::kRightUp},
};

struct Wheel {
    std::uint8_t bit;
    std::uint32_t flag;
    std::int32_t amount;  ///< Windows: positive is away from the user (up), or right
};
constexpr Wheel kWheel[] = {
    {0x08, mouse_flag::kWheel, kWheelDelta},
    {0x10, mouse_flag::kWheel, -kWheelDelta},
    {0x20, mouse_flag::kHWheel, -kWheelDelta},
    {0x40, mouse_flag::kHWheel, kWheelDelta},
};

constexpr std::uint32_t kAbsolute = mouse_flag::kAbsolute | mouse_flag::kVirtualDesk;

}  // namespace

std::int32_t normalised(int pixel, int size) {
    if (size <= 0) return 0;
    const auto p = static_cast<std::int64_t>(std::clamp(pixel, 0, size - 1));
    const std::int64_t coordinate = (p * 65536 + size - 1) / size;
    return static_cast<std::int32_t>(std::min<std::int64_t>(coordinate, 65535));
}

std::vector<InputEvent> PointerMapper::pointer(int x, int y, std::uint8_t buttons, int width,
                                               int height) {
    std::vector<InputEvent> events;
    if (x != x_ || y != y_) {
        events.push_back(InputEvent::mouse(mouse_flag::kMove | kAbsolute, normalised(x, width),
                                           normalised(y, height)));
        x_ = x;
        y_ = y;
    }
    for (const Button& b : kButtons) {
        const bool was = (buttons_ & b.bit) != 0, is = (buttons & b.bit) != 0;
        if (was != is) events.push_back(InputEvent::mouse(is ? b.down : b.up));
    }
    for (const Wheel& w : kWheel)
        if ((buttons_ & w.bit) == 0 && (buttons & w.bit) != 0)
            events.push_back(InputEvent::mouse(w.flag, 0, 0, w.amount));
    buttons_ = buttons;
    return events;
}

std::vector<InputEvent> PointerMapper::release_all() {
    std::vector<InputEvent> events;
    for (const Button& b : kButtons)
        if ((buttons_ & b.bit) != 0) events.push_back(InputEvent::mouse(b.up));
    buttons_ = 0;
    return events;
}

}  // namespace helpline::win_vnc
