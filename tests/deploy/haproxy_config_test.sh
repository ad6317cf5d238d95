#!/usr/bin/env bash
# deploy/haproxy.cfg is valid for HAProxy (`haproxy -c`, no warning) with the environment
# scripts/cluster-demo sets — one, two and three servers, with and without the plain port
# that redirects — and refuses to start, saying what is missing, without it.
#
#   haproxy_config_test.sh SOURCE_DIR
set -euo pipefail
source_dir=$1
cfg=$source_dir/deploy/haproxy.cfg
for tool in haproxy openssl; do
    command -v "$tool" >/dev/null || {
        echo "FAIL: $tool was not found: apt-get install haproxy openssl (CLUSTER_PACKAGES in scripts/lib.sh)" >&2
        exit 1
    }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# HAProxy loads the certificate while checking: a real one, as the demo makes.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
cat "$work/cert.pem" "$work/key.pem" >"$work/haproxy.pem"

# check NAME VAR=VALUE...: haproxy -c with exactly these HELPLINE_* variables must pass
# without a warning.
check() {
    local name=$1 output
    shift
    if ! output=$(env -u HELPLINE_HTTP_BIND -u HELPLINE_PUBLIC_HOST -u HELPLINE_SERVER_2 \
        -u HELPLINE_SERVER_3 -u HELPLINE_HAPROXY_USER -u HELPLINE_SERVERS_CA "$@" haproxy -c -f "$cfg" 2>&1); then
        fail "$name: haproxy -c refused the configuration: $output"
        return
    fi
    grep -q 'Configuration file is valid' <<<"$output" || fail "$name: haproxy -c said: $output"
    if grep -q 'WARNING' <<<"$output"; then fail "$name: haproxy -c warned: $output"; fi
    echo "ok: $name"
}
# refused NAME EXPECTED VAR=VALUE...: haproxy -c must fail and say EXPECTED.
refused() {
    local name=$1 expected=$2 output
    shift 2
    if output=$(env -u HELPLINE_TLS_PEM -u HELPLINE_HTTPS_BIND -u HELPLINE_HAPROXY_SOCKET \
        -u HELPLINE_SERVER_1 -u HELPLINE_HTTP_BIND -u HELPLINE_PUBLIC_HOST "$@" haproxy -c -f "$cfg" 2>&1); then
        fail "$name: haproxy -c accepted it"
        return
    fi
    grep -qF -- "$expected" <<<"$output" || fail "$name: expected the message '$expected', got: $output"
    echo "ok: $name"
}

base=(HELPLINE_TLS_PEM="$work/haproxy.pem" HELPLINE_HTTPS_BIND=127.0.0.1:8443
    HELPLINE_HAPROXY_SOCKET="$work/haproxy.sock" HELPLINE_SERVER_1=127.0.0.1:8081)
check "one server" "${base[@]}"
check "two servers (the demo's default)" "${base[@]}" HELPLINE_SERVER_2=127.0.0.1:8082
check "three servers and the plain port's redirect" "${base[@]}" HELPLINE_SERVER_2=127.0.0.1:8082 \
    HELPLINE_SERVER_3=127.0.0.1:8083 HELPLINE_HTTP_BIND=127.0.0.1:8080 HELPLINE_PUBLIC_HOST=127.0.0.1:8443
# Production's: all addresses, the redirect, no root once bound (the package's user), TLS
# to servers on other machines.
check "production: any address, the redirect, user haproxy, TLS to the servers" HELPLINE_TLS_PEM="$work/haproxy.pem" \
    HELPLINE_HTTPS_BIND=0.0.0.0:443 HELPLINE_HAPROXY_SOCKET="$work/haproxy.sock" \
    HELPLINE_SERVER_1=10.0.0.11:8081 HELPLINE_SERVER_2=10.0.0.12:8081 HELPLINE_HTTP_BIND=0.0.0.0:80 \
    HELPLINE_PUBLIC_HOST=helpline.team.example HELPLINE_HAPROXY_USER=haproxy \
    HELPLINE_SERVERS_CA="$work/cert.pem"
refused "no environment" "needs HELPLINE_TLS_PEM, HELPLINE_HTTPS_BIND, HELPLINE_HAPROXY_SOCKET and HELPLINE_SERVER_1"
refused "a plain port without the public host" "set HELPLINE_PUBLIC_HOST too" "${base[@]}" \
    HELPLINE_HTTP_BIND=127.0.0.1:8080

if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "all checks passed"
