#!/usr/bin/env bash
# The Windows client's main window, Assistance form and consent dialog in English,
# Portuguese and Italian, drawn by Windows' own controls under Wine on a private Xvfb, saved
# as screenshots that must not be blank (windows_gui_preview.exe: tests/gui/gui_preview.cpp
# cross-built); people look at them.
# usage: screenshots_test.sh WINE PREVIEW_EXE SOURCE_DIR OUT_DIR WINEPREFIX
set -euo pipefail
wine=$1 preview=$2 src=$3 out=$4
export WINEPREFIX=$5 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
export LC_ALL=C.UTF-8
. "$src/tests/support/xvfb.sh"
mkdir -p "$out"
start_xvfb
trap 'wineserver -k 2>/dev/null || true; kill $XVFB_PID 2>/dev/null; wait $XVFB_PID 2>/dev/null' EXIT
for what in main form consent; do
    for lang in en pt it; do
        "$wine" "$preview" "$what" --lang "$lang" >/dev/null 2>&1 &
        pid=$!
        shot="$out/$what-$lang.png"
        painted() {
            import -window root "$shot" 2>/dev/null || return 1
            [ "$(convert "$shot" -format '%k' info:)" -gt 20 ]
        }
        # The first start of a prefix makes it (wineboot): up to a minute or two.
        if ! wait_until 180 painted; then echo "$what ($lang) stayed blank"; kill $pid; exit 1; fi
        # Twice the same picture: the window has finished drawing itself.
        settled() {
            import -window root "$shot.next.png" 2>/dev/null || return 1
            if cmp -s <(convert "$shot" rgb:-) <(convert "$shot.next.png" rgb:-); then
                rm -f "$shot.next.png"
                return 0
            fi
            mv "$shot.next.png" "$shot"
            return 1
        }
        wait_until 10 settled || true
        kill $pid
        wait $pid 2>/dev/null || true
        echo "$what ($lang): $shot"
    done
done
