#pragma once
// Receiving the shared screen from PipeWire: connects to the remote the portal opened for
// this session (a file descriptor that sees only the granted stream), negotiates raw 32-bit
// video (BGRx/BGRA/RGBx/RGBA) at up to `max_fps` (the producer's maxFramerate) in shared memory (MemFd or MemPtr, mapped
// by PipeWire), and hands each frame — the newest one only, older queued ones are dropped —
// to a callback with the regions the compositor says changed, when it says.
//
// Runs on the GLib main context of the calling thread: PipeWire's loop is a GSource there,
// so frames, portal calls and the VNC server share one thread and need no locks.
//
// DMA-BUF is not offered: reading a GPU buffer back needs EGL/GBM, and a compositor
// offered no modifiers falls back to shared memory (docs/client.md says so).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/portal_vnc/frame_copy.h"
#include "shared/result.h"

namespace helpline::portal_vnc {

/// Byte order of a pixel in memory; alpha, if any, is ignored.
enum class PixelOrder { bgrx, rgbx };

struct Frame {
    FrameView view;
    PixelOrder order = PixelOrder::bgrx;
    /// The changed regions, when the producer said; empty optional: compare everything.
    std::optional<std::vector<Rect>> damage;
};

struct CaptureCallbacks {
    std::function<void(const Frame&)> on_frame;
    /// The stream failed or the compositor ended it: the session cannot go on.
    std::function<void(const std::string& why)> on_end;
};

class PipeWireCapture {
  public:
    /// Connects on `pipewire_fd` (duplicated; the caller keeps its own) to `node_id`.
    static Result<std::unique_ptr<PipeWireCapture>> start(int pipewire_fd, std::uint32_t node_id,
                                                          int max_fps, CaptureCallbacks callbacks);
    ~PipeWireCapture();
    PipeWireCapture(const PipeWireCapture&) = delete;
    PipeWireCapture& operator=(const PipeWireCapture&) = delete;

    struct State;

  private:
    explicit PipeWireCapture(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

}  // namespace helpline::portal_vnc
