#!/usr/bin/env bash
# The team's packages on a fresh server: helpline-client-base, helpline-brand and
# helpline-server installed with apt (no Recommends) in a fresh minbase bookworm root
# (fresh_root.sh), where
#   1. the postinst made the helpline user, /var/lib/helpline and the team's database, both
#      the service user's, and said where the first admin's one-time password is;
#   2. `systemd-analyze verify` passes on the installed unit;
#   3. the server started as the unit starts it (its ExecStart, as its User and Group, with
#      its UMask; systemd is not PID 1 in a chroot) reads /etc/helpline/server.conf,
#      answers /readyz, serves the operator console, and the first admin signs in with that
#      password;
#   4. `helpline-brand package` with the installed base (/usr/lib/helpline/client-base, its
#      default) makes the demo brand's .deb there;
#   5. remove keeps the data, the settings and the user; purge deletes the settings and
#      keeps the data; a reinstallation leaves the existing database alone; purge with
#      HELPLINE_PURGE_DATA=yes deletes the data (docs/operations.md, installer/deb/server/postrm).
#
#   server_test.sh PACKAGES_DIR SOURCE_DIR WORK
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/fresh_root.sh"
. "$here/common.sh"
root_isolate "$@"
packages=$1 src=$2 work=$3
mkdir -p "$work"

debs=()
for name in helpline-client-base helpline-brand helpline-server; do
    found=("$packages/${name}_"*.deb)
    [ ${#found[@]} -eq 1 ] && [ -f "${found[0]}" ] ||
        fail "expected one ${name}_*.deb in $packages (the team's packages: cpack), found: ${found[*]}"
    debs+=("${found[0]}")
done

TEST_ROOT=$work/root
step "a fresh root in $TEST_ROOT"
root_new "$TEST_ROOT"
root_apt "$TEST_ROOT" update >"$work/apt.log" 2>&1 || { show_log "$work/apt.log"; fail "apt-get update failed in the root"; }
mkdir -p "$TEST_ROOT/tmp/packages"
cp "${debs[@]}" "$TEST_ROOT/tmp/packages/"
in_root=()
for d in "${debs[@]}"; do in_root+=("/tmp/packages/$(basename "$d")"); done

step "apt-get install ${in_root[*]}"
root_apt "$TEST_ROOT" install "${in_root[@]}" >"$work/install.log" 2>&1 ||
    { show_log "$work/install.log" 60; fail "apt-get install of the team's packages failed in a fresh root"; }
step "  $(grep -E '^[0-9]+ upgraded, [0-9]+ newly installed' "$work/install.log")"
grep '^helpline-server:' "$work/install.log" | sed 's/^/    /'
grep -q 'sudo cat /var/lib/helpline/first-admin-password' "$work/install.log" ||
    fail "the postinst did not say how to get the first admin's password: $(grep -i helpline "$work/install.log")"

step "the postinst's user, data folder and database"
unit=$(root_run "$TEST_ROOT" dpkg -L helpline-server | grep '/helpline-server\.service$' | head -1)
[ -n "$unit" ] || fail "helpline-server installs no helpline-server.service"
unit_value() { sed -n "s/^$1=//p" "$TEST_ROOT$unit" | tail -1; }
user=$(unit_value User)
group=$(unit_value Group)
[ -n "$user" ] || fail "$unit names no User="
group=${group:-$user}
root_run "$TEST_ROOT" getent passwd "$user" >/dev/null || fail "the postinst made no user '$user'"
data=/var/lib/helpline
# stat in the root: its users are not this machine's.
[ "$(root_run "$TEST_ROOT" stat -c '%U:%G %a' "$data")" = "$user:$group 700" ] ||
    fail "$data is $(root_run "$TEST_ROOT" stat -c '%U:%G %a' "$data"), not $user:$group 700"
[ "$(root_run "$TEST_ROOT" stat -c %U "$data/helpline.db")" = "$user" ] ||
    fail "the database is not $user's: $(root_run "$TEST_ROOT" ls -l "$data")"
secret=$data/first-admin-password
[ "$(root_run "$TEST_ROOT" stat -c '%U %a' "$secret")" = "root 600" ] ||
    fail "$secret is $(root_run "$TEST_ROOT" stat -c '%U %a' "$secret" 2>&1), not root's with mode 600"
email=$(sed -n 's/^Email: *//p' "$TEST_ROOT$secret")
password=$(sed -n 's/^One-time password: *//p' "$TEST_ROOT$secret")
[ -n "$email" ] && [ -n "$password" ] || fail "$secret gives no email and password: $(cat "$TEST_ROOT$secret")"
step "  user $user, $data and its database are $user's; the first admin is $email"

step "systemd-analyze verify $unit"
# verify runs `man` for the unit's Documentation=man:… (the page must exist): man-db, which
# every Debian but a minbase one has, is added to the root for that.
root_apt "$TEST_ROOT" install man-db >"$work/man-db.log" 2>&1 || { show_log "$work/man-db.log"; fail "could not install man-db in the root"; }
out=$(root_run "$TEST_ROOT" systemd-analyze verify "$unit" 2>&1) || fail "systemd-analyze verify $unit: $out"
[ -z "$out" ] || step "  $out"

step "the server started as the unit starts it answers /readyz"
exec_start=$(unit_value ExecStart)
exec_start=${exec_start#[-+!@:]}
umask_value=$(unit_value UMask)
config=$(sed -n 's/.*--config[ =]\([^ ]*\).*/\1/p' <<<"$exec_start")
config=${config:-/etc/helpline/server.conf}
listen=$(sed -n '/^\[run\]/,/^\[/s/^[[:space:]]*listen[[:space:]]*=[[:space:]]*\([^[:space:]#]*\).*/\1/p' "$TEST_ROOT$config" | tail -1)
port=${listen##*:}
scheme=http
grep -Eq '^[[:space:]]*(self-signed[[:space:]]*=[[:space:]]*true|tls-cert[[:space:]]*=)' "$TEST_ROOT$config" && scheme=https
[ -n "$port" ] || fail "no listen = in $config's [run] section"
url=$scheme://127.0.0.1:$port
step "  ExecStart=$exec_start as $user:$group, umask ${umask_value:-0022}, $config listens on $listen ($scheme)"
ns=$(netns_new) || fail "could not make a network namespace"
home=$(root_run "$TEST_ROOT" getent passwd "$user" | cut -d: -f6)
netns_run "$ns" chroot "$TEST_ROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin \
    "${ROOT_ENV[@]}" HOME="$home" USER="$user" LOGNAME="$user" LANG=C.UTF-8 \
    /usr/bin/setpriv --reuid="$user" --regid="$group" --init-groups -- \
    /bin/sh -c "umask ${umask_value:-0022} && cd / && exec $exec_start" >"$work/server.log" 2>&1 &
server=$!
ready() {
    [ "$(netns_run "$ns" curl -sk --max-time 2 -o /dev/null -w '%{http_code}' "$url/readyz")" = 200 ]
}
if ! wait_until 30 ready; then
    kill -0 "$server" 2>/dev/null && echo "(the server still runs)" >&2 || echo "(the server exited)" >&2
    show_log "$work/server.log"
    fail "$url/readyz did not answer 200 within 30 s"
fi
step "  $url/readyz: 200"
console=$(netns_run "$ns" curl -skL --max-time 10 "$url/")
grep -qi '<html' <<<"$console" || fail "$url/ did not lead to the operator console's page: $(head -c 300 <<<"$console")"
step "  $url/ serves the operator console"

step "the first admin signs in with the one-time password"
body=$(jq -cn --arg e "$email" --arg p "$password" '{email: $e, password: $p}')
answer=$(netns_run "$ns" curl -sk --max-time 10 -w '\n%{http_code}' -H 'Content-Type: application/json' \
    --data "$body" "$url/api/v1/auth/login")
code=$(tail -1 <<<"$answer")
[ "$code" = 200 ] || fail "POST /api/v1/auth/login as $email answered $code: $(head -n -1 <<<"$answer")"
role=$(head -n -1 <<<"$answer" | jq -r .user.role)
[ "$role" = admin ] || fail "$email signed in as '$role', not admin"
step "  signed in as $email, role $role"
kill -TERM "$server"
wait_until 15 bash -c "! kill -0 $server 2>/dev/null" || fail "the server did not stop within 15 s of SIGTERM"
wait "$server" 2>/dev/null || true
kill "$ns" 2>/dev/null

step "helpline-brand package with the installed client base"
mkdir -p "$TEST_ROOT/tmp/brand"
cp -r "$src/branding/profiles/demo" "$TEST_ROOT/tmp/brand/demo"
cp "$src/tests/fixtures/keys/test-signing-key.pem" "$TEST_ROOT/tmp/brand/"
package_demo() {
    root_run "$TEST_ROOT" sh -c 'cd /tmp/brand && helpline-brand package --profile demo --key test-signing-key.pem --format deb --out dist' 2>&1
}
# rsvg-convert (librsvg2-bin) is a Recommends of helpline-brand, which apt installs by
# default and this test, installing without Recommends, does not: without it `package`
# says what to install; with it, it works.
if ! root_run "$TEST_ROOT" sh -c 'command -v rsvg-convert' >/dev/null; then
    out=$(package_demo) && fail "helpline-brand package worked without rsvg-convert: $out"
    grep -q 'librsvg2-bin' <<<"$out" || fail "without rsvg-convert, helpline-brand package said: $out"
    step "  without librsvg2-bin (a Recommends): $out"
    root_apt "$TEST_ROOT" install librsvg2-bin >"$work/rsvg.log" 2>&1 || { show_log "$work/rsvg.log"; fail "could not install librsvg2-bin"; }
fi
out=$(package_demo) || fail "helpline-brand package with the installed base failed: $out"
branded=("$TEST_ROOT"/tmp/brand/dist/demo-support_*.deb)
[ -f "${branded[0]}" ] || fail "helpline-brand package made no demo-support_*.deb: $out"
inner=/tmp/brand/dist/$(basename "${branded[0]}")
contents=$(root_run "$TEST_ROOT" dpkg-deb --contents "$inner") || fail "dpkg-deb --contents $inner failed"
grep -q ' \./usr/lib/demo-support/bin/demo-support$' <<<"$contents" ||
    fail "$(basename "$inner") holds no /usr/lib/demo-support/bin/demo-support"
step "  $(basename "$inner"), version $(root_run "$TEST_ROOT" dpkg-deb -f "$inner" Version)"

step "remove keeps the data, the settings and the user"
root_apt "$TEST_ROOT" remove helpline-server >"$work/remove.log" 2>&1 || { show_log "$work/remove.log"; fail "apt-get remove helpline-server failed"; }
[ ! -e "$TEST_ROOT/usr/bin/helpline-server" ] || fail "apt-get remove left /usr/bin/helpline-server"
[ ! -e "$TEST_ROOT$unit" ] || fail "apt-get remove left $unit"
[ -f "$TEST_ROOT$config" ] || fail "apt-get remove deleted $config (a conffile: only purge deletes it)"
[ -f "$TEST_ROOT$data/helpline.db" ] || fail "apt-get remove deleted the database"
root_run "$TEST_ROOT" getent passwd "$user" >/dev/null || fail "apt-get remove deleted the user $user"

step "purge deletes the settings, keeps the data and says so"
root_apt "$TEST_ROOT" purge helpline-server >"$work/purge.log" 2>&1 || { show_log "$work/purge.log"; fail "apt-get purge helpline-server failed"; }
[ ! -e "$TEST_ROOT$config" ] || fail "apt-get purge left $config"
[ -f "$TEST_ROOT$data/helpline.db" ] || fail "apt-get purge deleted the database (the documentation says it is kept)"
grep -q "kept the team's data in $data" "$work/purge.log" || fail "purge did not say that it kept $data: $(cat "$work/purge.log")"
status=$(root_run "$TEST_ROOT" dpkg-query -W -f='${Status}' helpline-server 2>/dev/null || true)
[ -z "$status" ] || [[ $status == *not-installed ]] || fail "dpkg still knows helpline-server after purge: $status"

step "a reinstallation leaves the existing database alone"
sum=$(sha256sum <"$TEST_ROOT$data/helpline.db")
root_apt "$TEST_ROOT" install /tmp/packages/"$(basename "${debs[2]}")" >"$work/reinstall.log" 2>&1 ||
    { show_log "$work/reinstall.log"; fail "reinstalling helpline-server failed"; }
[ "$(sha256sum <"$TEST_ROOT$data/helpline.db")" = "$sum" ] || fail "the reinstallation changed the existing database"
grep -q 'created the team' "$work/reinstall.log" && fail "the reinstallation created a team again: $(grep helpline-server: "$work/reinstall.log")"
[ -f "$TEST_ROOT$config" ] || fail "the reinstallation did not put $config back"

step "purge with HELPLINE_PURGE_DATA=yes deletes the data"
root_run "$TEST_ROOT" env HELPLINE_PURGE_DATA=yes timeout 600 apt-get -y -q -o Dpkg::Use-Pty=0 purge helpline-server \
    >"$work/purge-data.log" 2>&1 || { show_log "$work/purge-data.log"; fail "apt-get purge with HELPLINE_PURGE_DATA=yes failed"; }
[ ! -e "$TEST_ROOT$data" ] || fail "purge with HELPLINE_PURGE_DATA=yes left $data"

finish
