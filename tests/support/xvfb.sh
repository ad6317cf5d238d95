# Sourced by GUI test scripts: start_xvfb starts a private Xvfb on a free display and
# exports DISPLAY; it is stopped when the script exits. -noreset: without it the server
# resets when its last client leaves, and a client connecting during the reset fails.
start_xvfb() {
    local fifo dir
    dir=$(mktemp -d)
    fifo="$dir/displayfd"
    mkfifo "$fifo"
    Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset 3>"$fifo" >/dev/null 2>&1 &
    XVFB_PID=$!
    local display
    if ! read -r -t 20 display <"$fifo"; then
        echo "Xvfb did not start" >&2
        exit 1
    fi
    rm -rf "$dir"
    export DISPLAY=":$display"
    trap 'kill $XVFB_PID 2>/dev/null; wait $XVFB_PID 2>/dev/null' EXIT
}

. "$(dirname "${BASH_SOURCE[0]}")/wait.sh"
