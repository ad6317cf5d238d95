# Sourced by the test scripts (tests/support/xvfb.sh, tests/install/fresh_root.sh):
# wait_until SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds or the deadline
# passes (1 then). Tests synchronise this way, never with fixed sleeps.
wait_until() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        [ "$SECONDS" -ge "$deadline" ] && return 1
        sleep 0.1
    done
}
