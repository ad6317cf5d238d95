// helpline-portal-vnc: the remote-session backend for Wayland desktops. The client's
// launcher starts it exactly as it starts x11vnc (argv from the signed profile, its own
// process group, a one-time password file); it asks the desktop, through xdg-desktop-portal,
// to share the screen and allow remote control — the desktop's own dialog, which the customer
// answers — then serves the PipeWire picture as VNC on 127.0.0.1 with that password, turns
// the viewer's pointer and keys into portal calls, and ends when the viewer leaves, the
// desktop ends the sharing, or it is told to stop (SIGTERM). docs/client.md describes it.
//
// Exit status: 0 the session ended; 1 an error (said on stderr); 2 bad arguments;
// 3 the customer cancelled the desktop's dialog; 4 no remote desktop portal on this desktop
// (client/core/backend_exit.h: the launcher tries the profile's next backend).

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <glib.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "client/core/backend_exit.h"
#include "client/portal_vnc/input_mapping.h"
#include "shared/vnc_password_file.h"
#include "client/portal_vnc/pipewire_capture.h"
#include "client/portal_vnc/portal_session.h"
#include "client/portal_vnc/rfb_server.h"

namespace {

using namespace helpline::portal_vnc;
namespace backend_exit = helpline::client::backend_exit;

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
/// How long the first picture may take once the desktop said yes.
constexpr guint kFirstFrameTimeoutMs = 15'000;
/// How often the VNC sockets are looked at (the viewer's input latency is at most this).
constexpr guint kRfbPollMs = 5;

struct Options {
    std::uint16_t port = 0;
    std::string password_file;
    /// As fast as the screen changes on a common monitor: the viewer's own requests pace what
    /// is sent, and at 30 the compositor's cap gave 23-28 frames/s where x11vnc gave 40+
    /// (docs/benchmarks.md, "Wayland capture").
    int max_fps = 60;
    bool verbose = false;
};

/// One session: the portal, then the capture, then the VNC server, on one GLib loop.
class Backend {
  public:
    Backend(Options options, std::string password)
        : options_(std::move(options)), password_(std::move(password)) {}

    int run() {
        loop_ = g_main_loop_new(nullptr, FALSE);
        for (int signal : {SIGTERM, SIGINT, SIGHUP})
            g_unix_signal_add(signal, &Backend::on_signal, this);
        portal_.start({[this](PortalOutcome outcome, const std::string& message) {
                           on_portal_started(outcome, message);
                       },
                       [this] { finish(0, "The desktop ended the screen sharing."); }});
        if (!exit_code_) g_main_loop_run(loop_);
        // Order: the viewer goes first (nobody sees more), then the stream, then the portal
        // session, whose Close must reach the desktop before this process is gone.
        rfb_.reset();
        capture_.reset();
        portal_.close();
        if (GDBusConnection* bus = g_bus_get_sync(G_BUS_TYPE_SESSION, nullptr, nullptr)) {
            g_dbus_connection_flush_sync(bus, nullptr, nullptr);
            g_object_unref(bus);
        }
        g_main_loop_unref(loop_);
        return exit_code_.value_or(0);
    }

  private:
    static gboolean on_signal(gpointer self) {
        static_cast<Backend*>(self)->finish(0, "");
        return G_SOURCE_CONTINUE;
    }

    void finish(int code, const std::string& message) {
        if (exit_code_) return;
        exit_code_ = code;
        if (!message.empty()) std::fprintf(stderr, "%s\n", message.c_str());
        if (loop_ != nullptr) g_main_loop_quit(loop_);
    }

    void on_portal_started(PortalOutcome outcome, const std::string& message) {
        switch (outcome) {
            case PortalOutcome::declined:
                return finish(backend_exit::kDeclinedOnDesktop, message);
            case PortalOutcome::unavailable:
                return finish(backend_exit::kUnavailable, message);
            case PortalOutcome::failed:
                return finish(kExitError, message);
            case PortalOutcome::started:
                break;
        }
        if (portal_.view_only())
            std::fprintf(stderr,
                         "The desktop shares the screen without remote interaction: the viewer "
                         "can watch but not control.\n");
        const int fd = portal_.open_pipewire_remote();
        if (fd < 0) return finish(kExitError, "The desktop did not open the screen stream.");
        auto capture = PipeWireCapture::start(
            fd, portal_.stream().node_id, options_.max_fps,
            {[this](const Frame& frame) { on_frame(frame); },
             [this](const std::string& why) { finish(0, "The screen stream ended: " + why); }});
        ::close(fd);
        if (!capture) return finish(kExitError, capture.error().message);
        capture_ = std::move(*capture);
        first_frame_timer_ = g_timeout_add(kFirstFrameTimeoutMs, &Backend::on_no_frame, this);
    }

    static gboolean on_no_frame(gpointer self) {
        auto* backend = static_cast<Backend*>(self);
        backend->first_frame_timer_ = 0;
        backend->finish(kExitError, "No picture came from the desktop's screen stream.");
        return G_SOURCE_REMOVE;
    }

    /// The first frame gives the size; only then does the port listen, which is what the
    /// launcher waits for.
    void on_frame(const Frame& frame) {
        if (!rfb_) {
            if (first_frame_timer_ != 0) g_source_remove(first_frame_timer_);
            first_frame_timer_ = 0;
            RfbOptions rfb_options;
            rfb_options.port = options_.port;
            rfb_options.password = password_;
            rfb_options.width = frame.view.width;
            rfb_options.height = frame.view.height;
            rfb_options.order = frame.order;
            rfb_options.verbose = options_.verbose;
            auto rfb = RfbServer::start(
                rfb_options,
                {[this](int x, int y, std::uint8_t buttons) { on_pointer(x, y, buttons); },
                 [this](std::uint32_t keysym, bool down) { portal_.key(keysym, down); },
                 [this] { finish(0, ""); },
                 [this] { finish(kExitError, ""); }});
            if (!rfb) return finish(kExitError, rfb.error().message);
            rfb_ = std::move(*rfb);
            g_timeout_add(kRfbPollMs, &Backend::on_rfb_poll, this);
        }
        rfb_->show(frame);
        rfb_->process();  // send now rather than at the next poll
    }

    static gboolean on_rfb_poll(gpointer self) {
        auto* backend = static_cast<Backend*>(self);
        if (!backend->rfb_) return G_SOURCE_REMOVE;
        backend->rfb_->process();
        return G_SOURCE_CONTINUE;
    }

    void on_pointer(int x, int y, std::uint8_t buttons) {
        if (x != pointer_x_ || y != pointer_y_) {
            portal_.pointer_position(x, y);
            pointer_x_ = x;
            pointer_y_ = y;
        }
        const PointerChanges changes = pointer_changes(buttons_, buttons);
        for (const auto& b : changes.buttons) portal_.pointer_button(b.evdev_code, b.pressed);
        portal_.scroll(changes.scroll_vertical, changes.scroll_horizontal);
        buttons_ = buttons;
    }

    Options options_;
    std::string password_;
    GMainLoop* loop_ = nullptr;
    PortalSession portal_;
    std::unique_ptr<PipeWireCapture> capture_;
    std::unique_ptr<RfbServer> rfb_;
    guint first_frame_timer_ = 0;
    std::optional<int> exit_code_;
    int pointer_x_ = -1, pointer_y_ = -1;
    std::uint8_t buttons_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    Options options;
    CLI::App app{
        "Shares this Wayland desktop's screen as VNC on 127.0.0.1 through the desktop's "
        "remote desktop portal (the desktop asks the user first). Started by the Helpline "
        "client for a remote session.",
        "helpline-portal-vnc"};
    app.add_option("--port", options.port, "TCP port on 127.0.0.1 to listen on")->required();
    app.add_option("--password-file", options.password_file,
                   "file holding the one-time VNC password; deleted once read")
        ->required();
    app.add_option("--max-fps", options.max_fps, "most frames per second to send")
        ->check(CLI::Range(1, 60));
    app.add_flag("--verbose", options.verbose, "log the VNC server's messages");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : kExitUsage;
    }
    auto password = helpline::take_password_file(options.password_file);
    if (!password) {
        std::fprintf(stderr, "%s\n", password.error().message.c_str());
        return kExitUsage;
    }
    return Backend(options, *password).run();
}
