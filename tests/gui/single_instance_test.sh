#!/usr/bin/env bash
# One client per user and brand: a second start of the stamped client brings the first one's
# window to the front and exits 0; the first keeps running.
# usage: single_instance_test.sh HELPLINE_BRAND HELPLINE SOURCE_DIR
set -euo pipefail
brand_tool=$1 client=$2 src=$3
. "$src/tests/support/xvfb.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$brand_tool" stamp --profile "$src/branding/profiles/demo" \
    --key "$src/tests/fixtures/keys/test-signing-key.pem" --client "$client" --out "$work/branded" >/dev/null
start_xvfb
first=""
cleanup() { [ -n "$first" ] && kill "$first" 2>/dev/null && wait "$first" 2>/dev/null; kill $XVFB_PID 2>/dev/null; wait $XVFB_PID 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state" XDG_RUNTIME_DIR="$work/runtime"
export HELPLINE_TRACE_SHOWN=1 NO_PROXY=127.0.0.1 no_proxy=127.0.0.1
"$work/branded" --lang en >"$work/first.out" 2>"$work/first.err" &
first=$!
if ! wait_until 40 grep -q '^shown main' "$work/first.out"; then
    echo "the first client showed no window"; cat "$work/first.out" "$work/first.err"; exit 1
fi
start=$SECONDS
set +e
timeout 20 "$work/branded" --lang en >"$work/second.out" 2>"$work/second.err"
code=$?
set -e
if [ "$code" -ne 0 ]; then
    echo "the second start exited $code (expected 0)"; cat "$work/second.out" "$work/second.err"; exit 1
fi
grep -q "already running" "$work/second.out" || { echo "second start did not say so:"; cat "$work/second.out"; exit 1; }
if ! wait_until 10 grep -q '^shown raise' "$work/first.out"; then
    echo "the first client was not asked to raise its window"; cat "$work/first.out" "$work/first.err"; exit 1
fi
kill -0 "$first" || { echo "the first client is gone"; exit 1; }
[ "$(xdotool search --name '^Demo Support$' | wc -l)" -eq 1 ] || { echo "expected exactly one main window"; exit 1; }
echo "second start handed over to the first in $((SECONDS - start)) s and exited 0"
