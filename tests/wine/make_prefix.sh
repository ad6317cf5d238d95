#!/bin/sh
# The template Wine prefix the "wine" tests copy (tests/support/wine.h): made once (wineboot, ~10 s)
# and reused while it is complete; wineserver -w waits until the set-up has finished.
set -eu
prefix=$1
export WINEPREFIX="$prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
if [ ! -f "$prefix/.helpline-ready" ]; then
    rm -rf "$prefix"
    wineboot --init >/dev/null 2>&1 || true
    wineserver -w
    [ -f "$prefix/system.reg" ] || { echo "wineboot did not make a prefix in $prefix" >&2; exit 1; }
    touch "$prefix/.helpline-ready"
fi
# A client run by hand in the template leaves its state (identity, outbox, logs) in the
# user's AppData: every test's user starts without any.
find "$prefix/drive_c/users" -mindepth 4 -maxdepth 4 -path '*/AppData/*' ! -name Microsoft \
    -exec rm -rf {} +
