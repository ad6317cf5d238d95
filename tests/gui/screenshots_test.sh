#!/usr/bin/env bash
# Shows the main window (My requests filled; offline with a failure's notice), the form (with its validation messages, once
# sent: the request number, and offline: queued), the consent dialog, the session bar and About in every
# language under Xvfb and saves screenshots (build/screenshots) that must not be blank;
# people look at them.
# usage: screenshots_test.sh GUI_PREVIEW SOURCE_DIR OUT_DIR
set -euo pipefail
preview=$1 src=$2 out=$3
. "$src/tests/support/xvfb.sh"
mkdir -p "$out"
start_xvfb
for what in main main-offline form form-sent form-queued consent session-bar about; do
    for lang in en pt pt_BR it; do
        "$preview" "$what" --lang "$lang" >/dev/null 2>&1 &
        pid=$!
        shot="$out/$what-$lang.png"
        painted() {
            import -window root "$shot" 2>/dev/null || return 1
            [ "$(convert "$shot" -format '%k' info:)" -gt 20 ]
        }
        if ! wait_until 40 painted; then echo "$what ($lang) stayed blank"; kill $pid; exit 1; fi
        # Crop to the window for people to look at.
        wid=$(xdotool search --onlyvisible --pid $pid 2>/dev/null | tail -1 || true)
        [ -n "$wid" ] && import -window "$wid" "$out/$what-$lang-window.png" 2>/dev/null || true
        kill $pid
        wait $pid 2>/dev/null || true
        echo "$what ($lang): $shot"
    done
done
