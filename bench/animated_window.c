/* The changing screen of bench/wayland_capture (GTK 3): the same picture on X11 (Xvfb,
 * GDK_BACKEND=x11) and on Wayland (GDK_BACKEND=wayland), so that both screen-sharing
 * programs are given the same work.
 *
 *     animated_window [--area WIDTHxHEIGHT]
 *
 * A window that covers its monitor and repaints at the frame clock's rate (60 Hz): vertical
 * grey bars, 16 pixels wide, whose shades move on by one step every frame, so that every
 * pixel of the animated area changes every frame (the worst case for a screen-sharing
 * program: every tile of the screen is new each time). --area animates only a rectangle of
 * that size in the middle of the window (say a video of 640x360) and leaves the rest black.
 *
 * The marker, for the latency measure: a 64x64 square in the middle of the window, cyan
 * (0, 255, 255) at first. SIGUSR1 switches it to the other colour (magenta (255, 0, 255),
 * then cyan again, ...); the frame that first shows the new colour prints
 *     marker N R G B NS
 * once GTK has handed it to the display server (the frame clock's after-paint), NS being
 * CLOCK_MONOTONIC nanoseconds and N counting the switches from 1. The bars are grey, so
 * neither colour ever appears anywhere but in the marker.
 *
 * SIGUSR2 stops the animation (the picture stays as it is) and starts it again, so that a
 * benchmark can keep one desktop quiet while it measures another.
 *
 * Other lines on stdout, flushed at once:
 *     ready           the window covers its monitor and was drawn
 *     frames N NS     every second: N frames drawn so far, at CLOCK_MONOTONIC NS
 */

#include <glib-unix.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { kBarWidth = 16, kMarkerSize = 64 };

typedef struct {
    int area_width; /* 0: the whole window */
    int area_height;
    guint64 frame;
    gboolean ready_printed;
    gboolean paused;
    int marker_count;     /* switches asked for (SIGUSR1) */
    int marker_drawn;     /* the switch shown by the last drawn frame */
    int marker_announced; /* the last switch printed */
    gint64 last_report_us;
} Animation;

static gint64 monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (gint64)now.tv_sec * 1000000000 + now.tv_nsec;
}

static void marker_colour(int switches, double rgb[3]) {
    const gboolean magenta = switches % 2 == 1;
    rgb[0] = magenta ? 1 : 0;
    rgb[1] = magenta ? 0 : 1;
    rgb[2] = 1;
}

/* Whether the window covers its whole monitor (X11 without a window manager never reports
 * "fullscreen", so the size is what counts). */
static gboolean covers_monitor(GtkWidget* widget) {
    GdkWindow* window = gtk_widget_get_window(widget);
    if (window == NULL) return FALSE;
    GdkMonitor* monitor = gdk_display_get_monitor_at_window(gtk_widget_get_display(widget), window);
    if (monitor == NULL) return FALSE;
    GdkRectangle area;
    gdk_monitor_get_geometry(monitor, &area);
    return gtk_widget_get_allocated_width(widget) == area.width &&
           gtk_widget_get_allocated_height(widget) == area.height;
}

static gboolean on_draw(GtkWidget* widget, cairo_t* cr, gpointer data) {
    Animation* a = data;
    const int width = gtk_widget_get_allocated_width(widget);
    const int height = gtk_widget_get_allocated_height(widget);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    int x0 = 0, y0 = 0, w = width, h = height;
    if (a->area_width > 0) {
        w = MIN(a->area_width, width);
        h = MIN(a->area_height, height);
        x0 = (width - w) / 2;
        y0 = (height - h) / 2;
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_paint(cr);
    }
    /* 47 shades between 32 and 220: a step of 4 per bar and per frame. */
    for (int x = 0, bar = 0; x < w; x += kBarWidth, ++bar) {
        const int shade = 32 + (int)((guint64)(bar + a->frame) % 47) * 4;
        cairo_set_source_rgb(cr, shade / 255.0, shade / 255.0, shade / 255.0);
        cairo_rectangle(cr, x0 + x, y0, MIN(kBarWidth, w - x), h);
        cairo_fill(cr);
    }
    double rgb[3];
    marker_colour(a->marker_count, rgb);
    cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
    cairo_rectangle(cr, (width - kMarkerSize) / 2, (height - kMarkerSize) / 2, kMarkerSize,
                    kMarkerSize);
    cairo_fill(cr);
    a->marker_drawn = a->marker_count;
    ++a->frame;
    if (!a->ready_printed && covers_monitor(widget)) {
        a->ready_printed = TRUE;
        printf("ready\n");
        fflush(stdout);
    }
    return TRUE;
}

/* After the frame went to the display server: the moment the screen changed, as far as
 * this program can know it. */
static void on_after_paint(GdkFrameClock* clock, gpointer data) {
    (void)clock;
    Animation* a = data;
    const gint64 now = monotonic_ns();
    if (a->marker_drawn != a->marker_announced) {
        a->marker_announced = a->marker_drawn;
        double rgb[3];
        marker_colour(a->marker_drawn, rgb);
        printf("marker %d %d %d %d %" G_GINT64_FORMAT "\n", a->marker_drawn, (int)rgb[0] * 255,
               (int)rgb[1] * 255, (int)rgb[2] * 255, now);
        fflush(stdout);
    }
    if (now / 1000 - a->last_report_us >= G_USEC_PER_SEC) {
        a->last_report_us = now / 1000;
        printf("frames %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT "\n", a->frame, now);
        fflush(stdout);
    }
}

static gboolean on_tick(GtkWidget* widget, GdkFrameClock* clock, gpointer data) {
    (void)clock;
    const Animation* a = data;
    if (!a->paused) gtk_widget_queue_draw(widget);
    return G_SOURCE_CONTINUE;
}

static gboolean on_usr1(gpointer data) {
    Animation* a = data;
    ++a->marker_count;
    return G_SOURCE_CONTINUE;
}

static gboolean on_usr2(gpointer data) {
    Animation* a = data;
    a->paused = !a->paused;
    return G_SOURCE_CONTINUE;
}

static void on_realize(GtkWidget* widget, gpointer data) {
    g_signal_connect(gtk_widget_get_frame_clock(widget), "after-paint", G_CALLBACK(on_after_paint),
                     data);
}

int main(int argc, char** argv) {
    static Animation animation;
    gtk_init(&argc, &argv);
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--area") == 0 && i + 1 < argc &&
            sscanf(argv[i + 1], "%dx%d", &animation.area_width, &animation.area_height) == 2 &&
            animation.area_width > 0 && animation.area_height > 0) {
            ++i;
            continue;
        }
        fprintf(stderr, "usage: animated_window [--area WIDTHxHEIGHT]\n");
        return 2;
    }
    GdkDisplay* display = gdk_display_get_default();
    if (!GDK_IS_DISPLAY(display)) {
        fprintf(stderr,
                "animated_window: no display (DISPLAY of an X server with GDK_BACKEND=x11, or "
                "WAYLAND_DISPLAY of a compositor with GDK_BACKEND=wayland)\n");
        return 1;
    }
    GdkRectangle monitor;
    gdk_monitor_get_geometry(gdk_display_get_monitor(display, 0), &monitor);

    GtkWidget* window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
    gtk_window_set_title(GTK_WINDOW(window), "Helpline capture benchmark");
    gtk_widget_set_app_paintable(window, TRUE);
    gtk_window_set_decorated(GTK_WINDOW(window), FALSE);
    /* X11 without a window manager ignores "fullscreen": there the size and the position
     * make the window cover the screen. */
    gtk_window_set_default_size(GTK_WINDOW(window), monitor.width, monitor.height);
    gtk_window_move(GTK_WINDOW(window), monitor.x, monitor.y);
    g_signal_connect(window, "draw", G_CALLBACK(on_draw), &animation);
    g_signal_connect(window, "realize", G_CALLBACK(on_realize), &animation);
    g_signal_connect(window, "destroy", G_CALLBACK(gtk_main_quit), NULL);
    gtk_widget_add_tick_callback(window, on_tick, &animation, NULL);
    g_unix_signal_add(SIGUSR1, on_usr1, &animation);
    g_unix_signal_add(SIGUSR2, on_usr2, &animation);
    gtk_window_fullscreen(GTK_WINDOW(window));
    gtk_widget_show_all(window);
    gtk_main();
    return 0;
}
