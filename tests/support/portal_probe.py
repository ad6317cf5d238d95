#!/usr/bin/python3
"""A minimal xdg-desktop-portal RemoteDesktop client, for tests.

    portal_probe.py [--env FILE] [--timeout SECONDS] [--hold]

CreateSession -> SelectDevices (keyboard, pointer) -> SelectSources (one monitor, cursor
embedded, not persisted) -> Start, then closes the session. Prints one line per step,
flushed, so a test can follow it:

    session /org/freedesktop/portal/desktop/session/...
    start requested            (the desktop's dialog is coming)
    response N                 (0 shared, 1 cancelled by the user, 2 other)
    devices N                  (when shared: 1 keyboard | 2 pointer)
    stream NODE x y width height   (one line per PipeWire stream, when shared)
    closed

With --hold it keeps the session open after "response 0" until SIGTERM or SIGINT (so a
test can use the stream first), then closes it. Exit status 0 when the portal answered Start
(whatever the answer), 1 on any error or timeout (message on stderr).
"""

import argparse
import os
import signal
import sys


def load_env(path):
    """Adopts the NAME=value lines of `path` (headless_gnome.sh's environment file)."""
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            name, sep, value = line.rstrip("\n").partition("=")
            if sep:
                os.environ[name] = value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", help="NAME=value lines to run in (headless_gnome.sh writes them)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds to wait for the answer to Start (default 60)")
    parser.add_argument("--hold", action="store_true",
                        help="after a shared start, keep the session until SIGTERM")
    args = parser.parse_args()
    if args.env:
        load_env(args.env)
    # SIGTERM ends the program through the `finally` below, which closes the session.
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: sys.exit(0))

    # Imported only now: Gio reads DBUS_SESSION_BUS_ADDRESS on first use.
    from gi.repository import Gio, GLib

    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    sender = bus.get_unique_name()[1:].replace(".", "_")
    counter = [0]

    def request(method, interface, args_builder, timeout):
        """Calls a portal method that answers through a Request object; returns
        (response, results)."""
        counter[0] += 1
        token = f"probe{os.getpid()}_{counter[0]}"
        path = f"/org/freedesktop/portal/desktop/request/{sender}/{token}"
        answer = {}
        loop = GLib.MainLoop()

        def on_response(_conn, _sender, _path, _iface, _signal, params):
            answer["response"], answer["results"] = params.unpack()
            loop.quit()

        # Subscribed before the call, so the answer cannot arrive unseen.
        sub = bus.signal_subscribe("org.freedesktop.portal.Desktop",
                                   "org.freedesktop.portal.Request", "Response", path, None,
                                   Gio.DBusSignalFlags.NONE, on_response)
        try:
            reply = bus.call_sync("org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
                                  interface, method, args_builder(token), None,
                                  Gio.DBusCallFlags.NONE, 10000, None)
            (handle,) = reply.unpack()
            if handle != path:
                raise RuntimeError(f"{method}: the portal answered on {handle}, expected {path}")
            timer = GLib.timeout_add(int(timeout * 1000), loop.quit)
            loop.run()
            if "response" not in answer:
                raise RuntimeError(f"{method}: no answer within {timeout:g} s")
            GLib.source_remove(timer)
            return answer["response"], answer["results"]
        finally:
            bus.signal_unsubscribe(sub)

    rd = "org.freedesktop.portal.RemoteDesktop"
    sc = "org.freedesktop.portal.ScreenCast"
    session = None
    try:
        response, results = request("CreateSession", rd, lambda token: GLib.Variant(
            "(a{sv})", ({"handle_token": GLib.Variant("s", token),
                         "session_handle_token": GLib.Variant("s", token)},)), 10)
        if response != 0:
            raise RuntimeError(f"CreateSession answered {response}")
        session = results["session_handle"]
        print(f"session {session}", flush=True)

        response, _ = request("SelectDevices", rd, lambda token: GLib.Variant(
            "(oa{sv})", (session, {"handle_token": GLib.Variant("s", token),
                                   "types": GLib.Variant("u", 1 | 2),
                                   "persist_mode": GLib.Variant("u", 0)})), 10)
        if response != 0:
            raise RuntimeError(f"SelectDevices answered {response}")

        response, _ = request("SelectSources", sc, lambda token: GLib.Variant(
            "(oa{sv})", (session, {"handle_token": GLib.Variant("s", token),
                                   "types": GLib.Variant("u", 1),       # monitor
                                   "multiple": GLib.Variant("b", False),
                                   "cursor_mode": GLib.Variant("u", 2),  # embedded
                                   "persist_mode": GLib.Variant("u", 0)})), 10)
        if response != 0:
            raise RuntimeError(f"SelectSources answered {response}")

        print("start requested", flush=True)
        response, results = request("Start", rd, lambda token: GLib.Variant(
            "(osa{sv})", (session, "", {"handle_token": GLib.Variant("s", token)})), args.timeout)
        print(f"response {response}", flush=True)
        if response == 0:
            print(f"devices {results.get('devices', 0)}", flush=True)
            for node, props in results.get("streams", []):
                x, y = props.get("position", (0, 0))
                w, h = props.get("size", (0, 0))
                print(f"stream {node} {x} {y} {w} {h}", flush=True)
            if args.hold:
                while True:
                    signal.pause()
        return 0
    except (RuntimeError, GLib.Error) as error:
        print(f"portal_probe.py: {error}", file=sys.stderr)
        return 1
    finally:
        if session is not None:
            try:
                bus.call_sync("org.freedesktop.portal.Desktop", session,
                              "org.freedesktop.portal.Session", "Close", None, None,
                              Gio.DBusCallFlags.NONE, 5000, None)
            except GLib.Error:
                pass  # already closed by the portal (a cancelled Start closes it)
            print("closed", flush=True)


if __name__ == "__main__":
    sys.exit(main())
