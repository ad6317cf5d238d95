#pragma once
// The viewer's input into the Windows session: SendInput, as if typed and clicked here. A
// program without administrator rights reaches every window of its own integrity level or
// below; elevated windows (UIPI drops the input silently) and the secure desktop (UAC
// prompts, Ctrl+Alt+Del, the lock screen: SendInput fails) are out of its reach. Windows only
// (input_injector_win32.cpp).

#include <functional>
#include <memory>
#include <string>

#include "client/win_vnc/input_event.h"

namespace helpline::win_vnc {

/// Input through SendInput; `log` hears when input stops or starts reaching the desktop.
std::unique_ptr<InputSink> open_input_injector(std::function<void(const std::string&)> log);

}  // namespace helpline::win_vnc
