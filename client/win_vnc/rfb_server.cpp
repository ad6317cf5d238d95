#include "client/win_vnc/rfb_server.h"

#include <fmt/format.h>
#include <rfb/rfb.h>

#include <algorithm>
#include <cstring>

#include "client/win_vnc/listen_socket.h"
#include "client/win_vnc/rfb_password.h"
#include "client/win_vnc/viewer_gate.h"

namespace helpline::win_vnc {

struct RfbServer::State {
    RfbCallbacks callbacks;
    rfbScreenInfoPtr screen = nullptr;
    std::unique_ptr<Framebuffer> framebuffer;
    std::string password;  ///< 8 characters at most; rfbEncryptBytes wants it writable
    ViewerGate gate;
    rfbClientPtr viewer = nullptr;
    bool verbose = false;
};

namespace {

using State = RfbServer::State;

State& state_of(rfbScreenInfoPtr screen) { return *static_cast<State*>(screen->screenData); }

/// The picture as GDI's 32-bit DIB sections hold it: blue, green, red, unused, i.e. a
/// little-endian pixel with red at bit 16. Depth 24 and true colour 1, as viewers write
/// them: libvncserver sends pixels untouched only to a viewer whose format equals this one
/// field for field (helpline-portal-vnc measured the cost of the alternative).
void set_pixel_format(rfbScreenInfoPtr screen) {
    screen->serverFormat.depth = 24;
    screen->serverFormat.trueColour = 1;
    screen->serverFormat.redShift = 16;
    screen->serverFormat.greenShift = 8;
    screen->serverFormat.blueShift = 0;
}

void log(State& s, const std::string& message) {
    if (s.callbacks.on_log) s.callbacks.on_log(message);
}

void on_pointer(int mask, int x, int y, rfbClientPtr client) {
    State& s = state_of(client->screen);
    if (client != s.viewer || !s.callbacks.on_pointer) return;
    s.callbacks.on_pointer(x, y, static_cast<std::uint8_t>(mask));
}

void on_key(rfbBool down, rfbKeySym keysym, rfbClientPtr client) {
    State& s = state_of(client->screen);
    if (client != s.viewer || !s.callbacks.on_key) return;
    s.callbacks.on_key(static_cast<std::uint32_t>(keysym), down != 0);
}

void on_client_gone(rfbClientPtr client) {
    State& s = state_of(client->screen);
    s.gate.disconnected(client);
    if (client != s.viewer) return;
    s.viewer = nullptr;
    log(s, "The viewer left.");
}

rfbNewClientAction on_new_client(rfbClientPtr client) {
    return gate_new_client(state_of(client->screen).gate, client, on_client_gone);
}

/// VNC authentication with the one-time password, through the gate.
rfbBool check_password(rfbClientPtr client, const char* response, int length) {
    State& s = state_of(client->screen);
    switch (gate_password(s.gate, client, response, length, s.password)) {
        case ViewerGate::Verdict::let_in:
            s.viewer = client;
            log(s, "A viewer logged in with the one-time password.");
            return TRUE;
        case ViewerGate::Verdict::wrong_password:
            log(s, "A connection gave a wrong VNC password; it was refused.");
            return FALSE;
        case ViewerGate::Verdict::busy:
            return FALSE;
        case ViewerGate::Verdict::too_many_wrong:
            log(s, too_many_wrong_passwords());
            return FALSE;
    }
    return FALSE;
}

}  // namespace

RfbServer::RfbServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

Result<std::unique_ptr<RfbServer>> RfbServer::start(const RfbOptions& options,
                                                    RfbCallbacks callbacks) {
    if (options.width <= 0 || options.height <= 0 || options.width > 0xffff ||
        options.height > 0xffff)
        return make_error("rfb.size", fmt::format("The screen size {}×{} cannot be sent as VNC.",
                                                  options.width, options.height));
    rfbLogEnable(options.verbose ? 1 : 0);
    auto listener = listen_on_loopback(options.port);
    if (!listener) return listener.error();

    auto state = std::make_unique<State>();
    State& s = *state;
    s.callbacks = std::move(callbacks);
    s.password = options.password.substr(0, 8);
    s.verbose = options.verbose;
    s.framebuffer = std::make_unique<Framebuffer>(options.width, options.height);

    int argc = 0;
    s.screen = rfbGetScreen(&argc, nullptr, options.width, options.height, 8, 3, 4);
    if (s.screen == nullptr) {
        rfbCloseSocket(*listener);
        return make_error("rfb.start", "Could not set up the VNC server (out of memory?).");
    }
    s.screen->screenData = &s;
    s.screen->desktopName = "Helpline";
    s.screen->frameBuffer = reinterpret_cast<char*>(s.framebuffer->data());
    set_pixel_format(s.screen);
    // No port of libvncserver's own (ours comes below), no IPv6 socket, no HTTP, no UDP.
    s.screen->port = 0;
    s.screen->ipv6port = 0;
    s.screen->autoPort = FALSE;
    s.screen->httpDir = nullptr;
    s.screen->httpPort = 0;
    s.screen->httpEnableProxyConnect = FALSE;
    s.screen->udpPort = 0;
    // Any non-null authPasswdData makes libvncserver offer VNC authentication (and only it);
    // check_password does the checking.
    s.screen->authPasswdData = &s;
    s.screen->passwordCheck = check_password;
    // One viewer: a second is refused by ViewerGate before it can log in, and never does a
    // newcomer's ClientInit disconnect the viewer that is in.
    s.screen->neverShared = TRUE;
    s.screen->alwaysShared = FALSE;
    s.screen->dontDisconnect = TRUE;
    s.screen->permitFileTransfer = FALSE;
    // The cursor is drawn into the picture by the capture: no cursor of libvncserver's own.
    s.screen->cursor = nullptr;
    s.screen->deferUpdateTime = 0;  // the capture paces the frames already
    s.screen->ptrAddEvent = on_pointer;
    s.screen->kbdAddEvent = on_key;
    s.screen->newClientHook = on_new_client;
    rfbInitServer(s.screen);
    if (s.screen->socketState != RFB_SOCKET_READY) {
        rfbCloseSocket(*listener);
        rfbScreenCleanup(s.screen);
        s.screen = nullptr;
        return make_error("rfb.start", "Could not start the VNC server's networking.");
    }
    // libvncserver accepts on our socket as on its own, and closes it at shutdown.
    s.screen->listenSock = *listener;
    FD_SET(*listener, &s.screen->allFds);
    s.screen->maxFd = std::max(s.screen->maxFd, static_cast<int>(*listener));
    return std::unique_ptr<RfbServer>(new RfbServer(std::move(state)));
}

RfbServer::~RfbServer() {
    if (state_->screen == nullptr) return;
    state_->callbacks = {};  // nothing more is heard from anyone
    rfbShutdownServer(state_->screen, TRUE);
    rfbScreenCleanup(state_->screen);
}

void RfbServer::show(const FrameView& frame) {
    State& s = *state_;
    if (frame.data == nullptr || frame.width <= 0 || frame.height <= 0) return;
    if (s.framebuffer->differs_in_size(frame)) {
        // The old pixels live until libvncserver has switched to the new ones; it tells the
        // viewer the new size (DesktopSize) and resets the pixel format, which goes back in.
        const std::vector<std::uint8_t> old = s.framebuffer->resize(frame.width, frame.height);
        rfbNewFramebuffer(s.screen, reinterpret_cast<char*>(s.framebuffer->data()), frame.width,
                          frame.height, 8, 3, 4);
        set_pixel_format(s.screen);
        rfbClientIteratorPtr clients = rfbGetClientIterator(s.screen);
        while (rfbClientPtr client = rfbClientIteratorNext(clients))
            s.screen->setTranslateFunction(client);
        rfbReleaseClientIterator(clients);
        s.framebuffer->update(frame);
        rfbMarkRectAsModified(s.screen, 0, 0, frame.width, frame.height);
        return;
    }
    for (const Rect& changed : s.framebuffer->update(frame))
        rfbMarkRectAsModified(s.screen, changed.x, changed.y, changed.x + changed.width,
                              changed.y + changed.height);
}

void RfbServer::process(std::chrono::microseconds timeout) {
    State& s = *state_;
    rfbProcessEvents(s.screen, static_cast<long>(std::max<std::int64_t>(0, timeout.count())));
    close_gated(s.gate);
}

bool RfbServer::has_viewer() const { return state_->viewer != nullptr; }
bool RfbServer::viewer_left() const { return state_->gate.viewer_left(); }
bool RfbServer::locked() const { return state_->gate.locked(); }

}  // namespace helpline::win_vnc
