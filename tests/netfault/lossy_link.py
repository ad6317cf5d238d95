#!/usr/bin/env python3
"""A point-to-point IP link in user space, with netem's loss and delay.

    lossy_link.py TUN_A TUN_B CONTROL_FILE

This machine's kernel has no sch_netem (`tc qdisc add ... netem` answers "Specified qdisc
kind is unknown"), so the link between the test's network namespace and the root
namespace is two TUN devices and this program between them: every IP packet one kernel
sends out of one device is written into the other device after the configured delay,
unless it is lost. Both TCP stacks see real loss, delay and silence, exactly as through a
netem qdisc on a veth pair.

The two devices are made here in the caller's namespace (the test then moves TUN_B into
its namespace, the open file descriptor stays attached); they vanish when this program
ends. CONTROL_FILE holds one line, `loss=PERCENT delay_ms=MS` (loss=100 cuts the link);
it is read again whenever it changes (the test replaces it with mv) and each new setting
is acknowledged on stdout as `applied loss=... delay_ms=... at=UNIX_TIME`, so the test
knows when the fault starts and ends. SIGTERM prints the packet counts and exits.
"""

import collections
import fcntl
import os
import random
import select
import signal
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
QUEUE_LIMIT = 1000  # packets waiting per direction, netem's default limit
CONTROL_POLL_S = 0.05


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    os.set_blocking(fd, False)
    return fd


def read_control(path):
    try:
        with open(path) as f:
            words = dict(w.split("=", 1) for w in f.read().split())
        return float(words["loss"]), int(words["delay_ms"])
    except (OSError, ValueError, KeyError):
        return None


def main():
    name_a, name_b, control = sys.argv[1:4]
    fds = {"a": open_tun(name_a), "b": open_tun(name_b)}
    other = {"a": "b", "b": "a"}
    queues = {"a": collections.deque(), "b": collections.deque()}  # (due, packet) to write out
    counts = {(d, what): 0 for d in ("a>b", "b>a") for what in ("sent", "lost")}
    loss, delay_s = 0.0, 0.0
    seen_mtime = None
    next_control = 0.0
    rng = random.Random()

    def report(*_):
        print("counts " + " ".join(f"{d}.{w}={n}" for (d, w), n in sorted(counts.items())),
              flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, report)
    signal.signal(signal.SIGINT, report)
    print(f"ready {name_a} {name_b}", flush=True)
    while True:
        now = time.monotonic()
        if now >= next_control:
            next_control = now + CONTROL_POLL_S
            try:
                mtime = os.stat(control).st_mtime_ns
            except OSError:
                mtime = None
            if mtime != seen_mtime:
                seen_mtime = mtime
                setting = read_control(control)
                if setting is not None:
                    loss, delay_s = setting[0] / 100.0, setting[1] / 1000.0
                    print(f"applied loss={setting[0]:g} delay_ms={setting[1]} at={time.time():.3f}",
                          flush=True)
        timeout = next_control - now
        for q in queues.values():
            if q:
                timeout = min(timeout, q[0][0] - now)
        readable, _, _ = select.select(list(fds.values()), [], [], max(timeout, 0))
        now = time.monotonic()
        for side, fd in fds.items():
            if fd not in readable:
                continue
            direction = f"{side}>{other[side]}"
            for _ in range(64):  # a burst at a time, then the other side and the queues
                try:
                    packet = os.read(fd, 65535)
                except BlockingIOError:
                    break
                queue = queues[other[side]]
                if rng.random() < loss or len(queue) >= QUEUE_LIMIT:
                    counts[(direction, "lost")] += 1
                    continue
                counts[(direction, "sent")] += 1
                queue.append((now + delay_s, packet))
        for side, queue in queues.items():
            while queue and queue[0][0] <= now:
                _, packet = queue.popleft()
                try:
                    os.write(fds[side], packet)
                except OSError:
                    pass  # the device is down: the packet is lost, as on a cable


if __name__ == "__main__":
    main()
