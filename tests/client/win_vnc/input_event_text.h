#pragma once
// InputEvent in words, for the messages of failed checks ("key 0x41 up", "mouse 0x8001 at 0,0").

#include <ostream>

#include "client/win_vnc/input_event.h"

namespace helpline::win_vnc {

inline std::ostream& operator<<(std::ostream& out, const InputEvent& e) {
    const auto flags = std::hex;
    if (e.type == InputEvent::Type::key) {
        if ((e.flags & key_flag::kUnicode) != 0)
            out << "unicode U+" << flags << e.unit;
        else
            out << "key vk 0x" << flags << e.vk;
        out << ((e.flags & key_flag::kUp) != 0 ? " up" : " down");
        if ((e.flags & key_flag::kExtended) != 0) out << " extended";
        return out << std::dec;
    }
    return out << "mouse flags 0x" << flags << e.flags << std::dec << " at " << e.dx << ","
               << e.dy << " data " << e.data;
}

}  // namespace helpline::win_vnc
