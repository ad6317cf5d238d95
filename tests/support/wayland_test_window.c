/* A known picture and an input echo for the Wayland tests (GTK 3, GDK_BACKEND=wayland).
 *
 * A fullscreen window of four solid quadrants with exact colours, so that a test can compare
 * pixels of a frame of the screen:
 *     top left  red   (255, 0, 0)      top right     green (0, 255, 0)
 *     bottom left blue (0, 0, 255)     bottom right  white (255, 255, 255)
 * (the split is at width / 2 and height / 2, rounded down). Each event is one line on
 * stdout, flushed at once:
 *     ready                      fullscreen at its final size and drawn
 *     focus in | focus out       keyboard focus
 *     motion X Y                 the pointer's position as it enters the window and as it
 *                                moves, window coordinates (= screen when fullscreen)
 *     button N pressed|released  N as GDK numbers it: 1 left, 2 middle, 3 right
 *     scroll up|down|left|right  a discrete scroll step; "scroll DX DY" for smooth scrolling
 *     key NAME pressed|released  NAME the keysym's name (Tab, Return, a, Escape)
 */

#include <gtk/gtk.h>
#include <stdarg.h>
#include <stdio.h>

static gboolean ready_printed = FALSE;

static void emit(const char* format, ...) G_GNUC_PRINTF(1, 2);

static void emit(const char* format, ...) {
    va_list args;
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    putchar('\n');
    fflush(stdout);
}

/* Whether the window covers its whole monitor: before that the compositor has not yet
 * applied the fullscreen request, and a "ready" would let a test look too early. */
static gboolean covers_monitor(GtkWidget* widget) {
    GdkWindow* window = gtk_widget_get_window(widget);
    if (window == NULL || (gdk_window_get_state(window) & GDK_WINDOW_STATE_FULLSCREEN) == 0)
        return FALSE;
    GdkMonitor* monitor = gdk_display_get_monitor_at_window(gtk_widget_get_display(widget), window);
    if (monitor == NULL) return FALSE;
    GdkRectangle area;
    gdk_monitor_get_geometry(monitor, &area);
    return gtk_widget_get_allocated_width(widget) == area.width &&
           gtk_widget_get_allocated_height(widget) == area.height;
}

static gboolean on_draw(GtkWidget* widget, cairo_t* cr, gpointer data) {
    (void)data;
    const int width = gtk_widget_get_allocated_width(widget);
    const int height = gtk_widget_get_allocated_height(widget);
    const int half_w = width / 2;
    const int half_h = height / 2;
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    cairo_set_source_rgb(cr, 1, 0, 0);
    cairo_rectangle(cr, 0, 0, half_w, half_h);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 1, 0);
    cairo_rectangle(cr, half_w, 0, width - half_w, half_h);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 1);
    cairo_rectangle(cr, 0, half_h, half_w, height - half_h);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, half_w, half_h, width - half_w, height - half_h);
    cairo_fill(cr);
    if (!ready_printed && covers_monitor(widget)) {
        ready_printed = TRUE;
        emit("ready");
    }
    return TRUE;
}

static gboolean on_motion(GtkWidget* widget, GdkEventMotion* event, gpointer data) {
    (void)widget;
    (void)data;
    emit("motion %.0f %.0f", event->x, event->y);
    return TRUE;
}

/* The first position in the window comes as an enter event, without a motion event. */
static gboolean on_enter(GtkWidget* widget, GdkEventCrossing* event, gpointer data) {
    (void)widget;
    (void)data;
    emit("motion %.0f %.0f", event->x, event->y);
    return FALSE;
}

static gboolean on_button(GtkWidget* widget, GdkEventButton* event, gpointer data) {
    (void)widget;
    (void)data;
    /* Double and triple clicks come as extra events after the plain ones: not echoed. */
    if (event->type == GDK_BUTTON_PRESS)
        emit("button %u pressed", event->button);
    else if (event->type == GDK_BUTTON_RELEASE)
        emit("button %u released", event->button);
    return TRUE;
}

static gboolean on_scroll(GtkWidget* widget, GdkEventScroll* event, gpointer data) {
    (void)widget;
    (void)data;
    static const char* const names[] = {"up", "down", "left", "right"};
    if (event->direction == GDK_SCROLL_SMOOTH)
        emit("scroll %.1f %.1f", event->delta_x, event->delta_y);
    else if ((unsigned)event->direction < G_N_ELEMENTS(names))
        emit("scroll %s", names[event->direction]);
    return TRUE;
}

static gboolean on_key(GtkWidget* widget, GdkEventKey* event, gpointer data) {
    (void)widget;
    (void)data;
    const char* name = gdk_keyval_name(event->keyval);
    emit("key %s %s", name != NULL ? name : "unknown",
         event->type == GDK_KEY_PRESS ? "pressed" : "released");
    return TRUE;
}

static gboolean on_focus(GtkWidget* widget, GdkEventFocus* event, gpointer data) {
    (void)widget;
    (void)data;
    emit("focus %s", event->in ? "in" : "out");
    return FALSE;
}

int main(int argc, char** argv) {
    gtk_init(&argc, &argv);
    if (!GDK_IS_DISPLAY(gdk_display_get_default())) {
        fprintf(stderr,
                "wayland_test_window: no display (run with GDK_BACKEND=wayland and "
                "WAYLAND_DISPLAY of a running compositor)\n");
        return 1;
    }
    GtkWidget* window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
    gtk_window_set_title(GTK_WINDOW(window), "Helpline Wayland test window");
    gtk_widget_set_app_paintable(window, TRUE);
    gtk_widget_add_events(window,
                          GDK_POINTER_MOTION_MASK | GDK_ENTER_NOTIFY_MASK | GDK_BUTTON_PRESS_MASK |
                              GDK_BUTTON_RELEASE_MASK | GDK_SCROLL_MASK | GDK_SMOOTH_SCROLL_MASK |
                              GDK_KEY_PRESS_MASK | GDK_KEY_RELEASE_MASK | GDK_FOCUS_CHANGE_MASK);
    g_signal_connect(window, "draw", G_CALLBACK(on_draw), NULL);
    g_signal_connect(window, "motion-notify-event", G_CALLBACK(on_motion), NULL);
    g_signal_connect(window, "enter-notify-event", G_CALLBACK(on_enter), NULL);
    g_signal_connect(window, "button-press-event", G_CALLBACK(on_button), NULL);
    g_signal_connect(window, "button-release-event", G_CALLBACK(on_button), NULL);
    g_signal_connect(window, "scroll-event", G_CALLBACK(on_scroll), NULL);
    g_signal_connect(window, "key-press-event", G_CALLBACK(on_key), NULL);
    g_signal_connect(window, "key-release-event", G_CALLBACK(on_key), NULL);
    g_signal_connect(window, "focus-in-event", G_CALLBACK(on_focus), NULL);
    g_signal_connect(window, "focus-out-event", G_CALLBACK(on_focus), NULL);
    g_signal_connect(window, "destroy", G_CALLBACK(gtk_main_quit), NULL);
    gtk_window_fullscreen(GTK_WINDOW(window));
    gtk_widget_show_all(window);
    gtk_main();
    return 0;
}
