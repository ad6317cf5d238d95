#!/usr/bin/python3
"""Drives a headless mutter from outside, through Mutter's own D-Bus API, for tests.

    mutter_desktop.py [--env FILE] [--timeout SECONDS] COMMAND ...

    keys KEY...          press and release each key in turn; a KEY is an X keysym name
                         (Tab, Return, Escape, a, space) or a chord (Control_L+a)
    move X Y             the pointer to (X, Y) of the monitor
    click X Y [BUTTON]   move there, then press and release BUTTON (left, middle, right)
    scroll up|down|left|right [STEPS]
                         discrete scroll steps where the pointer is
    shot FILE.png [--no-cursor]
                         one frame of the monitor, as PNG
    pixels X,Y...        one frame (without the pointer); prints "X Y R G B" per point
    answer-portal share|share-view-only|cancel [--shot FILE.png] [--save FILE.png]
                         waits until xdg-desktop-portal-gnome's "Remote desktop" dialog is on
                         the screen, then answers it: share (with "Allow remote interaction"
                         switched on), share-view-only, or cancel (Escape); checks that the
                         dialog took the answer. --shot: the screen with the dialog, as PNG,
                         before answering; --save: the screen as PNG if it fails.
    hold                 keeps a keyboard and a pointer plugged in until SIGTERM (prints
                         "holding" once they are); headless_gnome.sh runs it

It runs inside the session's environment (or --env FILE: headless_gnome.sh's NAME=value
lines). Input goes through an org.gnome.Mutter.RemoteDesktop session linked to a ScreenCast
session of the monitor (absolute pointer motion is relative to a stream), frames through a
ScreenCast session and gstreamer's pipewiresrc. Every command is bounded by --timeout
(default 15 s, answer-portal 30 s); on failure it exits 1 with a message on stderr.

Why `hold`: a headless mutter has no input device at all, so its Wayland seat offers no
keyboard and no pointer. Mutter creates a remote desktop session's virtual devices on their
first event and removes them with the session; without another device, each session would
make the seat's keyboard appear and vanish again, and the first events of a session would
reach no client (they arrive before the client has bound the new wl_keyboard). The held
devices play the part of a real desktop's keyboard and mouse.
"""

import argparse
import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import time

BUTTONS = {"left": 0x110, "right": 0x111, "middle": 0x112}  # evdev BTN_LEFT, ...
SCROLL = {"up": (0, -1), "down": (0, 1), "left": (1, -1), "right": (1, 1)}  # axis, steps
CURSOR_HIDDEN, CURSOR_EMBEDDED = 0, 1  # Mutter's cursor-mode values

# xdg-desktop-portal-gnome 43 (GTK 4, libadwaita 1.2): the "suggested action" colour of its
# Share button and of a switch that is on, and the header bar around the button.
ACCENT = bytes((53, 132, 228))
HEADER_BAR = (235, 235, 235)

GST_PACKAGES = ("gstreamer1.0-tools gstreamer1.0-pipewire gstreamer1.0-plugins-base "
                "gstreamer1.0-plugins-good")


class Failure(Exception):
    pass


def load_env(path):
    """Adopts the NAME=value lines of `path` (headless_gnome.sh's environment file)."""
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            name, sep, value = line.rstrip("\n").partition("=")
            if sep:
                os.environ[name] = value


class Deadline:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds
        self.seconds = seconds

    def left(self):
        return max(0.0, self.end - time.monotonic())

    def left_ms(self):
        return max(1, int(self.left() * 1000))

    def passed(self):
        return time.monotonic() >= self.end


def keysym(name):
    """The keysym value of an X keysym name, through libxkbcommon (mutter's own keymap
    library, so it is installed wherever mutter is)."""
    lib = ctypes.CDLL("libxkbcommon.so.0")
    lib.xkb_keysym_from_name.argtypes = [ctypes.c_char_p, ctypes.c_int]
    lib.xkb_keysym_from_name.restype = ctypes.c_uint32
    value = lib.xkb_keysym_from_name(name.encode(), 0)
    if value == 0:
        raise Failure(f"'{name}' is not a keysym name (examples: Tab, Return, Escape, a, "
                      "space, Control_L)")
    return value


class Mutter:
    """A session with mutter: a ScreenCast of the monitor (`record`), a RemoteDesktop session
    for input (`remote`), or both linked (absolute pointer motion needs the stream)."""

    def __init__(self, deadline, remote, record=True, cursor_mode=CURSOR_HIDDEN):
        from gi.repository import Gio, GLib
        self.Gio, self.GLib = Gio, GLib
        self.deadline = deadline
        try:
            self.bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
        except GLib.Error as error:
            raise Failure(f"no session bus: {error.message} (run inside headless_gnome.sh's "
                          "environment, or give --env FILE)") from None
        self.rd_session = None
        self.sc_session = None
        self.stream = None
        self.node = None
        self.size = None
        sc_props = {}
        if remote:
            (self.rd_session,) = self.call("org.gnome.Mutter.RemoteDesktop",
                                           "/org/gnome/Mutter/RemoteDesktop",
                                           "org.gnome.Mutter.RemoteDesktop", "CreateSession",
                                           None)
            session_id = self.property("org.gnome.Mutter.RemoteDesktop", self.rd_session,
                                       "org.gnome.Mutter.RemoteDesktop.Session", "SessionId")
            sc_props["remote-desktop-session-id"] = GLib.Variant("s", session_id)
        if not record:
            self.remote("Start", "()")
            return
        (self.sc_session,) = self.call("org.gnome.Mutter.ScreenCast", "/org/gnome/Mutter/ScreenCast",
                                       "org.gnome.Mutter.ScreenCast", "CreateSession",
                                       GLib.Variant("(a{sv})", (sc_props,)))
        # "" is the primary monitor: the virtual one.
        (self.stream,) = self.call("org.gnome.Mutter.ScreenCast", self.sc_session,
                                   "org.gnome.Mutter.ScreenCast.Session", "RecordMonitor",
                                   GLib.Variant("(sa{sv})", ("", {
                                       "cursor-mode": GLib.Variant("u", cursor_mode)})))
        nodes = []
        sub = self.bus.signal_subscribe("org.gnome.Mutter.ScreenCast",
                                        "org.gnome.Mutter.ScreenCast.Stream",
                                        "PipeWireStreamAdded", self.stream, None,
                                        Gio.DBusSignalFlags.NONE,
                                        lambda *a: nodes.append(a[5].unpack()[0]))
        try:
            # A linked screencast session is started through its remote desktop session.
            if remote:
                self.remote("Start", "()")
            else:
                self.call("org.gnome.Mutter.ScreenCast", self.sc_session,
                          "org.gnome.Mutter.ScreenCast.Session", "Start", None)
            context = GLib.MainContext.default()
            while not nodes and not self.deadline.passed():
                if not context.iteration(False):
                    time.sleep(0.005)
            if not nodes:
                raise Failure("mutter did not announce the PipeWire stream of the monitor in "
                              f"{self.deadline.seconds:g} s")
            self.node = nodes[0]
        finally:
            self.bus.signal_unsubscribe(sub)
        parameters = self.property("org.gnome.Mutter.ScreenCast", self.stream,
                                   "org.gnome.Mutter.ScreenCast.Stream", "Parameters")
        self.size = tuple(parameters["size"])

    def call(self, dest, path, interface, method, args):
        try:
            reply = self.bus.call_sync(dest, path, interface, method, args, None,
                                       self.Gio.DBusCallFlags.NONE, self.deadline.left_ms(), None)
        except self.GLib.Error as error:
            raise Failure(f"{interface}.{method} failed: {error.message} (is this the "
                          "environment of a running headless_gnome.sh? --env FILE)") from None
        return reply.unpack() if reply is not None else ()

    def property(self, dest, path, interface, name):
        (value,) = self.call(dest, path, "org.freedesktop.DBus.Properties", "Get",
                             self.GLib.Variant("(ss)", (interface, name)))
        return value

    def remote(self, method, signature, *args):
        self.call("org.gnome.Mutter.RemoteDesktop", self.rd_session,
                  "org.gnome.Mutter.RemoteDesktop.Session", method,
                  self.GLib.Variant(signature, args))

    def move(self, x, y):
        self.remote("NotifyPointerMotionAbsolute", "(sdd)", self.stream, float(x), float(y))

    def button(self, code, pressed):
        self.remote("NotifyPointerButton", "(ib)", code, pressed)

    def click(self, x, y, code=BUTTONS["left"]):
        self.move(x, y)
        self.button(code, True)
        self.button(code, False)

    def key(self, value, pressed):
        self.remote("NotifyKeyboardKeysym", "(ub)", value, pressed)

    def tap(self, *names):
        """Presses the keys of a chord in order, then releases them in reverse."""
        values = [keysym(name) for name in names]
        for value in values:
            self.key(value, True)
        for value in reversed(values):
            self.key(value, False)

    def close(self):
        try:
            if self.rd_session:
                self.remote("Stop", "()")
            elif self.sc_session:
                self.call("org.gnome.Mutter.ScreenCast", self.sc_session,
                          "org.gnome.Mutter.ScreenCast.Session", "Stop", None)
        except Failure:
            pass  # the session ends with our bus connection anyway


def run_gst(pipeline, what, deadline):
    command = ["gst-launch-1.0", "-q"] + pipeline
    try:
        result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                timeout=deadline.left())
    except FileNotFoundError:
        raise Failure("gst-launch-1.0 is missing: apt-get install -y --no-install-recommends "
                      + GST_PACKAGES) from None
    except subprocess.TimeoutExpired:
        raise Failure(f"no frame for {what} within {deadline.seconds:g} s") from None
    if result.returncode != 0:
        raise Failure(f"gst-launch-1.0 could not grab a frame for {what} (status "
                      f"{result.returncode}): {result.stderr.strip()} (needs {GST_PACKAGES})")


def grab_png(path, cursor_mode, deadline):
    session = Mutter(deadline, remote=False, cursor_mode=cursor_mode)
    try:
        run_gst(["pipewiresrc", f"path={session.node}", "num-buffers=1", "!", "videoconvert", "!",
                 "pngenc", "!", "filesink", f"location={path}"], path, deadline)
    finally:
        session.close()
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        raise Failure(f"gst-launch-1.0 wrote no picture to {path}")


class Frame:
    """One frame of the monitor as packed RGB rows."""

    def __init__(self, width, height, data):
        self.width, self.height, self.data = width, height, data

    def pixel(self, x, y):
        offset = (y * self.width + x) * 3
        return tuple(self.data[offset:offset + 3])

    def runs(self, colour, min_length):
        """(y, x0, x1) for each horizontal run of at least `min_length` pixels of `colour`."""
        found = []
        needle = colour * min_length
        stride = self.width * 3
        for y in range(self.height):
            row = self.data[y * stride:(y + 1) * stride]
            start = row.find(needle)
            while start >= 0:
                if start % 3 != 0:  # a match across pixel boundaries
                    start = row.find(needle, start + 1)
                    continue
                end = start + len(needle)
                while row[end:end + 3] == colour:
                    end += 3
                found.append((y, start // 3, end // 3 - 1))
                start = row.find(needle, end)
        return found

    def blobs(self, colour, min_length):
        """Bounding boxes [x0, y0, x1, y1] of areas of `colour`, from runs that overlap
        row by row."""
        boxes = []
        for y, x0, x1 in self.runs(colour, min_length):
            for box in boxes:
                if box[3] >= y - 1 and x0 <= box[2] and x1 >= box[0]:
                    box[0], box[2], box[3] = min(box[0], x0), max(box[2], x1), y
                    break
            else:
                boxes.append([x0, y, x1, y])
        return boxes


def grab_frame(deadline):
    session = Mutter(deadline, remote=False, cursor_mode=CURSOR_HIDDEN)
    width, height = session.size
    with tempfile.NamedTemporaryFile(prefix="mutter-frame-", suffix=".rgb") as raw:
        try:
            run_gst(["pipewiresrc", f"path={session.node}", "num-buffers=1", "!", "videoconvert",
                     "!", f"video/x-raw,format=RGB,width={width},height={height}", "!",
                     "filesink", f"location={raw.name}"], "the pixels", deadline)
        finally:
            session.close()
        data = raw.read()
    # GStreamer pads RGB rows to 4 bytes; drop the padding so that rows are packed.
    stride = (width * 3 + 3) & ~3
    if len(data) != stride * height:
        raise Failure(f"a frame of {len(data)} bytes, expected {stride * height} for "
                      f"{width}x{height}")
    if stride != width * 3:
        data = b"".join(data[y * stride:y * stride + width * 3] for y in range(height))
    return Frame(width, height, data)


def find_share_button(frame):
    """The box of the portal dialog's Share button when it is on the screen and sensitive:
    an area of the accent colour, at least 40x16, with the header bar on both sides."""
    for x0, y0, x1, y1 in frame.blobs(ACCENT, 12):
        if x1 - x0 < 40 or y1 - y0 < 16 or x0 < 3 or x1 + 3 >= frame.width:
            continue
        middle = (y0 + y1) // 2
        if frame.pixel(x0 - 3, middle) == HEADER_BAR and frame.pixel(x1 + 3, middle) == HEADER_BAR:
            return x0, y0, x1, y1
    return None


def switch_on(frame, button):
    """Whether an accent-coloured switch (on) shows below the Share button."""
    return any(y0 > button[3] and y1 - y0 >= 12 for _, y0, _, y1 in frame.blobs(ACCENT, 12))


def wait_frame(deadline, predicate, what):
    """Grabs frames until `predicate(frame)` holds; returns its value."""
    while True:
        frame = grab_frame(deadline)
        value = predicate(frame)
        if value:
            return value
        if deadline.passed():
            raise Failure(f"{what} within {deadline.seconds:g} s")
        time.sleep(0.1)


def answer_dialog(desktop, answer, deadline, shot=None):
    started = time.monotonic()
    # Out of the way: a pointer over the Share button would change its colour (hover).
    desktop.move(0, 0)
    button = wait_frame(deadline, find_share_button,
                        "xdg-desktop-portal-gnome's dialog (a blue Share button in a header "
                        "bar) did not appear")
    print(f"dialog visible after {time.monotonic() - started:.1f} s", flush=True)
    if shot:
        grab_png(shot, CURSOR_EMBEDDED, deadline)
    share_x, share_y = (button[0] + button[2]) // 2, (button[1] + button[3]) // 2
    # A click on the empty header bar left of Share gives the dialog the keyboard without
    # changing its focused widget (the monitor list, first in the focus chain).
    desktop.click(button[0] - 12, share_y)
    if answer == "cancel":
        desktop.tap("Escape")
    else:
        if answer == "share":
            # Focus chain: monitor list -> "Allow remote interaction" row -> its switch ->
            # Cancel -> Share; space on the row flips the switch.
            desktop.tap("Tab")
            desktop.tap("space")
            wait_frame(deadline, lambda frame: switch_on(frame, button),
                       "\"Allow remote interaction\" did not switch on")
        desktop.click(share_x, share_y)
    desktop.move(0, 0)
    wait_frame(deadline, lambda frame: find_share_button(frame) is None,
               "the dialog did not close after the answer")
    print(f"answered {answer} after {time.monotonic() - started:.1f} s", flush=True)


def cmd_answer_portal(args, deadline):
    desktop = Mutter(deadline, remote=True)
    try:
        answer_dialog(desktop, args.answer, deadline, args.shot)
    except Failure:
        if args.save:
            try:
                grab_png(args.save, CURSOR_EMBEDDED, Deadline(10))
            except Failure as error:
                print(f"mutter_desktop.py: could not save {args.save}: {error}", file=sys.stderr)
        raise
    finally:
        desktop.close()


def cmd_keys(args, deadline):
    chords = [["plus"] if key == "+" else key.split("+") for key in args.keys]
    for chord in chords:
        for name in chord:
            keysym(name)  # all names checked before any key goes down
    desktop = Mutter(deadline, remote=True)
    try:
        for chord in chords:
            desktop.tap(*chord)
    finally:
        desktop.close()


def cmd_move(args, deadline):
    desktop = Mutter(deadline, remote=True)
    try:
        desktop.move(args.x, args.y)
    finally:
        desktop.close()


def cmd_click(args, deadline):
    desktop = Mutter(deadline, remote=True)
    try:
        desktop.click(args.x, args.y, BUTTONS[args.button])
    finally:
        desktop.close()


def cmd_scroll(args, deadline):
    axis, step = SCROLL[args.direction]
    desktop = Mutter(deadline, remote=True, record=False)
    try:
        desktop.remote("NotifyPointerAxisDiscrete", "(ui)", axis, step * args.steps)
    finally:
        desktop.close()


def cmd_shot(args, deadline):
    grab_png(args.file, CURSOR_HIDDEN if args.no_cursor else CURSOR_EMBEDDED, deadline)


def cmd_pixels(args, deadline):
    points = []
    for text in args.points:
        try:
            x, y = (int(part) for part in text.split(","))
        except ValueError:
            raise Failure(f"'{text}' is not a point like 320,200") from None
        points.append((x, y))
    frame = grab_frame(deadline)
    for x, y in points:
        if not (0 <= x < frame.width and 0 <= y < frame.height):
            raise Failure(f"{x},{y} is outside the {frame.width}x{frame.height} monitor")
        print(x, y, *frame.pixel(x, y))


def cmd_hold(args, deadline):
    from gi.repository import GLib
    desktop = Mutter(deadline, remote=True, record=False)
    # Mutter creates each virtual device on its first event: a Shift tap and a null motion,
    # while no client has a window (headless_gnome.sh runs this before any test does).
    desktop.tap("Shift_L")
    desktop.remote("NotifyPointerMotionRelative", "(dd)", 0.0, 0.0)
    print("holding", flush=True)
    loop = GLib.MainLoop()
    for number in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, number, loop.quit)
    closed = desktop.bus.signal_subscribe("org.gnome.Mutter.RemoteDesktop",
                                          "org.gnome.Mutter.RemoteDesktop.Session", "Closed",
                                          desktop.rd_session, None,
                                          desktop.Gio.DBusSignalFlags.NONE,
                                          lambda *a: loop.quit())
    loop.run()
    desktop.bus.signal_unsubscribe(closed)
    desktop.deadline = Deadline(2)
    desktop.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", help="NAME=value lines to run in (headless_gnome.sh writes them)")
    parser.add_argument("--timeout", type=float,
                        help="seconds the whole command may take (default 15, answer-portal 30)")
    commands = parser.add_subparsers(dest="command", required=True)
    keys = commands.add_parser("keys", help="press and release keys (keysym names)")
    keys.add_argument("keys", nargs="+", metavar="KEY")
    keys.set_defaults(run=cmd_keys)
    move = commands.add_parser("move", help="move the pointer")
    move.add_argument("x", type=float)
    move.add_argument("y", type=float)
    move.set_defaults(run=cmd_move)
    click = commands.add_parser("click", help="click at a position")
    click.add_argument("x", type=float)
    click.add_argument("y", type=float)
    click.add_argument("button", nargs="?", default="left", choices=sorted(BUTTONS))
    click.set_defaults(run=cmd_click)
    scroll = commands.add_parser("scroll", help="scroll where the pointer is")
    scroll.add_argument("direction", choices=sorted(SCROLL))
    scroll.add_argument("steps", nargs="?", type=int, default=1)
    scroll.set_defaults(run=cmd_scroll)
    shot = commands.add_parser("shot", help="one frame of the monitor as PNG")
    shot.add_argument("file")
    shot.add_argument("--no-cursor", action="store_true", help="leave the pointer out")
    shot.set_defaults(run=cmd_shot)
    pixels = commands.add_parser("pixels", help="print the colours at points of the monitor")
    pixels.add_argument("points", nargs="+", metavar="X,Y")
    pixels.set_defaults(run=cmd_pixels)
    answer = commands.add_parser("answer-portal", help="answer xdg-desktop-portal-gnome's dialog")
    answer.add_argument("answer", choices=["share", "share-view-only", "cancel"])
    answer.add_argument("--shot", metavar="FILE.png", help="the screen with the dialog, as PNG")
    answer.add_argument("--save", metavar="FILE.png", help="the screen as PNG on failure")
    answer.set_defaults(run=cmd_answer_portal)
    hold = commands.add_parser("hold", help="keep a keyboard and a pointer until SIGTERM")
    hold.set_defaults(run=cmd_hold)
    args = parser.parse_args()
    if args.env:
        load_env(args.env)
    timeout = args.timeout or (30.0 if args.command == "answer-portal" else 15.0)
    try:
        args.run(args, Deadline(timeout))
    except Failure as failure:
        print(f"mutter_desktop.py {args.command}: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
