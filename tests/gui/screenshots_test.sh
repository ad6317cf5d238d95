#!/usr/bin/env bash
# Shows the main window (My requests filled, unread counts; offline with a failure's notice), the form (with its validation messages; with files attached and one refused; once
# sent: the request number, and offline: queued), a request's page (open, closed), the consent dialog, the session bar and About in every
# language under Xvfb and saves screenshots (build/screenshots) that must not be blank;
# people look at them.
# usage: screenshots_test.sh GUI_PREVIEW SOURCE_DIR OUT_DIR
set -euo pipefail
preview=$1 src=$2 out=$3
. "$src/tests/support/xvfb.sh"
mkdir -p "$out"
start_xvfb
# The previews' sample files (a screenshot, a log, a large file) go here and go away with it.
samples=$(mktemp -d)
export TMPDIR=$samples
trap 'kill $XVFB_PID 2>/dev/null; wait $XVFB_PID 2>/dev/null; rm -rf "$samples"' EXIT
for what in main main-offline form form-files form-sent form-queued request request-closed consent session-bar about; do
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
