#include "client/portal_vnc/rfb_server.h"

#include <arpa/inet.h>

#include <cstdio>
#include <fmt/format.h>
#include <rfb/rfb.h>

#include "client/win_vnc/rfb_password.h"
#include "client/win_vnc/viewer_gate.h"

namespace helpline::portal_vnc {

struct RfbServer::State {
    RfbCallbacks callbacks;
    rfbScreenInfoPtr screen = nullptr;
    std::vector<std::uint8_t> framebuffer;
    std::string password;  ///< 8 characters at most; rfbEncryptBytes wants it writable
    PixelOrder order = PixelOrder::bgrx;
    /// helpline-win-vnc's gate: a connection counts once it has given the password.
    win_vnc::ViewerGate gate;
    rfbClientPtr viewer = nullptr;
    std::uint8_t buttons = 0;
};

namespace {

using State = RfbServer::State;
using win_vnc::ViewerGate;

State& state_of(rfbScreenInfoPtr screen) { return *static_cast<State*>(screen->screenData); }

/// Where red, green and blue sit in a 32-bit little-endian pixel of this byte order.
/// Depth 24 and true colour 1, as viewers write them: libvncserver sends pixels untouched
/// only when the viewer's format equals this one field for field, and its own defaults
/// (depth 32, true colour 255) made it translate every pixel through lookup tables (more
/// than half of this program's CPU at 1280x800; bench/wayland_capture).
void set_pixel_order(rfbScreenInfoPtr screen, PixelOrder order) {
    screen->serverFormat.depth = 24;
    screen->serverFormat.trueColour = 1;
    screen->serverFormat.redShift = order == PixelOrder::bgrx ? 16 : 0;
    screen->serverFormat.greenShift = 8;
    screen->serverFormat.blueShift = order == PixelOrder::bgrx ? 0 : 16;
}

void on_pointer(int mask, int x, int y, rfbClientPtr client) {
    State& s = state_of(client->screen);
    if (client != s.viewer) return;
    if (s.callbacks.on_pointer) s.callbacks.on_pointer(x, y, static_cast<std::uint8_t>(mask));
}

void on_key(rfbBool down, rfbKeySym keysym, rfbClientPtr client) {
    State& s = state_of(client->screen);
    if (client != s.viewer) return;
    if (s.callbacks.on_key) s.callbacks.on_key(static_cast<std::uint32_t>(keysym), down != 0);
}

void on_client_gone(rfbClientPtr client) {
    State& s = state_of(client->screen);
    s.gate.disconnected(client);
    if (client != s.viewer) return;
    s.viewer = nullptr;
    if (s.callbacks.on_viewer_gone) s.callbacks.on_viewer_gone();
}

/// Any local process can knock on a loopback port: a connection counts for nothing until it
/// has given the one-time password (the launcher's readiness probe, or a port scan, neither
/// takes the viewer's place nor ends the session), and one viewer is let in (ViewerGate).
rfbNewClientAction on_new_client(rfbClientPtr client) {
    return win_vnc::gate_new_client(state_of(client->screen).gate, client, on_client_gone);
}

rfbBool check_password(rfbClientPtr client, const char* response, int length) {
    State& s = state_of(client->screen);
    switch (win_vnc::gate_password(s.gate, client, response, length, s.password)) {
        case ViewerGate::Verdict::let_in:
            s.viewer = client;
            return TRUE;
        case ViewerGate::Verdict::too_many_wrong:
            std::fprintf(stderr, "%s\n", win_vnc::too_many_wrong_passwords().c_str());
            if (s.callbacks.on_locked) s.callbacks.on_locked();
            return FALSE;
        case ViewerGate::Verdict::wrong_password:
        case ViewerGate::Verdict::busy:
            return FALSE;
    }
    return FALSE;
}

}  // namespace

RfbServer::RfbServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

Result<std::unique_ptr<RfbServer>> RfbServer::start(const RfbOptions& options,
                                                    RfbCallbacks callbacks) {
    if (options.width <= 0 || options.height <= 0)
        return make_error("rfb.size", fmt::format("The screen size {}×{} is not usable.",
                                                  options.width, options.height));
    rfbLogEnable(options.verbose ? 1 : 0);
    auto state = std::make_unique<State>();
    State& s = *state;
    s.callbacks = std::move(callbacks);
    s.order = options.order;
    s.password = options.password.substr(0, 8);
    s.framebuffer.assign(static_cast<std::size_t>(options.width) * options.height * 4, 0);

    int argc = 0;
    s.screen = rfbGetScreen(&argc, nullptr, options.width, options.height, 8, 3, 4);
    if (s.screen == nullptr) return make_error("rfb.start", "Could not set up the VNC server.");
    s.screen->screenData = &s;
    s.screen->desktopName = "Helpline";
    s.screen->frameBuffer = reinterpret_cast<char*>(s.framebuffer.data());
    set_pixel_order(s.screen, s.order);
    s.screen->port = options.port;
    s.screen->autoPort = FALSE;
    s.screen->ipv6port = 0;  // no IPv6 socket at all: ::1 would be a second door to watch
    s.screen->listenInterface = htonl(INADDR_LOOPBACK);
    s.screen->httpDir = nullptr;
    // Any non-null authPasswdData makes libvncserver offer VNC authentication (and only it);
    // check_password does the checking.
    s.screen->authPasswdData = &s;
    s.screen->passwordCheck = check_password;
    // One viewer: a second is refused by the gate before it can log in, and never does a
    // newcomer's ClientInit disconnect the viewer that is in.
    s.screen->neverShared = TRUE;
    s.screen->alwaysShared = FALSE;
    s.screen->dontDisconnect = TRUE;
    s.screen->permitFileTransfer = FALSE;
    // The cursor is in the picture (the portal draws it): no cursor of libvncserver's own.
    s.screen->cursor = nullptr;
    s.screen->deferUpdateTime = 0;  // the frame rate is capped at the source already
    s.screen->ptrAddEvent = on_pointer;
    s.screen->kbdAddEvent = on_key;
    s.screen->newClientHook = on_new_client;
    rfbInitServer(s.screen);
    if (s.screen->listenSock == RFB_INVALID_SOCKET) {
        rfbScreenCleanup(s.screen);
        s.screen = nullptr;
        return make_error("rfb.listen",
                          fmt::format("Could not listen on 127.0.0.1:{} (is the port taken?).",
                                      options.port));
    }
    return std::unique_ptr<RfbServer>(new RfbServer(std::move(state)));
}

RfbServer::~RfbServer() {
    if (state_->screen == nullptr) return;
    state_->callbacks = {};  // the viewer's goodbye is not an event any more
    rfbShutdownServer(state_->screen, TRUE);
    rfbScreenCleanup(state_->screen);
}

void RfbServer::show(const Frame& frame) {
    State& s = *state_;
    const bool resized = frame.view.width != s.screen->width || frame.view.height != s.screen->height;
    if (resized || frame.order != s.order) {
        s.order = frame.order;
        std::vector<std::uint8_t> replacement(
            static_cast<std::size_t>(frame.view.width) * frame.view.height * 4, 0);
        // rfbNewFramebuffer tells the viewer the new size (or pixel format) and resets its
        // translation; the old buffer is released only after the switch.
        rfbNewFramebuffer(s.screen, reinterpret_cast<char*>(replacement.data()), frame.view.width,
                          frame.view.height, 8, 3, 4);
        // It also resets the pixel format to its default (red first): ours goes back in, and
        // every viewer's translation is made again from it.
        set_pixel_order(s.screen, s.order);
        rfbClientIteratorPtr clients = rfbGetClientIterator(s.screen);
        while (rfbClientPtr client = rfbClientIteratorNext(clients))
            s.screen->setTranslateFunction(client);
        rfbReleaseClientIterator(clients);
        s.framebuffer.swap(replacement);
    }
    const Rect whole{0, 0, frame.view.width, frame.view.height};
    const std::vector<Rect> regions = frame.damage && !resized ? *frame.damage
                                                               : std::vector<Rect>{whole};
    for (const Rect& region : regions) {
        for (const Rect& changed : copy_changed(frame.view, region, s.framebuffer.data(),
                                                s.screen->width, s.screen->height))
            rfbMarkRectAsModified(s.screen, changed.x, changed.y, changed.x + changed.width,
                                  changed.y + changed.height);
    }
    if (resized) rfbMarkRectAsModified(s.screen, 0, 0, s.screen->width, s.screen->height);
}

void RfbServer::process() {
    State& s = *state_;
    if (s.screen == nullptr) return;
    rfbProcessEvents(s.screen, 0);
    // Between rounds: connections past their time to log in, and once the viewer is in,
    // the others.
    win_vnc::close_gated(s.gate);
}

}  // namespace helpline::portal_vnc
