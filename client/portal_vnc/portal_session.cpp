#include "client/portal_vnc/portal_session.h"

#include <fmt/format.h>
#include <libportal/portal.h>

namespace helpline::portal_vnc {

struct PortalSession::State {
    XdpPortal* portal = nullptr;
    XdpSession* session = nullptr;
    GCancellable* cancellable = nullptr;
    Callbacks callbacks;
    gulong closed_handler = 0;
    bool closed = false;
    bool view_only = false;
    PortalStream stream;

    void report(PortalOutcome outcome, const std::string& message) {
        auto on_started = std::move(callbacks.on_started);
        callbacks.on_started = nullptr;
        if (on_started) on_started(outcome, message);
    }
};

namespace {

using State = PortalSession::State;

std::string error_text(const GError* error) {
    return error != nullptr && error->message != nullptr ? error->message : "unknown error";
}

/// Whether the error says the portal has no such interface or method (an older portal, or
/// a desktop whose portal backend lacks RemoteDesktop).
bool is_missing_interface(const GError* error) {
    if (error == nullptr) return false;
    if (error->domain == G_DBUS_ERROR)
        return error->code == G_DBUS_ERROR_UNKNOWN_METHOD ||
               error->code == G_DBUS_ERROR_UNKNOWN_INTERFACE ||
               error->code == G_DBUS_ERROR_UNKNOWN_OBJECT ||
               error->code == G_DBUS_ERROR_SERVICE_UNKNOWN ||
               error->code == G_DBUS_ERROR_NAME_HAS_NO_OWNER;
    return false;
}

/// The first stream of the session: a(ua{sv}) with "size" (ii) when the portal gives it.
PortalStream first_stream(XdpSession* session) {
    PortalStream stream;
    GVariant* streams = xdp_session_get_streams(session);
    if (streams == nullptr || g_variant_n_children(streams) == 0) return stream;
    GVariant* properties = nullptr;
    guint32 node = 0;
    g_variant_get_child(streams, 0, "(u@a{sv})", &node, &properties);
    stream.node_id = node;
    gint32 width = 0, height = 0;
    if (properties != nullptr) {
        if (g_variant_lookup(properties, "size", "(ii)", &width, &height)) {
            stream.width = width;
            stream.height = height;
        }
        g_variant_unref(properties);
    }
    return stream;
}

void on_closed(XdpSession*, gpointer data) {
    auto* state = static_cast<State*>(data);
    if (state->closed) return;
    state->closed = true;
    if (state->callbacks.on_closed) state->callbacks.on_closed();
}

void on_session_started(GObject* source, GAsyncResult* result, gpointer data) {
    auto* state = static_cast<State*>(data);
    GError* error = nullptr;
    const gboolean ok = xdp_session_start_finish(XDP_SESSION(source), result, &error);
    if (!ok) {
        // libportal turns the portal's response 1 ("the user cancelled") into CANCELLED.
        const bool cancelled = g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
        const std::string message = error_text(error);
        g_clear_error(&error);
        if (cancelled)
            state->report(PortalOutcome::declined, "The desktop's sharing dialog was cancelled.");
        else
            state->report(PortalOutcome::failed,
                          fmt::format("The desktop did not start screen sharing: {}.", message));
        return;
    }
    // The desktop may share the screen without the right to control it ("Allow remote
    // interaction" left off): the session goes on, view only, and says so.
    const XdpDeviceType devices = xdp_session_get_devices(state->session);
    state->view_only = (devices & XDP_DEVICE_POINTER) == 0 && (devices & XDP_DEVICE_KEYBOARD) == 0;
    state->stream = first_stream(state->session);
    if (state->stream.node_id == 0) {
        state->report(PortalOutcome::failed, "The desktop shared no screen stream.");
        return;
    }
    state->closed_handler = g_signal_connect(state->session, "closed", G_CALLBACK(on_closed), state);
    state->report(PortalOutcome::started, "");
}

void on_session_created(GObject* source, GAsyncResult* result, gpointer data) {
    auto* state = static_cast<State*>(data);
    GError* error = nullptr;
    XdpSession* session =
        xdp_portal_create_remote_desktop_session_finish(XDP_PORTAL(source), result, &error);
    if (session == nullptr) {
        const bool missing = is_missing_interface(error);
        const std::string message = error_text(error);
        g_clear_error(&error);
        if (missing)
            state->report(PortalOutcome::unavailable,
                          fmt::format("This desktop offers no remote desktop portal ({}).", message));
        else
            state->report(PortalOutcome::failed,
                          fmt::format("The desktop could not create a remote desktop session: {}.",
                                      message));
        return;
    }
    state->session = session;
    xdp_session_start(session, nullptr, state->cancellable, on_session_started, state);
}

/// Whether the session bus has a portal with the RemoteDesktop interface. Asked before the
/// session so that a desktop without it (wlroots' portal has ScreenCast only) is told apart
/// from a failure: the launcher then tries the profile's next backend.
bool has_remote_desktop_portal(std::string& why) {
    GError* error = nullptr;
    GDBusConnection* bus = g_bus_get_sync(G_BUS_TYPE_SESSION, nullptr, &error);
    if (bus == nullptr) {
        why = fmt::format("no session bus: {}", error_text(error));
        g_clear_error(&error);
        return false;
    }
    GVariant* reply = g_dbus_connection_call_sync(
        bus, "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
        "org.freedesktop.DBus.Properties", "Get",
        g_variant_new("(ss)", "org.freedesktop.portal.RemoteDesktop", "version"),
        G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, 10'000, nullptr, &error);
    g_object_unref(bus);
    if (reply == nullptr) {
        why = error_text(error);
        g_clear_error(&error);
        return false;
    }
    g_variant_unref(reply);
    return true;
}

}  // namespace

PortalSession::PortalSession() : state_(std::make_unique<State>()) {}

PortalSession::~PortalSession() {
    close();
    if (state_->cancellable != nullptr) {
        g_cancellable_cancel(state_->cancellable);
        g_object_unref(state_->cancellable);
    }
    if (state_->session != nullptr) g_object_unref(state_->session);
    if (state_->portal != nullptr) g_object_unref(state_->portal);
}

void PortalSession::start(Callbacks callbacks) {
    State& s = *state_;
    s.callbacks = std::move(callbacks);
    std::string why;
    if (!has_remote_desktop_portal(why)) {
        s.report(PortalOutcome::unavailable,
                 fmt::format("This desktop offers no remote desktop portal ({}).", why));
        return;
    }
    s.portal = xdp_portal_new();
    s.cancellable = g_cancellable_new();
    // The cursor drawn into the picture: the operator sees exactly where it is, with any
    // VNC viewer, and there is no second cursor to keep in step.
    xdp_portal_create_remote_desktop_session(
        s.portal, static_cast<XdpDeviceType>(XDP_DEVICE_KEYBOARD | XDP_DEVICE_POINTER),
        XDP_OUTPUT_MONITOR, XDP_REMOTE_DESKTOP_FLAG_NONE, XDP_CURSOR_MODE_EMBEDDED, s.cancellable,
        on_session_created, &s);
}

PortalStream PortalSession::stream() const { return state_->stream; }

bool PortalSession::view_only() const { return state_->view_only; }

int PortalSession::open_pipewire_remote() {
    if (state_->session == nullptr) return -1;
    return xdp_session_open_pipewire_remote(state_->session);
}

void PortalSession::pointer_position(double x, double y) {
    if (state_->session != nullptr && !state_->closed)
        xdp_session_pointer_position(state_->session, state_->stream.node_id, x, y);
}

void PortalSession::pointer_button(int evdev_code, bool pressed) {
    if (state_->session != nullptr && !state_->closed)
        xdp_session_pointer_button(state_->session, evdev_code,
                                   pressed ? XDP_BUTTON_PRESSED : XDP_BUTTON_RELEASED);
}

void PortalSession::scroll(int vertical_steps, int horizontal_steps) {
    if (state_->session == nullptr || state_->closed) return;
    if (vertical_steps != 0)
        xdp_session_pointer_axis_discrete(state_->session, XDP_AXIS_VERTICAL_SCROLL, vertical_steps);
    if (horizontal_steps != 0)
        xdp_session_pointer_axis_discrete(state_->session, XDP_AXIS_HORIZONTAL_SCROLL,
                                          horizontal_steps);
}

void PortalSession::key(std::uint32_t keysym, bool pressed) {
    if (state_->session != nullptr && !state_->closed)
        xdp_session_keyboard_key(state_->session, TRUE, static_cast<int>(keysym),
                                 pressed ? XDP_KEY_PRESSED : XDP_KEY_RELEASED);
}

void PortalSession::close() {
    State& s = *state_;
    if (s.session == nullptr || s.closed) return;
    s.closed = true;
    if (s.closed_handler != 0) g_signal_handler_disconnect(s.session, s.closed_handler);
    s.closed_handler = 0;
    xdp_session_close(s.session);
}

}  // namespace helpline::portal_vnc
