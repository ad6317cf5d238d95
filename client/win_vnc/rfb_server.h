#pragma once
// The VNC side, through libvncserver: RFB 3.8 on a socket of our own bound to 127.0.0.1 only
// (never IPv6, never another interface, no HTTP, no reverse connections), VNC authentication
// with the one-time password, the viewers admitted by ViewerGate (one at a time; three wrong
// passwords end the session), and only the tiles that changed sent. Driven by the caller's
// loop: process() waits for the sockets and handles them.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "client/win_vnc/framebuffer.h"
#include "shared/result.h"

namespace helpline::win_vnc {

struct RfbOptions {
    std::uint16_t port = 0;
    std::string password;  ///< VNC uses at most 8 characters
    int width = 0;
    int height = 0;
    bool verbose = false;  ///< libvncserver's own log on stderr
};

/// What the server reports; only the viewer that was let in is heard.
struct RfbCallbacks {
    std::function<void(int x, int y, std::uint8_t buttons)> on_pointer;
    std::function<void(std::uint32_t keysym, bool down)> on_key;
    /// Who logged in, wrong passwords, the viewer leaving: lines for the backend's log.
    std::function<void(const std::string& message)> on_log;
};

class RfbServer {
  public:
    /// Listens on 127.0.0.1:`port` with a black `width` × `height` picture. Fails (code
    /// "rfb.listen") when the port cannot be had, saying why.
    static Result<std::unique_ptr<RfbServer>> start(const RfbOptions& options,
                                                    RfbCallbacks callbacks);
    ~RfbServer();  ///< disconnects everyone and closes the port
    RfbServer(const RfbServer&) = delete;
    RfbServer& operator=(const RfbServer&) = delete;

    /// Takes a frame (32 bits a pixel, blue green red x in memory, as GDI gives it): copies
    /// what changed and marks it for the viewer. A frame of another size replaces the picture
    /// and the viewer is told the new size.
    void show(const FrameView& frame);
    /// Waits up to `timeout` for the sockets, then handles connections and messages and sends
    /// what is due.
    void process(std::chrono::microseconds timeout);

    /// A viewer has logged in and is connected.
    bool has_viewer() const;
    /// The viewer that was let in has left: the session is over.
    bool viewer_left() const;
    /// Three wrong passwords were given: the session is over.
    bool locked() const;

    struct State;

  private:
    explicit RfbServer(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

}  // namespace helpline::win_vnc
