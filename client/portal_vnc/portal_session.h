#pragma once
// The desktop's consent and the screen, through xdg-desktop-portal's RemoteDesktop
// interface (with ScreenCast for the picture), via libportal. Starting it makes the
// desktop show its own dialog ("Share screen", "Allow remote interaction"); the customer
// picks the monitor there. Nothing is kept between sessions: no restore token is asked for
// (libportal 0.6 asks for none on a RemoteDesktop session), so every session is consented to
// afresh on the desktop.
//
// Everything runs on the GLib main context of the calling thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace helpline::portal_vnc {

/// How starting ended.
enum class PortalOutcome {
    started,      ///< the customer shared a screen
    declined,     ///< the customer cancelled the desktop's dialog
    unavailable,  ///< no RemoteDesktop portal on this desktop (e.g. wlroots)
    failed,       ///< anything else; the message says what
};

struct PortalStream {
    std::uint32_t node_id = 0;
    int width = 0;   ///< the monitor's size as the portal reports it (0 when it does not)
    int height = 0;
};

class PortalSession {
  public:
    struct Callbacks {
        std::function<void(PortalOutcome, const std::string& message)> on_started;
        /// The desktop ended the session (its "Stop sharing" indicator, a logout).
        std::function<void()> on_closed;
    };

    PortalSession();
    ~PortalSession();  ///< closes the session on the desktop
    PortalSession(const PortalSession&) = delete;
    PortalSession& operator=(const PortalSession&) = delete;

    /// Asks the desktop; the outcome comes once through on_started.
    void start(Callbacks callbacks);
    /// After `started`: the shared stream and a PipeWire remote that sees only it (-1 on
    /// failure; the caller owns the fd).
    PortalStream stream() const;
    /// The customer shared the screen but left remote interaction off.
    bool view_only() const;
    int open_pipewire_remote();

    /// Input, in the stream's coordinates and the portal's terms.
    void pointer_position(double x, double y);
    void pointer_button(int evdev_code, bool pressed);
    void scroll(int vertical_steps, int horizontal_steps);
    void key(std::uint32_t keysym, bool pressed);

    /// Ends the session on the desktop now (its sharing indicator goes away). Idempotent.
    void close();

    struct State;

  private:
    std::unique_ptr<State> state_;
};

}  // namespace helpline::portal_vnc
