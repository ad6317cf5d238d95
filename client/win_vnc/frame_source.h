#pragma once
// Where the picture comes from: the Windows desktop through DXGI or GDI (screen_capture_win32.cpp),
// a painted picture in the tests.

#include "client/win_vnc/framebuffer.h"
#include "shared/result.h"

namespace helpline::win_vnc {

class FrameSource {
  public:
    virtual ~FrameSource() = default;
    /// The whole desktop now, 32 bits a pixel (blue, green, red, unused in memory), the
    /// cursor drawn in. Valid until the next call. Fails while the desktop cannot be read
    /// (the secure desktop of UAC or Ctrl+Alt+Del is shown).
    virtual Result<FrameView> capture() = 0;
};

}  // namespace helpline::win_vnc
