#!/usr/bin/env bash
# scripts/cluster-demo for real: a private PostgreSQL, two helpline-server processes and
# HAProxy with deploy/haproxy.cfg, on free ports of 127.0.0.1, in a temporary state folder.
#
#   cluster_demo_test.sh failover SOURCE_DIR SERVER_BIN
#       /readyz answers 200 through HAProxy (TLS verified with the demo's CA); the plain port
#       redirects; both servers answer requests, and see the client's address through
#       X-Forwarded-For (a spoofed one is dropped); after kill -9 of one server every
#       /readyz through HAProxy still answers 200 and HAProxy marks it DOWN within the
#       health checks' fall time; `stop` leaves nothing running and no port open.
#   cluster_demo_test.sh relay SOURCE_DIR SERVER_BIN
#       a remote session through HAProxy (tests/deploy/relay_probe.py): the customer's
#       tunnel (Upgrade: helpline-relay/1) and the operator's WebSocket viewer pass HAProxy,
#       reach different servers (leastconn), and carry bytes both ways.
#   cluster_demo_test.sh stream SOURCE_DIR SERVER_BIN
#       a device's event stream through HAProxy stays open past HAProxy's 60 s client and
#       server timeouts, kept alive by the server's 25 s heartbeat, which arrives unbuffered.
#
# Every wait is bounded; whatever happens, the trap stops what the demo started.
set -euo pipefail
mode=$1 source_dir=$2 server_bin=$3
demo=$source_dir/scripts/cluster-demo
# A command that fails unexpectedly ends the test saying which (the EXIT trap shows the logs).
trap 'echo "FAIL: line $LINENO: $BASH_COMMAND (exit code $?)" >&2' ERR

for tool in haproxy openssl curl socat createdb psql /usr/lib/postgresql/15/bin/initdb /usr/bin/python3; do
    command -v "$tool" >/dev/null || {
        echo "FAIL: $tool was not found: apt-get install postgresql-15 haproxy openssl curl socat python3" \
            "(CLUSTER_PACKAGES in scripts/lib.sh)" >&2
        exit 1
    }
done

# A short path: PostgreSQL's and HAProxy's Unix sockets live in it. Searchable by others:
# run by root, PostgreSQL runs as nobody (tests/support/pg_cluster.sh).
work=$(mktemp -d /tmp/helpline-cluster.XXXXXX)
chmod 755 "$work"
state=$work/state

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
show_logs() {
    local log
    for log in "$work/start.log" "$state"/server-*.log "$state/haproxy.log" "$state/pg/postgres.log"; do
        [ -f "$log" ] || continue
        echo "--- $log (last 25 lines)" >&2
        tail -n 25 "$log" >&2
    done
}
cleanup() {
    local code=$?
    [ "$code" -ne 0 ] && show_logs
    "$demo" stop --state "$state" >/dev/null 2>&1 || true
    rm -rf "$work"
    exit "$code"
}
trap cleanup EXIT

# A free port with its next three free too (HTTPS, plain HTTP, two servers).
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_ports() {
    local attempt base i
    for attempt in $(seq 50); do
        # Below Linux's ephemeral range (32768 and up): ports other tests' servers and
        # clients get from the system cannot take one of ours between the check and the bind.
        base=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
        for i in 0 1 2 3; do port_free $((base + i)) || continue 2; done
        echo "$base"
        return 0
    done
    echo "FAIL: found no four free consecutive ports on 127.0.0.1 in $attempt tries" >&2
    return 1
}
base=$(pick_ports)
https_port=$base http_port=$((base + 1)) server_port=$((base + 2))
public=https://127.0.0.1:$https_port

start_demo() {
    if ! "$demo" start --state "$state" --server-bin "$server_bin" --servers 2 --port "$https_port" \
        --http-port "$http_port" --server-port "$server_port" >"$work/start.log" 2>&1; then
        echo "FAIL: scripts/cluster-demo start failed" >&2
        exit 1
    fi
    ca=$state/tls/ca.pem
}
# https PATH [CURL ARGS...]: the status of a request through HAProxy, TLS verified with the CA.
https() {
    local path=$1
    shift
    curl -sS -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$ca" "$@" "$public$path" 2>/dev/null || true
}
# status SERVER: HAProxy's view of a server (UP, DOWN, …), from `show stat` on its socket.
status() {
    echo 'show stat' | socat -t 2 stdio "unix-connect:$state/haproxy.sock" 2>/dev/null |
        awk -F, -v s="$1" '$1 == "helpline" && $2 == s { print $18 }'
}
# wait_status SERVER STATUS SECONDS: polls HAProxy until it says STATUS for SERVER; 1 if not
# by the deadline (a server HAProxy has not checked yet reads "UP 1/3").
wait_status() {
    local deadline=$((SECONDS + $3))
    until [ "$(status "$1")" = "$2" ]; do
        [ "$SECONDS" -ge "$deadline" ] && return 1
        sleep 0.1
    done
}
pid_of() { read -r pid _ <"$state/run/$1.pid" && echo "$pid"; }
# group_alive PGID: a process of that process group runs (zombies do not count: init may
# reap late in a container).
group_alive() {
    local stat fields proc_state pgrp
    for stat in /proc/[0-9]*/stat; do
        read -r fields 2>/dev/null <"$stat" || continue
        fields=${fields##*) } # "STATE PPID PGRP …" after the command's name
        read -r proc_state _ pgrp _ <<<"$fields"
        [ "$pgrp" = "$1" ] && [ "$proc_state" != Z ] && [ "$proc_state" != X ] && return 0
    done
    return 1
}

finish() {
    if [ "$failures" -gt 0 ]; then
        echo "$failures check(s) failed" >&2
        exit 1
    fi
    echo "all checks passed"
}

test_failover() {
    start_demo
    grep -q 'one-time password' "$work/start.log" || fail "the demo did not print the admin's one-time password"
    grep -qF "$public/" "$work/start.log" || fail "the demo did not print the console's URL $public/"
    grep -qF "scripts/cluster-demo stop --state $state" "$work/start.log" ||
        fail "the demo did not say how to stop it"

    local code
    code=$(https /readyz)
    [ "$code" = 200 ] || fail "/readyz through HAProxy: expected 200 with the demo's CA, got $code"
    local hsts
    hsts=$(curl -sS -o /dev/null -D - --max-time 5 --cacert "$ca" "$public/console/" 2>/dev/null |
        tr -d '\r' | grep -i '^strict-transport-security:' || true)
    [ "$hsts" = "strict-transport-security: max-age=31536000" ] ||
        fail "the console through HAProxy: expected 'strict-transport-security: max-age=31536000', got '$hsts'"
    local redirect
    redirect=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' --max-time 5 \
        "http://127.0.0.1:$http_port/console/?x=1" 2>&1 || true)
    [ "$redirect" = "301 $public/console/?x=1" ] ||
        fail "the plain port: expected '301 $public/console/?x=1', got '$redirect'"

    # Both servers answer (leastconn takes turns among idle servers), and each sees the
    # client's address (127.0.0.2) from X-Forwarded-For, not the spoofed one the client sent.
    local i codes=''
    for i in $(seq 12); do
        codes+="$(https /livez --interface 127.0.0.2 -H 'X-Forwarded-For: 203.0.113.9') "
    done
    [ "$codes" = "$(printf '200 %.0s' $(seq 12))" ] || fail "/livez through HAProxy: expected 12 × 200, got $codes"
    for i in 1 2; do
        grep -q 'path=/livez .*client=127\.0\.0\.2' "$state/server-$i.log" ||
            fail "server $i answered no /livez for client 127.0.0.2 (through HAProxy with X-Forwarded-For)"
        if grep -q 'client=203\.0\.113\.9' "$state/server-$i.log"; then
            fail "server $i took the client's own X-Forwarded-For for its address"
        fi
        wait_status "s$i" UP 10 || fail "HAProxy says s$i is '$(status "s$i")', expected UP within 10 s"
    done
    if "$server_bin" run --help 2>/dev/null | grep -q -- --node-url; then
        tr '\0' ' ' <"/proc/$(pid_of server-1)/cmdline" | grep -qF -- "--node-url http://127.0.0.1:$server_port" ||
            fail "server 1 does not run with --node-url http://127.0.0.1:$server_port"
    else
        echo "note: this helpline-server has no --node-url: the servers ran without it"
    fi

    # kill -9 of server 2: HAProxy retries a refused connection on the other server
    # (option redispatch) and marks s2 DOWN after 3 failed checks, at most about
    # inter 2 s + 2 × fastinter 0.5 s (plus the check timeouts of a server that hangs
    # instead of refusing): 10 s is the bound here.
    local victim started requests=0 failed=0
    victim=$(pid_of server-2)
    kill -KILL "$victim"
    started=$SECONDS
    local killed_at=${EPOCHREALTIME/./}
    while [ "$(status s2)" != DOWN ]; do
        code=$(https /readyz)
        requests=$((requests + 1))
        [ "$code" = 200 ] || { failed=$((failed + 1)); echo "after kill -9: /readyz answered $code" >&2; }
        if [ $((SECONDS - started)) -ge 10 ]; then
            fail "HAProxy did not mark s2 DOWN within 10 s of kill -9 (it says '$(status s2)')"
            break
        fi
        sleep 0.05
    done
    echo "s2 DOWN $(((${EPOCHREALTIME/./} - killed_at) / 1000)) ms after kill -9;" \
        "$requests /readyz through HAProxy meanwhile, $failed not 200"
    [ "$failed" -eq 0 ] || fail "$failed of $requests /readyz through HAProxy failed after kill -9 of a server"
    [ "$requests" -gt 0 ] || fail "no /readyz was sent while s2 went DOWN"
    for i in $(seq 5); do
        code=$(https /readyz)
        [ "$code" = 200 ] || fail "/readyz with s2 DOWN: expected 200, got $code"
    done
    [ "$(status s1)" = UP ] || fail "HAProxy says s1 is '$(status s1)', expected UP"

    # stop: HAProxy (master and worker), the servers and PostgreSQL are gone, every port free.
    local groups=() postmaster
    groups+=("$(pid_of haproxy)" "$(pid_of server-1)" "$victim")
    read -r postmaster <"$state/pg/data/postmaster.pid"
    groups+=("$(ps -o pgid= -p "$postmaster" | tr -d ' ')")
    "$demo" stop --state "$state" >"$work/stop.log" 2>&1 || fail "scripts/cluster-demo stop failed: $(cat "$work/stop.log")"
    local pgid
    for pgid in "${groups[@]}"; do
        if group_alive "$pgid"; then
            fail "process group $pgid still runs after stop: $(ps -o pid=,stat=,cmd= -g "$pgid" 2>/dev/null)"
        fi
    done
    for port in "$https_port" "$http_port" "$server_port" $((server_port + 1)); do
        port_free "$port" || fail "127.0.0.1:$port still answers after stop"
    done
    [ ! -e "$state/haproxy.sock" ] || fail "stop left HAProxy's socket behind"
    [ -z "$(ls "$state/run"/*.pid 2>/dev/null)" ] || fail "stop left process ids behind: $(ls "$state/run")"
    finish
}

test_stream() {
    start_demo
    local registered token
    registered=$(curl -sS --max-time 5 --cacert "$ca" -H 'Content-Type: application/json' \
        -d '{"profile_id":"demo"}' "$public/api/v1/devices" 2>&1 || true)
    token=$(sed -n 's/.*"device_token":"\([^"]*\)".*/\1/p' <<<"$registered")
    [ -n "$token" ] || { fail "registering a device through HAProxy answered: $registered"; finish; }
    # 70 s: past `timeout client 60s` and `timeout server 60s`; heartbeats at 25 and 50 s.
    local code=0 started=$SECONDS
    curl -sSN --max-time 70 --cacert "$ca" -H "Authorization: Bearer $token" \
        "$public/api/v1/events" >"$work/events.txt" 2>"$work/events.err" || code=$?
    local lasted=$((SECONDS - started)) pings
    pings=$(grep -c '^: ping' "$work/events.txt" || true)
    echo "the event stream lasted $lasted s (curl exit code $code) and carried $pings heartbeats"
    # 28: curl's own --max-time ended it, i.e. nothing on the way closed it earlier.
    [ "$code" = 28 ] || fail "the event stream ended after $lasted s with curl exit code $code, expected it open until curl's 70 s: $(cat "$work/events.err")"
    [ "$pings" -ge 2 ] || fail "expected at least 2 heartbeats (': ping') in 70 s, got $pings"
    finish
}

test_relay() {
    start_demo
    local password
    password=$(sed -n 's/^One-time password: *//p' "$state/init.txt")
    /usr/bin/python3 "$source_dir/tests/deploy/relay_probe.py" "$public" "$ca" admin@demo.example "$password" \
        "$state/haproxy.sock" ||
        fail "the remote session through HAProxy failed (above)"
    # HAProxy logs each connection when it ends: the tunnel's server, then the viewer's.
    # The probe drained s2 while the tunnel connected and s1 while the viewer did: the
    # relay joined the two sides across servers.
    relay_servers() {
        grep -E '"GET /api/v1/relay/[0-9a-f]+(/view)? HTTP' "$state/haproxy.log" | awk '{ print $4 }' | sort -u
    }
    local deadline=$((SECONDS + 10))
    until [ "$(relay_servers | wc -l)" -ge 2 ] || [ "$SECONDS" -ge "$deadline" ]; do sleep 0.1; done
    [ "$(relay_servers | tr '\n' ' ')" = "helpline/s1 helpline/s2 " ] ||
        fail "expected the tunnel and the viewer on different servers, HAProxy's log says: $(relay_servers | tr '\n' ' ')"
    finish
}

case "$mode" in
failover) test_failover ;;
relay) test_relay ;;
stream) test_stream ;;
*) echo "usage: $0 failover|relay|stream SOURCE_DIR SERVER_BIN" >&2; exit 2 ;;
esac
