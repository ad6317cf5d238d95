#!/usr/bin/env bash
# A fresh Debian root for the installation tests (docs/installer.md, "Installation tests"):
# `debootstrap --variant=minbase bookworm` from this machine's own apt sources, with the apt
# settings those sources need and this machine's CA certificates, cached as a tarball and
# unpacked anew for every test, so that no test ever sees what another one installed.
#
# Sourced by the tests (the root_* and netns_* functions below), or run by a person:
#   tests/install/fresh_root.sh cache     make the cached root unless it is there; print its path
#   tests/install/fresh_root.sh shell     a shell in a pristine copy, removed on exit
#
# Why unshare + chroot and not systemd-nspawn: every test runs in its own mount and PID
# namespace (root_isolate), so the /proc, /sys and /dev mounted in the root are never seen
# by the rest of the machine and go away with the test's last process, whatever kills it
# (a failure, ctest's timeout, SIGKILL); every process started in the root (Xvfb, the
# server) dies with it too. systemd-nspawn wants systemd on the host and a booted
# systemd for most of its use; the machines here run neither, and a chroot is all these
# tests need: the programs under test run as they would on a customer's machine, only
# without systemd as PID 1 (the server test starts the unit's ExecStart itself).
#
# Environment:
#   HELPLINE_ROOT_CACHE   where the cached roots are [${XDG_CACHE_HOME:-~/.cache}/helpline/roots]
#   HELPLINE_ROOT_SUITE   [bookworm]

root_suite=${HELPLINE_ROOT_SUITE:-bookworm}
# The sanitizers' settings given to the tests (sanitized builds: tests/install/CMakeLists.txt),
# passed to the programs run in the roots, whose environment is otherwise emptied.
ROOT_ENV=()
for root_env_name in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
    if [ -n "${!root_env_name:-}" ]; then ROOT_ENV+=("$root_env_name=${!root_env_name}"); fi
done
unset root_env_name
# Raised whenever the recipe below changes what a cached root holds.
root_recipe=1

root_cache_dir() {
    echo "${HELPLINE_ROOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/helpline/roots}"
}

# The files copied from this machine into every root, one "SOURCE DESTINATION" a line:
# the apt sources, the apt.conf.d files that only set Acquire:: options (proxies, release
# file validity, which indexes to fetch: what the sources need to work here, and nothing
# that runs programs), the keyrings the sources name with Signed-By, and the local CA
# certificates (a proxy in between may present a certificate signed by one of them).
root_host_files() {
    local f
    if [ -f /etc/apt/sources.list ] && grep -q '^[[:space:]]*deb' /etc/apt/sources.list; then
        echo "/etc/apt/sources.list /etc/apt/sources.list.d/host.list"
    fi
    for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && echo "$f $f"
    done
    for f in /etc/apt/apt.conf.d/*; do
        [ -f "$f" ] || continue
        # Every line blank, a comment, or an Acquire:: setting.
        if [ -z "$(grep -v -E '^[[:space:]]*($|//|#|Acquire::)' "$f")" ]; then
            echo "$f $f"
        fi
    done
    for f in $( (cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^Signed-By:[[:space:]]*\(\/[^[:space:]]*\).*$/\1/p'
        cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep -v '^[[:space:]]*#' |
            sed -n 's/.*signed-by=\(\/[^] ]*\).*/\1/p') | sort -u); do
        [ -f "$f" ] && echo "$f $f"
    done
    if [ -d /usr/local/share/ca-certificates ]; then
        find /usr/local/share/ca-certificates -type f -name '*.crt' | sort | while read -r f; do
            echo "$f $f"
        done
    fi
}

# The mirror debootstrap fetches the suite from: the one this machine's apt uses for it
# (apt's own reading of its sources, which needs its lists: else the sources files as
# written, one-line and deb822).
root_mirror() {
    local site
    site=$(apt-get indextargets --format '$(SITE) $(RELEASE)' 'Created-By: Packages' 2>/dev/null |
        awk -v s="$root_suite" '$2 == s { print $1; exit }')
    if [ -z "$site" ]; then
        site=$( (cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
            sed -e 's/\[[^]]*\]//' | awk -v s="$root_suite" '$1 == "deb" && $3 == s { print $2 }'
            for f in /etc/apt/sources.list.d/*.sources; do
                [ -f "$f" ] && awk -v s="$root_suite" '
                    /^[[:space:]]*$/ { if (ok && uri) print uri; ok = 0; uri = ""; next }
                    /^URIs:/ { uri = $2 }
                    /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) ok = 1 }
                    END { if (ok && uri) print uri }' "$f"
            done) | head -1)
    fi
    if [ -z "$site" ]; then
        echo "no apt source of this machine serves '$root_suite' (check /etc/apt/sources.list.d)" >&2
        return 1
    fi
    echo "${site%/}"
}

# The cache key: the recipe, the suite, what is copied in, and the ISO week, so that a root
# is made again weekly (its base packages stay close to the mirror's; the package lists
# are refreshed by every test anyway).
root_cache_key() {
    {
        echo "recipe=$root_recipe suite=$root_suite variant=minbase week=$(date -u +%G-W%V)"
        root_host_files | while read -r src dst; do
            echo "$dst"
            cat "$src"
        done
    } | sha256sum | cut -c1-16
}

# root_cache: makes the cached root unless it exists (one maker at a time: flock), prints
# the tarball's path. Older roots in the cache are deleted.
root_cache() {
    local dir key tarball
    dir=$(root_cache_dir)
    key=$(root_cache_key)
    tarball="$dir/$root_suite-minbase-$key.tar.zst"
    mkdir -p "$dir"
    (
        flock -w 1800 9 || { echo "waited 30 minutes for $dir/.lock" >&2; exit 1; }
        [ -f "$tarball" ] && exit 0
        root_make "$dir" "$tarball" >&2 || exit 1
        find "$dir" -maxdepth 1 -name "$root_suite-minbase-*.tar.zst" ! -name "${tarball##*/}" -delete
        find "$dir" -maxdepth 1 -type d -name 'archives-*' ! -name "archives-$key" -exec rm -rf {} +
    ) 9>"$dir/.lock" || return 1
    echo "$tarball"
}

# root_make DIR TARBALL: debootstrap, configure, tar. Run as root; bounded in time.
root_make() {
    local dir=$1 tarball=$2 mirror work started=$SECONDS
    mirror=$(root_mirror) || return 1
    work=$(mktemp -d "$dir/make.XXXXXX")
    echo "Making a fresh $root_suite root from $mirror (cached in $dir; about 2 minutes)"
    if ! timeout 1200 debootstrap --variant=minbase --include=ca-certificates \
        "$root_suite" "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1; then
        echo "debootstrap failed or took over 20 minutes; the end of its log:" >&2
        tail -20 "$work/debootstrap.log" >&2
        [ -f "$work/root/debootstrap/debootstrap.log" ] && tail -20 "$work/root/debootstrap/debootstrap.log" >&2
        rm -rf --one-file-system "$work"
        return 1
    fi
    local r=$work/root
    rm -f "$r/etc/apt/sources.list"
    root_host_files | while read -r src dst; do
        mkdir -p "$(dirname "$r$dst")"
        cp "$src" "$r$dst"
    done
    # update-ca-certificates and apt-get update need no /proc or /dev.
    cp /etc/resolv.conf "$r/etc/resolv.conf"
    if ! chroot "$r" update-ca-certificates >"$work/ca.log" 2>&1 ||
        ! timeout 600 chroot "$r" apt-get update -q >"$work/update.log" 2>&1; then
        echo "configuring the root failed:" >&2
        cat "$work/ca.log" "$work/update.log" >&2
        rm -rf --one-file-system "$work"
        return 1
    fi
    chroot "$r" apt-get clean
    echo "$root_suite minbase from $mirror, made $(date -u +%FT%TZ) by tests/install/fresh_root.sh" \
        >"$r/etc/helpline-fresh-root"
    tar --numeric-owner --xattrs -C "$r" --zstd -cf "$tarball.tmp" . &&
        mv "$tarball.tmp" "$tarball"
    local rc=$?
    rm -rf --one-file-system "$work"
    [ $rc -eq 0 ] && echo "Fresh root cached in $tarball ($(du -h "$tarball" | cut -f1), $((SECONDS - started)) s)"
    return $rc
}

# root_isolate "$@": first thing in a test script: runs the script again in its own mount
# and PID namespaces (see above). --kill-child: when the test is killed, so is everything
# it started.
root_isolate() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "the installation tests make and enter Debian roots: run them as root (CI does)" >&2
        exit 1
    fi
    if [ -z "${HELPLINE_ROOT_ISOLATED:-}" ]; then
        HELPLINE_ROOT_ISOLATED=1 exec unshare --mount --pid --fork --kill-child --propagation private --mount-proc \
            -- "$0" "$@"
    fi
}

# root_new DIR: a pristine copy of the cached root in DIR, mounted and ready: /proc, /sys,
# /dev, the shared apt download cache, this machine's resolv.conf and hosts.
# The copy is in memory (a tmpfs on DIR, about 0.5 GB per test at most): unpacking takes a
# second, dpkg's many fsyncs cost nothing, and the root vanishes with the test's namespace
# whatever happens. With HELPLINE_KEEP_ROOTS=1 it is on disk instead, and a failed test
# leaves it there for a person to look into (the next run deletes it).
# Everything is unmounted when the script exits (and in any case with the namespace).
root_new() {
    local root=$1 tarball key
    tarball=$(root_cache) || return 1
    if root_is_mounted "$root"; then
        echo "$root is still mounted: not removing it" >&2
        return 1
    fi
    rm -rf --one-file-system "$root"
    mkdir -p "$root"
    if [ "${HELPLINE_KEEP_ROOTS:-0}" != 1 ]; then
        mount -t tmpfs -o size=6g,mode=0755 tmpfs "$root"
        ROOT_IN_MEMORY=1
    fi
    ROOT_MOUNTED+=("$root")
    trap root_unmount_all EXIT
    tar --numeric-owner --xattrs -C "$root" --zstd -xf "$tarball" || return 1
    key=${tarball##*-minbase-}
    key=${key%.tar.zst}
    # The .debs apt downloaded are kept between tests and runs (root_keep_downloads) and
    # put where apt looks for them before it downloads: apt still resolves and installs
    # everything itself, only the download is saved. Copies, not a shared folder: apt
    # locks its archives folder and would not wait for another test's apt.
    ROOT_ARCHIVES="$(root_cache_dir)/archives-$key"
    mkdir -p "$ROOT_ARCHIVES"
    find "$ROOT_ARCHIVES" -maxdepth 1 -name '*.deb' -exec cp -t "$root/var/cache/apt/archives/" {} +
    mount -t proc proc "$root/proc"
    mount -t sysfs -o ro sysfs "$root/sys"
    mount --rbind /dev "$root/dev"
    mount -t tmpfs -o size=256m tmpfs "$root/dev/shm"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    cp /etc/hosts "$root/etc/hosts"
}

ROOT_MOUNTED=()
ROOT_IN_MEMORY=0
# root_is_mounted DIR: something is mounted on DIR or below it.
root_is_mounted() {
    grep -q "^$1\(/\|$\)" <<<"$(findmnt -rn -o TARGET)"
}
# root_unmount_all: unmounts what root_new mounted, the in-memory roots themselves included.
root_unmount_all() {
    local root
    for root in "${ROOT_MOUNTED[@]}"; do
        if [ "$ROOT_IN_MEMORY" = 1 ]; then
            umount -R "$root" 2>/dev/null || umount -R -l "$root" 2>/dev/null
        else
            umount -R "$root/dev" "$root/sys" "$root/proc" 2>/dev/null ||
                umount -R -l "$root/dev" "$root/sys" "$root/proc" 2>/dev/null
        fi
    done
    ROOT_MOUNTED=()
    return 0
}

# root_remove DIR: unmounts and deletes a root.
root_remove() {
    local root=$1
    root_unmount_all
    if root_is_mounted "$root"; then
        echo "$root is still mounted: not removing it" >&2
        return 1
    fi
    rm -rf --one-file-system "$root"
}

# root_run DIR COMMAND...: COMMAND in the root as root, with a clean environment (nothing of
# the host's or the build's leaks in). Add variables with env: root_run DIR env LANG=… cmd.
root_run() {
    local root=$1
    shift
    chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        "${ROOT_ENV[@]}" HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# root_as DIR USER COMMAND...: COMMAND as USER, with a clean environment of theirs (HOME,
# USER, PATH). setpriv rather than su or runuser: it executes COMMAND itself (no PAM
# session, no parent left between the test and COMMAND to pass signals on).
root_as() {
    local root=$1 user=$2
    shift 2
    chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 "${ROOT_ENV[@]}" \
        HOME="/home/$user" USER="$user" LOGNAME="$user" \
        /usr/bin/setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
}

# root_apt DIR ARGS...: apt-get in the root (no recommends: what a package Depends on must be
# enough), within 15 minutes; the output goes to stdout.
root_apt() {
    local root=$1 rc=0
    shift
    root_run "$root" timeout 900 apt-get -y -q -o Dpkg::Use-Pty=0 -o APT::Install-Recommends=false "$@" || rc=$?
    root_keep_downloads "$root"
    return $rc
}

# root_keep_downloads DIR: the .debs apt downloaded in the root go to the cache (each
# renamed into place: tests running side by side never see half a file).
root_keep_downloads() {
    local f name
    [ -n "${ROOT_ARCHIVES:-}" ] || return 0
    for f in "$1"/var/cache/apt/archives/*.deb; do
        [ -f "$f" ] || continue
        name=${f##*/}
        [ -e "$ROOT_ARCHIVES/$name" ] && continue
        cp "$f" "$ROOT_ARCHIVES/.$name.$$" && mv "$ROOT_ARCHIVES/.$name.$$" "$ROOT_ARCHIVES/$name"
    done
}

# root_files DIR: the paths in the root, sorted, leaving out what apt, dpkg and the system
# change by merely running (package lists, caches, logs, state) and the mounts.
root_files() {
    local root=$1
    (cd "$root" && find . -xdev -printf '%P\n') | LC_ALL=C sort |
        grep -v -E '^(tmp|run|root|var/log|var/tmp|var/cache/apt|var/lib/apt|var/lib/dpkg|var/cache/debconf|var/cache/ldconfig|var/lib/systemd/deb-systemd-helper-enabled|var/lib/systemd/deb-systemd-user-helper-enabled|etc/ld\.so\.cache|proc|sys|dev)(/|$)'
}

# netns_new: a network namespace with only a loopback interface, held by a process that
# dies with the test; prints its PID for netns_run. Servers and X displays started there
# reach nothing outside and conflict with nothing on the machine.
netns_new() {
    unshare --net -- sleep 86400 >/dev/null 2>&1 &
    local pid=$!
    # The namespace exists once unshare has exec'ed sleep.
    local deadline=$((SECONDS + 10))
    until [ "$(readlink "/proc/$pid/ns/net")" != "$(readlink /proc/self/ns/net)" ]; do
        [ $SECONDS -ge $deadline ] && { echo "no network namespace" >&2; return 1; }
        sleep 0.05
    done
    nsenter -t "$pid" -n ip link set lo up || return 1
    echo "$pid"
}

# netns_run PID COMMAND...: COMMAND in that network namespace (host and root programs alike).
netns_run() {
    local pid=$1
    shift
    nsenter -t "$pid" -n "$@"
}

# wait_until SECONDS COMMAND...
. "$(dirname "${BASH_SOURCE[0]}")/../support/wait.sh"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    case ${1:-} in
    cache)
        [ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
        root_cache
        ;;
    shell)
        root_isolate "$@"
        dir=$(mktemp -d /var/tmp/helpline-root.XXXXXX)
        root_new "$dir/root"
        echo "A pristine $root_suite root in $dir/root; it is deleted when this shell exits."
        root_run "$dir/root" env TERM="${TERM:-xterm}" bash -i || true
        root_remove "$dir/root" && rmdir "$dir"
        ;;
    *)
        echo "usage: $0 cache|shell" >&2
        exit 2
        ;;
    esac
fi
