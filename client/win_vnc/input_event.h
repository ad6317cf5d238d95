#pragma once
// Windows input as plain data: what SendInput is given, with Windows' own numbers
// (winuser.h), so that the mapping from the viewer's events is portable and tested on every
// platform. input_injector_win32.cpp turns these into INPUT structures.

#include <cstdint>
#include <span>

namespace helpline::win_vnc {

/// Virtual-key codes (VK_*).
namespace vk {
inline constexpr std::uint16_t kBack = 0x08, kTab = 0x09, kClear = 0x0C, kReturn = 0x0D;
inline constexpr std::uint16_t kPause = 0x13, kCapital = 0x14, kEscape = 0x1B, kSpace = 0x20;
inline constexpr std::uint16_t kPrior = 0x21, kNext = 0x22, kEnd = 0x23, kHome = 0x24;
inline constexpr std::uint16_t kLeft = 0x25, kUp = 0x26, kRight = 0x27, kDown = 0x28;
inline constexpr std::uint16_t kSelect = 0x29, kExecute = 0x2B, kSnapshot = 0x2C;
inline constexpr std::uint16_t kInsert = 0x2D, kDelete = 0x2E, kHelp = 0x2F;
inline constexpr std::uint16_t kKey0 = 0x30, kKeyA = 0x41;  ///< '0'..'9', 'A'..'Z'
inline constexpr std::uint16_t kLWin = 0x5B, kRWin = 0x5C, kApps = 0x5D, kSleep = 0x5F;
inline constexpr std::uint16_t kNumpad0 = 0x60, kMultiply = 0x6A, kAdd = 0x6B;
inline constexpr std::uint16_t kSeparator = 0x6C, kSubtract = 0x6D, kDecimal = 0x6E;
inline constexpr std::uint16_t kDivide = 0x6F, kF1 = 0x70;  ///< F1..F24: 0x70..0x87
inline constexpr std::uint16_t kNumLock = 0x90, kScroll = 0x91;
inline constexpr std::uint16_t kLShift = 0xA0, kRShift = 0xA1, kLControl = 0xA2;
inline constexpr std::uint16_t kRControl = 0xA3, kLMenu = 0xA4, kRMenu = 0xA5;
inline constexpr std::uint16_t kBrowserBack = 0xA6, kBrowserForward = 0xA7;
inline constexpr std::uint16_t kBrowserRefresh = 0xA8, kBrowserStop = 0xA9;
inline constexpr std::uint16_t kBrowserSearch = 0xAA, kBrowserFavorites = 0xAB;
inline constexpr std::uint16_t kBrowserHome = 0xAC, kVolumeMute = 0xAD, kVolumeDown = 0xAE;
inline constexpr std::uint16_t kVolumeUp = 0xAF, kMediaNext = 0xB0, kMediaPrev = 0xB1;
inline constexpr std::uint16_t kMediaStop = 0xB2, kMediaPlayPause = 0xB3, kLaunchMail = 0xB4;
}  // namespace vk

/// KEYBDINPUT.dwFlags (KEYEVENTF_*).
namespace key_flag {
inline constexpr std::uint32_t kExtended = 0x0001, kUp = 0x0002, kUnicode = 0x0004;
}  // namespace key_flag

/// MOUSEINPUT.dwFlags (MOUSEEVENTF_*).
namespace mouse_flag {
inline constexpr std::uint32_t kMove = 0x0001, kLeftDown = 0x0002, kLeftUp = 0x0004;
inline constexpr std::uint32_t kRightDown = 0x0008, kRightUp = 0x0010, kMiddleDown = 0x0020;
inline constexpr std::uint32_t kMiddleUp = 0x0040, kWheel = 0x0800, kHWheel = 0x1000;
inline constexpr std::uint32_t kVirtualDesk = 0x4000, kAbsolute = 0x8000;
}  // namespace mouse_flag

/// One notch of a mouse wheel (WHEEL_DELTA).
inline constexpr std::int32_t kWheelDelta = 120;

/// One INPUT for SendInput: a key (a virtual key, or with key_flag::kUnicode one UTF-16 unit
/// in `unit`) or the mouse (normalised absolute coordinates, wheel amount in `data`).
struct InputEvent {
    enum class Type { key, mouse };
    Type type = Type::key;
    std::uint16_t vk = 0;
    std::uint16_t unit = 0;  ///< KEYBDINPUT.wScan with kUnicode
    std::int32_t dx = 0, dy = 0;
    std::int32_t data = 0;  ///< MOUSEINPUT.mouseData: wheel amount, positive up / right
    std::uint32_t flags = 0;

    static InputEvent key(std::uint16_t virtual_key, std::uint32_t key_flags) {
        return {Type::key, virtual_key, 0, 0, 0, 0, key_flags};
    }
    static InputEvent unicode(std::uint16_t utf16_unit, bool up) {
        return {Type::key, 0, utf16_unit, 0, 0, 0, key_flag::kUnicode | (up ? key_flag::kUp : 0)};
    }
    static InputEvent mouse(std::uint32_t mouse_flags, std::int32_t x = 0, std::int32_t y = 0,
                            std::int32_t wheel = 0) {
        return {Type::mouse, 0, 0, x, y, wheel, mouse_flags};
    }
    bool operator==(const InputEvent&) const = default;
};

/// Where the viewer's input goes: SendInput on Windows, a recorder in tests.
class InputSink {
  public:
    virtual ~InputSink() = default;
    /// Injects `events` in order, as one batch (SendInput does not interleave another
    /// program's input into it).
    virtual void send(std::span<const InputEvent> events) = 0;
};

}  // namespace helpline::win_vnc
