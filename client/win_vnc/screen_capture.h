#pragma once
// The Windows desktop as frames: the whole virtual screen (every monitor, in physical
// pixels), 32 bits a pixel, with the mouse cursor drawn in. Through DXGI Desktop Duplication
// where the desktop allows it (Windows 8 and later with a Direct3D 11 adapter: the
// compositor's own picture, read only when it changed), else through GDI's BitBlt into a DIB
// section — what every Windows and Wine provide. The tile comparison then finds what changed.
// Windows only (screen_capture_win32.cpp).

#include <functional>
#include <memory>
#include <string>

#include "client/win_vnc/frame_source.h"

namespace helpline::win_vnc {

/// The desktop of this session. Its first capture() fails when the process has none to read
/// (a service, a session without a desktop). `log` hears which way it reads the screen (and
/// why not through Desktop Duplication).
std::unique_ptr<FrameSource> open_screen_capture(const std::function<void(const std::string&)>& log);

}  // namespace helpline::win_vnc
