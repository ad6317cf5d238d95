#!/bin/bash
# A headless GNOME Wayland desktop for tests, private to this process:
#   headless_gnome.sh ENV_FILE [WIDTHxHEIGHT]
# starts a session bus, pipewire, wireplumber and mutter (--headless, one virtual monitor,
# default 1280x800) in a fresh 0700 folder, plugs in a keyboard and a pointer
# (mutter_desktop.py hold), waits (bounded) until Mutter's ScreenCast and RemoteDesktop
# D-Bus APIs, PipeWire's session manager and the portal's RemoteDesktop interface answer,
# then writes the environment a test needs as NAME=value lines to ENV_FILE (atomically: the
# file appears complete or not at all) and "ready in N ms" on stderr. It stays until SIGTERM
# or SIGINT (or until one of its components dies: exit 1), then stops everything it started
# and removes its folder. Failures are reported on stderr with the log of the component.
#
# Plain mutter is enough: xdg-desktop-portal-gnome shows its dialog as an ordinary Wayland
# window there, and gnome-shell would need a private system bus as well.
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 ENV_FILE [WIDTHxHEIGHT]" >&2
    exit 2
fi
env_file=$1
size=${2:-1280x800}
if ! [[ $size =~ ^[0-9]+x[0-9]+$ ]]; then
    echo "headless_gnome.sh: '$size' is not a size like 1280x800" >&2
    exit 2
fi

# Everything started here must be stoppable as one process group (the test's clean-up
# signals the group): lead a group of our own. setsid(1) does not fork when the caller is
# not a group leader, so the pid the caller waits for stays the same.
read -r -a self_stat </proc/$$/stat
if [ "${self_stat[4]}" != "$$" ]; then
    exec setsid /bin/bash "$0" "$@"
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
missing=()
for tool in dbus-daemon pipewire wireplumber mutter gdbus pw-cli; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
[ -x /usr/libexec/xdg-desktop-portal ] || missing+=(xdg-desktop-portal)
[ -x /usr/libexec/xdg-desktop-portal-gnome ] || missing+=(xdg-desktop-portal-gnome)
/usr/bin/python3 -c 'import gi; gi.require_version("Gio", "2.0")' 2>/dev/null ||
    missing+=(python3-gi)
if [ ${#missing[@]} -gt 0 ]; then
    echo "headless_gnome.sh: missing ${missing[*]}: apt-get install -y --no-install-recommends" \
        "dbus-daemon libglib2.0-bin pipewire pipewire-bin wireplumber mutter" \
        "xdg-desktop-portal xdg-desktop-portal-gnome python3-gi" >&2
    exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/helpline-gnome-XXXXXX") || exit 1
chmod 700 "$dir"
mkdir -m 700 "$dir/run" "$dir/config" "$dir/data" "$dir/cache" "$dir/state" "$dir/logs" \
    "$dir/services"

# The session's environment. Config, data and cache folders are private too, so that
# nothing of the user's desktop (monitors.xml, wireplumber state, portal permissions) leaks
# in and nothing is kept afterwards.
export XDG_RUNTIME_DIR=$dir/run
export PIPEWIRE_RUNTIME_DIR=$XDG_RUNTIME_DIR
export XDG_CONFIG_HOME=$dir/config XDG_DATA_HOME=$dir/data XDG_CACHE_HOME=$dir/cache
export XDG_STATE_HOME=$dir/state
export XDG_SESSION_TYPE=wayland XDG_CURRENT_DESKTOP=GNOME
export WAYLAND_DISPLAY=wayland-helpline
export DBUS_SESSION_BUS_ADDRESS=unix:path=$XDG_RUNTIME_DIR/bus
# No dconf, gvfs or accessibility bus: each would be one more daemon to start and stop.
# Settings come from a key file instead: animations off, so that a window is shown whole in
# the first frame after it maps (no fade-in for a screenshot to catch half-way).
export GSETTINGS_BACKEND=keyfile GIO_USE_VFS=local NO_AT_BRIDGE=1 GTK_A11Y=none
mkdir -p "$XDG_CONFIG_HOME/glib-2.0/settings"
printf '[org/gnome/desktop/interface]\nenable-animations=false\n' \
    >"$XDG_CONFIG_HOME/glib-2.0/settings/keyfile"
unset DISPLAY PIPEWIRE_REMOTE DBUS_SYSTEM_BUS_ADDRESS SESSION_MANAGER

pids=()
stopping=0

# Every live process of our group except this shell (and the subshell that runs this
# function for a command substitution).
group_members() {
    local stat fields
    for stat in /proc/[0-9]*/stat; do
        read -r -a fields 2>/dev/null <"$stat" || continue
        # comm is "(name)": names with spaces would shift the fields; ours have none.
        [ "${fields[4]:-}" = "$$" ] && [ "${fields[0]}" != "$$" ] &&
            [ "${fields[0]}" != "$BASHPID" ] && [ "${fields[2]}" != Z ] && echo "${fields[0]}"
    done
}

stop_all() {
    [ "$stopping" = 1 ] && return
    stopping=1
    trap '' TERM INT HUP
    local pid
    # The whole group: also the portal's services, which the bus started and left to init
    # (so, once stopped, init reaps them, not us).
    for pid in $(group_members); do
        kill -TERM "$pid" 2>/dev/null
    done
    for _ in $(seq 50); do
        [ -z "$(group_members)" ] && break
        sleep 0.1
    done
    for pid in $(group_members); do
        kill -KILL "$pid" 2>/dev/null
    done
    wait 2>/dev/null
    rm -rf "$dir"
}

fail() {
    echo "headless_gnome.sh: $1" >&2
    if [ -n "${2:-}" ] && [ -s "$dir/logs/$2.log" ]; then
        echo "--- last lines of $2's log:" >&2
        tail -n 30 "$dir/logs/$2.log" >&2
    fi
    stop_all
    exit 1
}

trap 'stop_all; exit 0' TERM INT HUP

# wait_for SECONDS WHAT LOG COMMAND...: polls COMMAND every 0.05 s until it succeeds.
wait_for() {
    local seconds=$1 what=$2 log=$3
    shift 3
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            fail "$what did not come up within $seconds s" "$log"
        fi
        sleep 0.05
    done
}

has_owner() {
    gdbus call --session --timeout 2 --dest org.freedesktop.DBus \
        --object-path /org/freedesktop/DBus --method org.freedesktop.DBus.NameHasOwner "$1" |
        grep -q true
}

# A bus of our own whose only activatable services are the portal's: no document portal
# (it mounts a FUSE file system through a setsid fusermount3 that would outlive our group).
for service in org.freedesktop.portal.Desktop org.freedesktop.impl.portal.desktop.gnome \
    org.freedesktop.impl.portal.PermissionStore; do
    ln -s "/usr/share/dbus-1/services/$service.service" "$dir/services/"
done
cat >"$dir/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:path=$XDG_RUNTIME_DIR/bus</listen>
  <auth>EXTERNAL</auth>
  <servicedir>$dir/services</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF

start_time=$(date +%s%N)
dbus-daemon --nofork --config-file="$dir/bus.conf" >"$dir/logs/dbus.log" 2>&1 &
pids+=($!)
wait_for 10 "the session bus" dbus test -S "$XDG_RUNTIME_DIR/bus"

pipewire >"$dir/logs/pipewire.log" 2>&1 &
pids+=($!)
wait_for 10 "pipewire" pipewire test -S "$XDG_RUNTIME_DIR/pipewire-0"

wireplumber >"$dir/logs/wireplumber.log" 2>&1 &
pids+=($!)

# Mutter is the compositor, not a client of another one.
env -u WAYLAND_DISPLAY mutter --headless --virtual-monitor "$size" --wayland --no-x11 \
    --wayland-display="$WAYLAND_DISPLAY" >"$dir/logs/mutter.log" 2>&1 &
pids+=($!)

# WirePlumber is ready when it has published the "default" metadata (its policy runs).
wp_ready() { pw-cli ls Metadata 2>/dev/null | grep -q 'metadata.name = "default"'; }
wait_for 15 "wireplumber" wireplumber wp_ready
wait_for 15 "mutter's Wayland socket" mutter test -S "$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY"
wait_for 15 "org.gnome.Mutter.ScreenCast" mutter has_owner org.gnome.Mutter.ScreenCast
wait_for 15 "org.gnome.Mutter.RemoteDesktop" mutter has_owner org.gnome.Mutter.RemoteDesktop

# A headless mutter has no keyboard or mouse, so its seat would offer clients none, and
# every remote desktop session would plug its own in and out again: events would get lost
# (see "hold" in mutter_desktop.py). This one stays plugged in while the desktop runs.
/usr/bin/python3 "$here/mutter_desktop.py" hold >"$dir/logs/hold.log" 2>&1 &
pids+=($!)
holding() { grep -q '^holding$' "$dir/logs/hold.log"; }
wait_for 15 "the held keyboard and pointer (mutter_desktop.py hold)" hold holding

# Start the portal now (activation), so that a test's first request does not pay for it,
# and check that it found the GNOME backend (it offers RemoteDesktop only then).
portal_ready() {
    gdbus introspect --session --dest org.freedesktop.portal.Desktop \
        --object-path /org/freedesktop/portal/desktop 2>/dev/null |
        grep -q 'interface org.freedesktop.portal.RemoteDesktop'
}
wait_for 20 "xdg-desktop-portal with RemoteDesktop (xdg-desktop-portal-gnome)" dbus portal_ready
ready_ms=$((($(date +%s%N) - start_time) / 1000000))

if ! {
    for name in DBUS_SESSION_BUS_ADDRESS WAYLAND_DISPLAY XDG_RUNTIME_DIR PIPEWIRE_RUNTIME_DIR \
        XDG_SESSION_TYPE XDG_CURRENT_DESKTOP XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME \
        XDG_STATE_HOME GSETTINGS_BACKEND GIO_USE_VFS NO_AT_BRIDGE GTK_A11Y; do
        echo "$name=${!name}"
    done
} >"$env_file.tmp" || ! mv "$env_file.tmp" "$env_file"; then
    fail "cannot write $env_file"
fi
echo "headless_gnome.sh: ready in $ready_ms ms (${size}, $dir)" >&2

# Until told to stop, or until a component dies (then the desktop is no longer usable).
while :; do
    wait -n "${pids[@]}"
    rc=$?
    [ "$stopping" = 1 ] && exit 0
    [ "$rc" -gt 128 ] && continue  # interrupted by a trapped signal: the trap decides
    for log in mutter pipewire wireplumber dbus; do
        echo "--- $log:" >&2
        tail -n 20 "$dir/logs/$log.log" >&2
    done
    fail "a component of the session exited (status $rc)"
done
