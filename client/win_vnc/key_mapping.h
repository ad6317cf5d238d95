#pragma once
// The viewer's keys as Windows keyboard input. RFB sends X11 keysyms, which name either a key
// (BackSpace, F1, Control_L) or the character the viewer's own keyboard layout produced
// ('a', '@', 'é'). Keys become virtual keys; characters become KEYEVENTF_UNICODE input, so that
// what the operator typed arrives whatever the customer's keyboard layout — except with Ctrl,
// Alt or Win held, where letters and digits go as their virtual keys, since shortcuts
// (Ctrl+C, Alt+F, Win+R) are matched on virtual keys, never on Unicode input.

#include <cstdint>
#include <optional>
#include <vector>

#include "client/win_vnc/input_event.h"

namespace helpline::win_vnc {

/// What a held key does to the characters typed with it.
enum class Modifier : std::uint8_t {
    none,
    shift,     ///< Shift: the viewer already applied it to the keysyms it sends
    shortcut,  ///< Ctrl, Alt, Win: letters and digits go as virtual keys while held
    altgr,     ///< AltGr (ISO_Level3_Shift): only chose the character; lifted around it
};

/// A keysym that names a key.
struct VirtualKey {
    std::uint16_t vk = 0;
    bool extended = false;  ///< KEYEVENTF_EXTENDEDKEY: the right-hand Ctrl and Alt, arrows, ...
    Modifier modifier = Modifier::none;
};

/// The virtual key of a keysym that names a key (not a character), if it is one Windows has.
std::optional<VirtualKey> virtual_key(std::uint32_t keysym);

/// The character a keysym stands for: Latin-1 keysyms are their code point, Unicode keysyms
/// (0x01000000 + code point) theirs, the legacy ones (Cyrillic, Greek, ...) by the table of
/// X11's keysymdef.h. None for keysyms that name keys and for control characters.
std::optional<char32_t> keysym_character(std::uint32_t keysym);

/// Turns key events into input, remembering what each held keysym pressed so that its release
/// lifts exactly that, whatever was pressed in between.
class KeyMapper {
  public:
    /// The input for `keysym` going down or up. A repeated down (the viewer's auto-repeat)
    /// presses again; an up for a keysym not held, or a keysym unknown here, gives nothing.
    std::vector<InputEvent> key(std::uint32_t keysym, bool down);
    /// Releases everything still held, last pressed first (the viewer left mid-press).
    std::vector<InputEvent> release_all();

  private:
    struct Held {
        std::uint32_t keysym = 0;
        Modifier modifier = Modifier::none;
        bool unicode = false;  ///< typed as `character` (KEYEVENTF_UNICODE)
        char32_t character = 0;
        std::vector<InputEvent> press;
        std::vector<InputEvent> release;
    };
    /// The press of `character` as Unicode input; its release appended to `release`.
    std::vector<InputEvent> press_unicode(char32_t character, std::vector<InputEvent>* release);
    bool held_modifier(Modifier kind) const;

    std::vector<Held> held_;  ///< in the order pressed
};

}  // namespace helpline::win_vnc
