// ScreenCapture on X11, through GDK's own connection to the X server: its error traps make
// a window that vanished meanwhile an answer rather than a fatal X error, and an event
// filter sees the click that chooses a window while the pointer is grabbed.
#include <wx/timer.h>
#include <wx/toplevel.h>
#include <wx/weakref.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "client/gui/screen_capture_flow.h"

// After wx: Xlib's macros (None, Status, Bool) must not meet wx's or our headers.
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/cursorfont.h>
#include <X11/keysym.h>
#include <gdk/gdk.h>
#include <gdk/gdkx.h>
#include <gtk/gtk.h>

namespace helpline::gui {
namespace {

class X11Capture final : public ScreenCapture::Impl {
  public:
    GdkDisplay* gdk_display = nullptr;
    Display* display = nullptr;
    ::Window root = 0;
    std::vector<::Window> outer;  ///< the hidden windows' children of the root (a WM's frames)

    bool filter_added = false;
    bool pointer_grabbed = false;
    bool keyboard_grabbed = false;
    Cursor cursor = 0;
    std::optional<CaptureOutcome::State> chose;  ///< set by the filter: cancelled or captured
    ::Window chosen = 0;

    explicit X11Capture(ScreenCapture* o) : Impl(o) {}

    /// The X window of a wx top-level window, and its ancestor that is a child of the root.
    std::optional<::Window> outer_of(wxTopLevelWindow* window) const {
        GtkWidget* widget = window->GetHandle();
        if (widget == nullptr) return std::nullopt;
        GdkWindow* gdk_window = gtk_widget_get_window(widget);
        if (gdk_window == nullptr || !GDK_IS_X11_WINDOW(gdk_window)) return std::nullopt;
        ::Window w = gdk_x11_window_get_xid(gdk_window);
        gdk_x11_display_error_trap_push(gdk_display);
        for (int depth = 0; depth < 16; ++depth) {  // a window manager nests a frame or two
            ::Window root_return = 0, parent = 0;
            ::Window* children = nullptr;
            unsigned int count = 0;
            if (XQueryTree(display, w, &root_return, &parent, &children, &count) == 0) break;
            if (children != nullptr) XFree(children);
            if (parent == root || parent == 0) break;
            w = parent;
        }
        if (gdk_x11_display_error_trap_pop(gdk_display) != 0) return std::nullopt;
        return w;
    }

    /// Whether the X server shows none of the hidden windows any more.
    bool all_unmapped() const {
        bool unmapped = true;
        gdk_x11_display_error_trap_push(gdk_display);
        for (const ::Window w : outer) {
            XWindowAttributes a{};
            if (XGetWindowAttributes(display, w, &a) != 0 && a.map_state == IsViewable)
                unmapped = false;
        }
        gdk_x11_display_error_trap_pop_ignored(gdk_display);  // a window gone is unmapped too
        return unmapped;
    }

    std::optional<CapturedImage> grab() const override {
        GdkWindow* gdk_root = gdk_get_default_root_window();
        GdkPixbuf* pixbuf = gdk_pixbuf_get_from_window(gdk_root, x, y, width, height);
        if (pixbuf == nullptr) return std::nullopt;
        CapturedImage image;
        image.width = gdk_pixbuf_get_width(pixbuf);
        image.height = gdk_pixbuf_get_height(pixbuf);
        const int channels = gdk_pixbuf_get_n_channels(pixbuf);
        const int stride = gdk_pixbuf_get_rowstride(pixbuf);
        const guchar* pixels = gdk_pixbuf_read_pixels(pixbuf);
        image.rgb.resize(static_cast<std::size_t>(image.width) * image.height * 3);
        unsigned char* out = image.rgb.data();
        for (int row = 0; row < image.height; ++row) {
            const guchar* in = pixels + static_cast<std::ptrdiff_t>(row) * stride;
            for (int col = 0; col < image.width; ++col, in += channels) {
                *out++ = in[0];
                *out++ = in[1];
                *out++ = in[2];
            }
        }
        g_object_unref(pixbuf);
        return image;
    }

    std::string grab_problem() const override {
        return "The X server did not give the screen's picture.";
    }

    void start() override {
        gdk_display = gdk_display_get_default();
        if (gdk_display == nullptr || !GDK_IS_X11_DISPLAY(gdk_display))
            return fail("The screen cannot be captured: this is not an X11 display.");
        display = gdk_x11_display_get_xdisplay(gdk_display);
        root = DefaultRootWindow(display);
        GdkWindow* gdk_root = gdk_get_default_root_window();
        width = gdk_window_get_width(gdk_root);
        height = gdk_window_get_height(gdk_root);

        for (auto& window : hidden) {
            if (!window || !window->IsShown()) continue;
            if (window->IsActive()) active = window.get();
            if (auto w = outer_of(window.get())) outer.push_back(*w);
        }
        std::erase_if(hidden, [](const auto& w) { return !w || !w->IsShown(); });
        for (auto& window : hidden) window->Hide();
        gdk_display_flush(gdk_display);
        phase = Phase::hiding;
        deadline = Clock::now() + timing.hide_deadline;
        tick();
    }

    void tick() override {
        switch (phase) {
            case Phase::hiding:
                if (all_unmapped()) {
                    if (mode == CaptureMode::window) {
                        phase = Phase::grabbing;
                        deadline = Clock::now() + std::chrono::seconds(1);
                    } else {
                        begin_settling();
                    }
                    return tick();
                }
                return still_hiding();
            case Phase::grabbing:
                if (grab_input()) {
                    return begin_choosing();
                }
                if (Clock::now() >= deadline)
                    return fail(
                        "The pointer could not be grabbed to choose a window (another "
                        "program holds it).");
                return schedule(timing.poll);
            case Phase::choosing:
                if (chose) return take_choice(*chose);
                if (Clock::now() >= deadline) return finish_cancelled();  // the input goes too
                return schedule(timing.poll);
            case Phase::settling:
                return settle();
            case Phase::idle:
            case Phase::finished:
                return;
        }
    }

    bool grab_input() {
        if (!filter_added) {
            gdk_window_add_filter(nullptr, &X11Capture::filter, this);
            filter_added = true;
        }
        if (cursor == 0) cursor = XCreateFontCursor(display, XC_crosshair);
        if (!pointer_grabbed)
            pointer_grabbed = XGrabPointer(display, root, False,
                                           ButtonPressMask | ButtonReleaseMask, GrabModeAsync,
                                           GrabModeAsync, None, cursor, CurrentTime) == GrabSuccess;
        // Esc cancels; without the keyboard the right button still does.
        if (!keyboard_grabbed)
            keyboard_grabbed = XGrabKeyboard(display, root, False, GrabModeAsync, GrabModeAsync,
                                             CurrentTime) == GrabSuccess;
        XFlush(display);
        return pointer_grabbed;
    }

    void release_input() override {
        if (pointer_grabbed) XUngrabPointer(display, CurrentTime);
        if (keyboard_grabbed) XUngrabKeyboard(display, CurrentTime);
        pointer_grabbed = keyboard_grabbed = false;
        if (cursor != 0) XFreeCursor(display, cursor);
        cursor = 0;
        if (filter_added) gdk_window_remove_filter(nullptr, &X11Capture::filter, this);
        filter_added = false;
        if (display != nullptr) XFlush(display);
    }

    static GdkFilterReturn filter(GdkXEvent* native, GdkEvent*, gpointer data) {
        auto* self = static_cast<X11Capture*>(data);
        auto* event = static_cast<XEvent*>(native);
        if (self->phase != Phase::choosing) return GDK_FILTER_CONTINUE;
        switch (event->type) {
            case ButtonPress:
                if (!self->chose) {
                    if (event->xbutton.button == Button1) {
                        self->chosen = event->xbutton.subwindow;  // None: the bare desktop
                        self->chose = CaptureOutcome::State::captured;
                    } else if (event->xbutton.button == Button3) {
                        self->chose = CaptureOutcome::State::cancelled;
                    }
                }
                return GDK_FILTER_REMOVE;
            case ButtonRelease:
                return GDK_FILTER_REMOVE;
            case KeyPress:
                if (XLookupKeysym(&event->xkey, 0) == XK_Escape && !self->chose)
                    self->chose = CaptureOutcome::State::cancelled;
                return GDK_FILTER_REMOVE;
            case KeyRelease:
                return GDK_FILTER_REMOVE;
            default:
                return GDK_FILTER_CONTINUE;
        }
    }

    /// The chosen window's rectangle on the screen (with its frame), cut to the screen.
    bool region_of_chosen() override {
        if (chosen == 0) return true;  // a click on the desktop itself: the whole screen
        gdk_x11_display_error_trap_push(gdk_display);
        XWindowAttributes a{};
        const bool ok = XGetWindowAttributes(display, chosen, &a) != 0;
        if (gdk_x11_display_error_trap_pop(gdk_display) != 0 || !ok) return false;
        return crop(a.x, a.y, a.x + a.width + 2 * a.border_width, a.y + a.height + 2 * a.border_width);
    }
};

}  // namespace

std::unique_ptr<ScreenCapture::Impl> make_capture_impl(ScreenCapture* owner) {
    return std::make_unique<X11Capture>(owner);
}

bool ScreenCapture::available() {
    // Under XWayland (a Wayland desktop, this client on X11) the root window holds only the
    // X programs' windows: the picture would not be what the customer sees.
    const char* session = std::getenv("XDG_SESSION_TYPE");
    const char* wayland = std::getenv("WAYLAND_DISPLAY");
    if ((session != nullptr && std::string_view(session) == "wayland") ||
        (wayland != nullptr && wayland[0] != '\0'))
        return false;
    GdkDisplay* display = gdk_display_get_default();
    return display != nullptr && GDK_IS_X11_DISPLAY(display);
}

}  // namespace helpline::gui
