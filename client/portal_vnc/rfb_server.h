#pragma once
// The VNC side, through libvncserver: listens on 127.0.0.1 only (never IPv6's any-address,
// never another interface), asks every viewer for the one-time password (VNC
// authentication), lets in one viewer — the first to give the password, as helpline-win-vnc
// does (its ViewerGate) — ends the session after three wrong passwords, and sends only the
// tiles that changed.
// Driven from the GLib main context: process() handles the sockets without blocking.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "client/portal_vnc/frame_copy.h"
#include "client/portal_vnc/pipewire_capture.h"
#include "shared/result.h"

namespace helpline::portal_vnc {

struct RfbOptions {
    std::uint16_t port = 0;
    std::string password;  ///< VNC uses at most 8 characters
    int width = 0;
    int height = 0;
    PixelOrder order = PixelOrder::bgrx;
    bool verbose = false;
};

struct RfbCallbacks {
    std::function<void(int x, int y, std::uint8_t buttons)> on_pointer;
    std::function<void(std::uint32_t keysym, bool down)> on_key;
    /// The viewer left (after it had been let in): the session is over.
    std::function<void()> on_viewer_gone;
    /// Three wrong passwords were given: the session is over.
    std::function<void()> on_locked;
};

class RfbServer {
  public:
    static Result<std::unique_ptr<RfbServer>> start(const RfbOptions& options,
                                                    RfbCallbacks callbacks);
    ~RfbServer();  ///< disconnects the viewer and closes the socket
    RfbServer(const RfbServer&) = delete;
    RfbServer& operator=(const RfbServer&) = delete;

    /// Takes a frame: copies what changed into the framebuffer and marks it for the viewer.
    /// A frame of another size replaces the framebuffer (the viewer is told the new size).
    void show(const Frame& frame);
    /// Handles connections and messages and sends pending updates; does not block.
    void process();

    struct State;

  private:
    explicit RfbServer(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

}  // namespace helpline::portal_vnc
