#include "client/win_vnc/key_mapping.h"

#include <algorithm>
#include <iterator>

namespace helpline::win_vnc {

namespace {

struct KeyEntry {
    std::uint32_t keysym;
    std::uint16_t vk;
    bool extended;
    Modifier modifier;
};

constexpr Modifier kNone = Modifier::none;

// Keysyms (X11 keysymdef.h, XF86keysym.h) of keys, with the virtual key Windows has for each.
// Space is here although it is a character: Ctrl+Space and Alt+Space are shortcuts, and
// VK_SPACE types a space on every layout. The keypad keys go as keypad keys (VK_NUMPADn types
// its digit whatever the state of Num Lock), its navigation keys as the keypad's (not
// extended); Meta, which X11 puts on the Alt key, as Alt; Super and Hyper as Win.
constexpr KeyEntry kKeys[] = {
    {0x0020, vk::kSpace, false, kNone},
    {0xfe03, vk::kRMenu, true, Modifier::altgr},  // ISO_Level3_Shift (AltGr)
    {0xfe20, vk::kTab, false, kNone},             // ISO_Left_Tab (Shift+Tab)
    {0xff08, vk::kBack, false, kNone},
    {0xff09, vk::kTab, false, kNone},
    {0xff0b, vk::kClear, false, kNone},
    {0xff0d, vk::kReturn, false, kNone},
    {0xff13, vk::kPause, false, kNone},
    {0xff14, vk::kScroll, false, kNone},
    {0xff15, vk::kSnapshot, true, kNone},  // Sys_Req
    {0xff1b, vk::kEscape, false, kNone},
    {0xff50, vk::kHome, true, kNone},
    {0xff51, vk::kLeft, true, kNone},
    {0xff52, vk::kUp, true, kNone},
    {0xff53, vk::kRight, true, kNone},
    {0xff54, vk::kDown, true, kNone},
    {0xff55, vk::kPrior, true, kNone},
    {0xff56, vk::kNext, true, kNone},
    {0xff57, vk::kEnd, true, kNone},
    {0xff60, vk::kSelect, false, kNone},
    {0xff61, vk::kSnapshot, true, kNone},  // Print
    {0xff62, vk::kExecute, false, kNone},
    {0xff63, vk::kInsert, true, kNone},
    {0xff67, vk::kApps, true, kNone},  // Menu
    {0xff6a, vk::kHelp, false, kNone},
    {0xff6b, 0x03, true, kNone},                       // Break: VK_CANCEL
    {0xff7e, vk::kRMenu, true, Modifier::altgr},       // Mode_switch
    {0xff7f, vk::kNumLock, true, kNone},
    {0xff80, vk::kSpace, false, kNone},   // KP_Space
    {0xff89, vk::kTab, false, kNone},     // KP_Tab
    {0xff8d, vk::kReturn, true, kNone},   // KP_Enter
    {0xff95, vk::kHome, false, kNone},    // KP_Home
    {0xff96, vk::kLeft, false, kNone},    // KP_Left
    {0xff97, vk::kUp, false, kNone},      // KP_Up
    {0xff98, vk::kRight, false, kNone},   // KP_Right
    {0xff99, vk::kDown, false, kNone},    // KP_Down
    {0xff9a, vk::kPrior, false, kNone},   // KP_Prior
    {0xff9b, vk::kNext, false, kNone},    // KP_Next
    {0xff9c, vk::kEnd, false, kNone},     // KP_End
    {0xff9d, vk::kClear, false, kNone},   // KP_Begin (keypad 5 without Num Lock)
    {0xff9e, vk::kInsert, false, kNone},  // KP_Insert
    {0xff9f, vk::kDelete, false, kNone},  // KP_Delete
    {0xffaa, vk::kMultiply, false, kNone},
    {0xffab, vk::kAdd, false, kNone},
    {0xffac, vk::kSeparator, false, kNone},
    {0xffad, vk::kSubtract, false, kNone},
    {0xffae, vk::kDecimal, false, kNone},
    {0xffaf, vk::kDivide, true, kNone},
    {0xffe1, vk::kLShift, false, Modifier::shift},
    {0xffe2, vk::kRShift, false, Modifier::shift},
    {0xffe3, vk::kLControl, false, Modifier::shortcut},
    {0xffe4, vk::kRControl, true, Modifier::shortcut},
    {0xffe5, vk::kCapital, false, kNone},
    {0xffe7, vk::kLMenu, false, Modifier::shortcut},  // Meta_L
    {0xffe8, vk::kRMenu, true, Modifier::shortcut},   // Meta_R
    {0xffe9, vk::kLMenu, false, Modifier::shortcut},  // Alt_L
    {0xffea, vk::kRMenu, true, Modifier::shortcut},   // Alt_R
    {0xffeb, vk::kLWin, true, Modifier::shortcut},    // Super_L
    {0xffec, vk::kRWin, true, Modifier::shortcut},    // Super_R
    {0xffed, vk::kLWin, true, Modifier::shortcut},    // Hyper_L
    {0xffee, vk::kRWin, true, Modifier::shortcut},    // Hyper_R
    {0xffff, vk::kDelete, true, kNone},
    {0x1008ff11, vk::kVolumeDown, true, kNone},
    {0x1008ff12, vk::kVolumeMute, true, kNone},
    {0x1008ff13, vk::kVolumeUp, true, kNone},
    {0x1008ff14, vk::kMediaPlayPause, true, kNone},
    {0x1008ff15, vk::kMediaStop, true, kNone},
    {0x1008ff16, vk::kMediaPrev, true, kNone},
    {0x1008ff17, vk::kMediaNext, true, kNone},
    {0x1008ff18, vk::kBrowserHome, true, kNone},
    {0x1008ff19, vk::kLaunchMail, true, kNone},
    {0x1008ff1b, vk::kBrowserSearch, true, kNone},
    {0x1008ff26, vk::kBrowserBack, true, kNone},
    {0x1008ff27, vk::kBrowserForward, true, kNone},
    {0x1008ff28, vk::kBrowserStop, true, kNone},
    {0x1008ff29, vk::kBrowserRefresh, true, kNone},
    {0x1008ff2f, vk::kSleep, false, kNone},
    {0x1008ff30, vk::kBrowserFavorites, true, kNone},
    {0x1008ff31, vk::kMediaPlayPause, true, kNone},  // AudioPause
};

constexpr std::uint32_t kKeypad0 = 0xffb0, kKeypad9 = 0xffb9;
constexpr std::uint32_t kF1 = 0xffbe, kF24 = 0xffd5;

std::uint32_t with_up(std::uint32_t flags) { return flags | key_flag::kUp; }

/// The events that press `key`, and those that release it.
void virtual_key_events(const VirtualKey& key, std::vector<InputEvent>& press,
                        std::vector<InputEvent>& release) {
    const std::uint32_t flags = key.extended ? key_flag::kExtended : 0;
    press.push_back(InputEvent::key(key.vk, flags));
    release.push_back(InputEvent::key(key.vk, with_up(flags)));
}

/// The UTF-16 units of a code point.
std::vector<std::uint16_t> utf16(char32_t c) {
    if (c < 0x10000) return {static_cast<std::uint16_t>(c)};
    const char32_t v = c - 0x10000;
    return {static_cast<std::uint16_t>(0xd800 + (v >> 10)),
            static_cast<std::uint16_t>(0xdc00 + (v & 0x3ff))};
}

bool is_ascii_alphanumeric(char32_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

std::optional<VirtualKey> virtual_key(std::uint32_t keysym) {
    const auto* entry = std::find_if(std::begin(kKeys), std::end(kKeys),
                                     [&](const KeyEntry& e) { return e.keysym == keysym; });
    if (entry != std::end(kKeys)) return VirtualKey{entry->vk, entry->extended, entry->modifier};
    if (keysym >= kKeypad0 && keysym <= kKeypad9)
        return VirtualKey{static_cast<std::uint16_t>(vk::kNumpad0 + (keysym - kKeypad0)), false,
                          kNone};
    if (keysym >= kF1 && keysym <= kF24)
        return VirtualKey{static_cast<std::uint16_t>(vk::kF1 + (keysym - kF1)), false, kNone};
    return std::nullopt;
}

bool KeyMapper::held_modifier(Modifier kind) const {
    return std::any_of(held_.begin(), held_.end(),
                       [&](const Held& h) { return h.modifier == kind; });
}

std::vector<InputEvent> KeyMapper::press_unicode(char32_t c, std::vector<InputEvent>* release) {
    // Ctrl, Alt or AltGr still down would turn the character into a system character
    // (WM_SYSCHAR, which types nothing) or a shortcut: they are lifted around the press and
    // put back after it, so that the customer's keyboard state stays the operator's.
    std::vector<const Held*> lifted;
    for (const Held& h : held_)
        if (h.modifier == Modifier::shortcut || h.modifier == Modifier::altgr) lifted.push_back(&h);
    std::vector<InputEvent> press;
    for (auto it = lifted.rbegin(); it != lifted.rend(); ++it)
        press.insert(press.end(), (*it)->release.begin(), (*it)->release.end());
    for (std::uint16_t unit : utf16(c)) {
        press.push_back(InputEvent::unicode(unit, false));
        if (release != nullptr) release->push_back(InputEvent::unicode(unit, true));
    }
    for (const Held* h : lifted) press.insert(press.end(), h->press.begin(), h->press.end());
    return press;
}

std::vector<InputEvent> KeyMapper::key(std::uint32_t keysym, bool down) {
    const auto held = std::find_if(held_.begin(), held_.end(),
                                   [&](const Held& h) { return h.keysym == keysym; });
    if (!down) {
        if (held == held_.end()) return {};
        std::vector<InputEvent> release = std::move(held->release);
        held_.erase(held);
        return release;
    }
    // Auto-repeat: the viewer sends downs without ups, as Windows' own repeat does. A
    // character's press is made again, since the modifiers held may have changed meanwhile.
    if (held != held_.end())
        return held->unicode ? press_unicode(held->character, nullptr) : held->press;

    Held entry;
    entry.keysym = keysym;
    if (const auto key = virtual_key(keysym)) {
        entry.modifier = key->modifier;
        virtual_key_events(*key, entry.press, entry.release);
    } else if (const auto c = keysym_character(keysym)) {
        if (held_modifier(Modifier::shortcut) && is_ascii_alphanumeric(*c)) {
            // A shortcut: Ctrl+C is VK 'C' with Ctrl held, which no Unicode input stands for.
            const char32_t upper = (*c >= 'a' && *c <= 'z') ? *c - 'a' + 'A' : *c;
            virtual_key_events(VirtualKey{static_cast<std::uint16_t>(upper)}, entry.press,
                               entry.release);
        } else {
            entry.unicode = true;
            entry.character = *c;
            entry.press = press_unicode(*c, &entry.release);
        }
    } else {
        return {};
    }
    std::vector<InputEvent> press = entry.press;
    held_.push_back(std::move(entry));
    return press;
}

std::vector<InputEvent> KeyMapper::release_all() {
    std::vector<InputEvent> release;
    for (auto it = held_.rbegin(); it != held_.rend(); ++it)
        release.insert(release.end(), it->release.begin(), it->release.end());
    held_.clear();
    return release;
}

}  // namespace helpline::win_vnc
