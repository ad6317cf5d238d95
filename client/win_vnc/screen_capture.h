#pragma once
// The Windows desktop as frames: the whole virtual screen (every monitor, in physical
// pixels), copied with GDI's BitBlt into a 32-bit DIB section — what every Windows since XP
// and Wine provide — with the mouse cursor drawn in. DXGI Desktop Duplication (faster on a
// real GPU, with the changed regions given) is not used yet: the tile comparison finds what
// changed. Windows only (screen_capture_win32.cpp).

#include <memory>

#include "client/win_vnc/frame_source.h"

namespace helpline::win_vnc {

/// The desktop of this session. Its first capture() fails when the process has none to read
/// (a service, a session without a desktop).
std::unique_ptr<FrameSource> open_screen_capture();

}  // namespace helpline::win_vnc
