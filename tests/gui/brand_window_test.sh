#!/usr/bin/env bash
# The stamped client opens a window titled with the brand's name, showing its logo; the
# unstamped one shows why it cannot start, in the language asked for (the translations are
# loaded before that dialog). Screenshots are saved for people to look at.
# usage: brand_window_test.sh HELPLINE_BRAND HELPLINE SOURCE_DIR OUT_DIR
set -euo pipefail
brand_tool=$1 client=$2 src=$3 out=$4
. "$src/tests/support/xvfb.sh"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$brand_tool" stamp --profile "$src/branding/profiles/demo" \
    --key "$src/tests/fixtures/keys/test-signing-key.pem" --client "$client" --out "$work/branded" >/dev/null
start_xvfb
trap 'kill $XVFB_PID 2>/dev/null; rm -rf "$work"' EXIT
for lang in en pt it; do
    "$work/branded" --lang "$lang" >"$work/log-$lang" 2>&1 &
    pid=$!
    case $lang in en) title="Demo Support" ;; pt) title="Suporte Demo" ;; it) title="Assistenza Demo" ;; esac
    if ! wait_until 40 xdotool search --name "^$title\$" >/dev/null; then
        echo "no window titled '$title' appeared ($lang); windows there:"
        for w in $(xdotool search --name . 2>/dev/null); do xdotool getwindowname "$w"; done
        echo "client log:"; cat "$work/log-$lang"
        kill -0 $pid 2>/dev/null && echo "(the client is still running)" || echo "(the client exited)"
        kill $pid; exit 1
    fi
    # The window is mapped; give the toolkit a moment to paint by polling for non-blank pixels.
    shot="$out/main-window-$lang.png"
    painted() {
        import -window root "$shot" 2>/dev/null || return 1
        colours=$(convert "$shot" -format '%k' info:)
        [ "$colours" -gt 20 ]
    }
    if ! wait_until 10 painted; then echo "the window stayed blank ($lang)"; kill $pid; exit 1; fi
    kill $pid
    wait $pid 2>/dev/null || true
    echo "window '$title' shown; screenshot $shot"
done

# Not branded: the error dialog, translated.
for lang in en it; do
    case $lang in en) title="Helpline cannot start" ;; it) title="Helpline non può avviarsi" ;; esac
    "$client" --lang "$lang" >"$work/unbranded-$lang" 2>&1 &
    pid=$!
    if ! wait_until 40 xdotool search --name "^$title\$" >/dev/null; then
        echo "no dialog titled '$title' appeared ($lang); windows there:"
        for w in $(xdotool search --name . 2>/dev/null); do xdotool getwindowname "$w"; done
        cat "$work/unbranded-$lang"; kill $pid; exit 1
    fi
    shot="$out/stamp-error-$lang.png"
    painted() {
        import -window root "$shot" 2>/dev/null || return 1
        [ "$(convert "$shot" -format '%k' info:)" -gt 20 ]
    }
    if ! wait_until 10 painted; then echo "the dialog stayed blank ($lang)"; kill $pid; exit 1; fi
    kill $pid
    wait $pid 2>/dev/null || true
    grep -q "not branded" "$work/unbranded-$lang" || { echo "no advice on stderr ($lang)"; exit 1; }
    echo "dialog '$title' shown; screenshot $shot"
done
