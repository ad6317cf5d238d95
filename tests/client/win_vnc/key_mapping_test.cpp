// The viewer's keysyms as SendInput keyboard input: keys as virtual keys, characters as
// Unicode input (any layout), letters and digits as virtual keys while Ctrl, Alt or Win is
// held (shortcuts), AltGr and the like lifted around characters, releases matching presses.

#include <catch2/catch.hpp>

#include "client/win_vnc/key_mapping.h"
#include "tests/client/win_vnc/input_event_text.h"

namespace helpline::win_vnc {
namespace {

using Events = std::vector<InputEvent>;

InputEvent down(std::uint16_t vk, bool extended = false) {
    return InputEvent::key(vk, extended ? key_flag::kExtended : 0);
}
InputEvent up(std::uint16_t vk, bool extended = false) {
    return InputEvent::key(vk, key_flag::kUp | (extended ? key_flag::kExtended : 0));
}
InputEvent char_down(std::uint16_t unit) { return InputEvent::unicode(unit, false); }
InputEvent char_up(std::uint16_t unit) { return InputEvent::unicode(unit, true); }

constexpr std::uint32_t kControlL = 0xffe3, kAltL = 0xffe9, kShiftL = 0xffe1, kAltGr = 0xfe03;
constexpr std::uint32_t kSuperL = 0xffeb;

}  // namespace

TEST_CASE("keys that are not characters become their virtual keys, extended where Windows "
          "says so",
          "[win_vnc]") {
    struct Case {
        std::uint32_t keysym;
        std::uint16_t vk;
        bool extended;
    };
    const Case cases[] = {
        {0xff08, 0x08, false},  // BackSpace
        {0xff09, 0x09, false},  // Tab
        {0xff0d, 0x0d, false},  // Return
        {0xff1b, 0x1b, false},  // Escape
        {0xffff, 0x2e, true},   // Delete
        {0xff63, 0x2d, true},   // Insert
        {0xff50, 0x24, true},   // Home
        {0xff57, 0x23, true},   // End
        {0xff55, 0x21, true},   // Prior
        {0xff56, 0x22, true},   // Next
        {0xff51, 0x25, true},   // Left
        {0xff52, 0x26, true},   // Up
        {0xff53, 0x27, true},   // Right
        {0xff54, 0x28, true},   // Down
        {0xffbe, 0x70, false},  // F1
        {0xffc9, 0x7b, false},  // F12
        {0xffd5, 0x87, false},  // F24
        {0xffe1, 0xa0, false},  // Shift_L
        {0xffe2, 0xa1, false},  // Shift_R
        {0xffe3, 0xa2, false},  // Control_L
        {0xffe4, 0xa3, true},   // Control_R
        {0xffe9, 0xa4, false},  // Alt_L
        {0xffea, 0xa5, true},   // Alt_R
        {0xfe03, 0xa5, true},   // ISO_Level3_Shift (AltGr)
        {0xffeb, 0x5b, true},   // Super_L: the Windows key
        {0xffec, 0x5c, true},   // Super_R
        {0xff67, 0x5d, true},   // Menu
        {0xff61, 0x2c, true},   // Print
        {0xff13, 0x13, false},  // Pause
        {0xffe5, 0x14, false},  // Caps_Lock
        {0xff7f, 0x90, true},   // Num_Lock
        {0xff14, 0x91, false},  // Scroll_Lock
        {0xffb0, 0x60, false},  // KP_0
        {0xffb9, 0x69, false},  // KP_9
        {0xff8d, 0x0d, true},   // KP_Enter
        {0xffaf, 0x6f, true},   // KP_Divide
        {0xffaa, 0x6a, false},  // KP_Multiply
        {0xffab, 0x6b, false},  // KP_Add
        {0xffad, 0x6d, false},  // KP_Subtract
        {0xffae, 0x6e, false},  // KP_Decimal
        {0xff95, 0x24, false},  // KP_Home: the keypad's, not extended
        {0x0020, 0x20, false},  // space: a key, so that Alt+Space works
        {0x1008ff13, 0xaf, true},  // XF86AudioRaiseVolume
    };
    for (const Case& c : cases) {
        INFO("keysym 0x" << std::hex << c.keysym);
        KeyMapper mapper;
        CHECK(mapper.key(c.keysym, true) == Events{down(c.vk, c.extended)});
        CHECK(mapper.key(c.keysym, false) == Events{up(c.vk, c.extended)});
    }
}

TEST_CASE("characters are typed as Unicode input, whatever the customer's layout",
          "[win_vnc]") {
    KeyMapper mapper;
    CHECK(mapper.key('a', true) == Events{char_down('a')});
    CHECK(mapper.key('a', false) == Events{char_up('a')});
    // Shift was applied by the viewer already: the keysym is the capital.
    CHECK(mapper.key(kShiftL, true) == Events{down(0xa0)});
    CHECK(mapper.key('A', true) == Events{char_down('A')});
    CHECK(mapper.key('A', false) == Events{char_up('A')});
    CHECK(mapper.key(kShiftL, false) == Events{up(0xa0)});
    CHECK(mapper.key(0xe9, true) == Events{char_down(0xe9)});      // eacute (Latin-1)
    CHECK(mapper.key(0x20ac, true) == Events{char_down(0x20ac)});  // EuroSign (legacy)
    CHECK(mapper.key(0x6c1, true) == Events{char_down(0x0430)});   // Cyrillic_a
    CHECK(mapper.key(0x7e1, true) == Events{char_down(0x03b1)});   // Greek_alpha
    CHECK(mapper.key(0x1b3, true) == Events{char_down(0x0142)});   // lstroke (Latin-2)
    CHECK(mapper.key(0x100263a, true) == Events{char_down(0x263a)});  // a Unicode keysym
    // Beyond the BMP: a surrogate pair, pressed and released together.
    CHECK(mapper.key(0x101f600, true) == Events{char_down(0xd83d), char_down(0xde00)});
    CHECK(mapper.key(0x101f600, false) == Events{char_up(0xd83d), char_up(0xde00)});
}

TEST_CASE("keysyms that are neither a known key nor a character give nothing", "[win_vnc]") {
    KeyMapper mapper;
    CHECK(mapper.key(0xfe51, true).empty());      // dead_acute: the viewer composes
    CHECK(mapper.key(0x1000007, true).empty());   // a Unicode control character
    CHECK(mapper.key(0x100d800, true).empty());   // a lone surrogate
    CHECK(mapper.key(0x12345678, true).empty());
    CHECK(mapper.key('q', false).empty());  // released without a press
    CHECK(mapper.release_all().empty());
}

TEST_CASE("with Ctrl, Alt or Win held, letters and digits go as virtual keys: shortcuts work",
          "[win_vnc]") {
    KeyMapper mapper;
    CHECK(mapper.key(kControlL, true) == Events{down(0xa2)});
    CHECK(mapper.key('c', true) == Events{down('C')});
    CHECK(mapper.key('c', false) == Events{up('C')});
    CHECK(mapper.key(kControlL, false) == Events{up(0xa2)});

    CHECK(mapper.key(kAltL, true) == Events{down(0xa4)});
    CHECK(mapper.key('4', true) == Events{down('4')});
    CHECK(mapper.key('4', false) == Events{up('4')});
    CHECK(mapper.key(0xffc1, true) == Events{down(0x73)});  // Alt+F4
    CHECK(mapper.key(0xffc1, false) == Events{up(0x73)});
    CHECK(mapper.key(kAltL, false) == Events{up(0xa4)});

    CHECK(mapper.key(kSuperL, true) == Events{down(0x5b, true)});
    CHECK(mapper.key('r', true) == Events{down('R')});
    CHECK(mapper.release_all() == (Events{up('R'), up(0x5b, true)}));
}

TEST_CASE("a character typed with AltGr (or Ctrl+Alt) held arrives as that character: the "
          "modifiers are lifted around it and put back",
          "[win_vnc]") {
    KeyMapper mapper;
    CHECK(mapper.key(kAltGr, true) == Events{down(0xa5, true)});
    // '@' from AltGr+Q on a German keyboard.
    CHECK(mapper.key('@', true) == Events{up(0xa5, true), char_down('@'), down(0xa5, true)});
    CHECK(mapper.key('@', false) == Events{char_up('@')});
    CHECK(mapper.key(kAltGr, false) == Events{up(0xa5, true)});

    // Windows browsers report AltGr as Ctrl+Alt: '€' (not a letter) is typed as itself.
    (void)mapper.key(kControlL, true);
    (void)mapper.key(kAltL, true);
    CHECK(mapper.key(0x20ac, true) ==
          Events{up(0xa4), up(0xa2), char_down(0x20ac), down(0xa2), down(0xa4)});
}

TEST_CASE("auto-repeat presses again, and a release lifts what its press pressed", "[win_vnc]") {
    KeyMapper mapper;
    CHECK(mapper.key(0xff08, true) == Events{down(0x08)});
    CHECK(mapper.key(0xff08, true) == Events{down(0x08)});
    CHECK(mapper.key(0xff08, false) == Events{up(0x08)});

    // Ctrl is let go while 'x' is still held: the release is still the virtual key's.
    (void)mapper.key(kControlL, true);
    CHECK(mapper.key('x', true) == Events{down('X')});
    (void)mapper.key(kControlL, false);
    CHECK(mapper.key('x', true) == Events{down('X')});
    CHECK(mapper.key('x', false) == Events{up('X')});

    // A held character repeats without lifting a modifier that has been let go meanwhile.
    (void)mapper.key(kAltGr, true);
    (void)mapper.key('@', true);
    (void)mapper.key(kAltGr, false);
    CHECK(mapper.key('@', true) == Events{char_down('@')});
    CHECK(mapper.key('@', false) == Events{char_up('@')});
}

TEST_CASE("keys still held when the viewer leaves are released, last pressed first",
          "[win_vnc]") {
    KeyMapper mapper;
    (void)mapper.key(kShiftL, true);
    (void)mapper.key('Z', true);
    (void)mapper.key(0xff52, true);
    CHECK(mapper.release_all() == Events{up(0x26, true), char_up('Z'), up(0xa0)});
    CHECK(mapper.release_all().empty());
}

}  // namespace helpline::win_vnc
