// The viewer's pointer as SendInput mouse input: absolute moves normalised over the whole
// virtual desktop, buttons as changes, the wheel as notches.

#include <catch2/catch.hpp>

#include "client/win_vnc/pointer_mapping.h"
#include "tests/client/win_vnc/input_event_text.h"

namespace helpline::win_vnc {
namespace {

constexpr std::uint32_t kMoveTo =
    mouse_flag::kMove | mouse_flag::kAbsolute | mouse_flag::kVirtualDesk;

/// Where Windows puts the pointer for a normalised coordinate (pixel = coordinate × size
/// / 65536, as Windows maps MOUSEEVENTF_ABSOLUTE).
int pixel_of(std::int32_t coordinate, int size) {
    return static_cast<int>((std::int64_t{coordinate} * size) >> 16);
}

}  // namespace

TEST_CASE("every pixel of a desktop maps to a coordinate that lands on that pixel",
          "[win_vnc]") {
    for (int size : {1, 2, 640, 800, 1080, 1920, 3840, 5760, 7680}) {
        for (int p = 0; p < size; ++p) {
            const std::int32_t c = normalised(p, size);
            INFO("size " << size << ", pixel " << p << ", coordinate " << c);
            REQUIRE(c >= 0);
            REQUIRE(c <= 65535);
            REQUIRE(pixel_of(c, size) == p);
        }
    }
    CHECK(normalised(0, 1920) == 0);
    CHECK(normalised(1919, 1920) == 65502);
    // Outside the desktop (a viewer with a stale size): the nearest edge.
    CHECK(normalised(-5, 1920) == 0);
    CHECK(normalised(5000, 1920) == normalised(1919, 1920));
}

TEST_CASE("a move is sent only when the position changes, then the buttons that changed",
          "[win_vnc]") {
    PointerMapper mapper;
    CHECK(mapper.pointer(960, 540, 0, 1920, 1080) ==
          std::vector<InputEvent>{InputEvent::mouse(kMoveTo, 32768, 32768)});
    CHECK(mapper.pointer(960, 540, 0, 1920, 1080).empty());
    CHECK(mapper.pointer(960, 540, 0x01, 1920, 1080) ==
          std::vector<InputEvent>{InputEvent::mouse(mouse_flag::kLeftDown)});
    // Dragging: the move first, then the right button too.
    CHECK(mapper.pointer(0, 0, 0x05, 1920, 1080) ==
          std::vector<InputEvent>{InputEvent::mouse(kMoveTo, 0, 0),
                                  InputEvent::mouse(mouse_flag::kRightDown)});
    CHECK(mapper.pointer(0, 0, 0x02, 1920, 1080) ==
          std::vector<InputEvent>{InputEvent::mouse(mouse_flag::kLeftUp),
                                  InputEvent::mouse(mouse_flag::kMiddleDown),
                                  InputEvent::mouse(mouse_flag::kRightUp)});
}

TEST_CASE("wheel buttons 4 to 7 become one notch each on their press", "[win_vnc]") {
    PointerMapper mapper;
    (void)mapper.pointer(10, 10, 0, 100, 100);
    CHECK(mapper.pointer(10, 10, 0x08, 100, 100) ==
          std::vector<InputEvent>{InputEvent::mouse(mouse_flag::kWheel, 0, 0, 120)});
    CHECK(mapper.pointer(10, 10, 0x00, 100, 100).empty());  // the release is no notch
    CHECK(mapper.pointer(10, 10, 0x10, 100, 100) ==
          std::vector<InputEvent>{InputEvent::mouse(mouse_flag::kWheel, 0, 0, -120)});
    CHECK(mapper.pointer(10, 10, 0x20, 100, 100) ==
          std::vector<InputEvent>{InputEvent::mouse(mouse_flag::kHWheel, 0, 0, -120)});
    CHECK(mapper.pointer(10, 10, 0x40, 100, 100) ==
          std::vector<InputEvent>{InputEvent::mouse(mouse_flag::kHWheel, 0, 0, 120)});
}

TEST_CASE("buttons still held when the viewer leaves are released", "[win_vnc]") {
    PointerMapper mapper;
    (void)mapper.pointer(1, 1, 0x05, 100, 100);
    CHECK(mapper.release_all() == std::vector<InputEvent>{InputEvent::mouse(mouse_flag::kLeftUp),
                                                          InputEvent::mouse(mouse_flag::kRightUp)});
    CHECK(mapper.release_all().empty());
}

}  // namespace helpline::win_vnc
