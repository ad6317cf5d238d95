#!/usr/bin/env bash
# The team's Debian packages (installer/packages.cmake), made by CPack from the already
# built tree into WORK/dist and checked with the real tools: dpkg-deb, lintian,
# systemd-analyze, systemd-sysusers, systemd-tmpfiles and the packaged helpline-server.
#
#   team_packages_test.sh STEP BUILD_DIR WORK VERSION BACKENDS
#
# STEP: build (makes the packages; the other steps need it), contents, lintian, systemd,
# server. BACKENDS: the backends the client base carries in libexec/, comma-separated.
# Every failure says what was expected.
set -euo pipefail
step=$1 build=$2 work=$3 version=$4
IFS=, read -r -a backends <<<"${5:-}"
dist=$work/dist
deb_version=$version-1
arch=$(dpkg --print-architecture)
client_deb=$dist/helpline-client-base_${deb_version}_$arch.deb
brand_deb=$dist/helpline-brand_${deb_version}_$arch.deb
server_deb=$dist/helpline-server_${deb_version}_$arch.deb

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
    [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}
# expect_match WHAT REGEX TEXT
expect_match() {
    grep -Eq -- "$2" <<<"$3" || fail "$1: expected to match /$2/, got: $3"
}
finish() {
    if [ "$failures" -gt 0 ]; then
        echo "$failures check(s) failed" >&2
        exit 1
    fi
    echo "all checks passed"
}

# cpack on the built tree (no rebuild): only installs the components and packs them.
# gzip instead of the packages' xz: a few times faster on the debug and sanitizer trees'
# big programs, and the only difference from what scripts/package makes.
pack() {
    local out=$1
    shift
    rm -rf "$out"
    cpack --config "$build/CPackConfig.cmake" -B "$out" -D CPACK_DEBIAN_COMPRESSION_TYPE=gzip "$@" >"$out.log" 2>&1 || {
        cat "$out.log" >&2
        echo "cpack failed (log above)" >&2
        exit 1
    }
    rm -rf "$out/_CPack_Packages"
}

field() { dpkg-deb --field "$2" "$1"; }  # field NAME DEB

# "MODE OWNER PATH" lines of a package's files, e.g. "-rwxr-xr-x root/root ./usr/bin/x".
listing() { dpkg-deb --contents "$1" | awk '{ print $1, $2, $6 }'; }

expect_file() {  # expect_file DEB MODE PATH
    grep -qxF -- "$2 root/root ./$3" <<<"$(listing "$1")" ||
        fail "$(basename "$1"): expected $3 with mode $2, owned by root: $(listing "$1" | grep -F -- "$3" || echo missing)"
}

step_build() {
    mkdir -p "$work"
    local started=$SECONDS
    pack "$dist"
    echo "cpack: $((SECONDS - started)) s"
    for deb in "$client_deb" "$brand_deb" "$server_deb"; do
        [ -f "$deb" ] || fail "cpack did not make $(basename "$deb"); it made: $(ls "$dist")"
    done
    # Deterministic: the same tree packs to the same bytes (the smallest package, again).
    pack "$work/again" -D CPACK_COMPONENTS_ALL=brand
    cmp -s "$brand_deb" "$work/again/$(basename "$brand_deb")" ||
        fail "packing helpline-brand twice gave different bytes (time stamps? see installer/cpack_project.cmake.in)"
    finish
}

step_contents() {
    local deb name
    for deb in "$client_deb" "$brand_deb" "$server_deb"; do
        name=$(basename "$deb" | cut -d_ -f1)
        dpkg-deb --info "$deb" >/dev/null || fail "dpkg-deb --info cannot read $deb"
        expect_eq "$name: Package" "$name" "$(field Package "$deb")"
        expect_eq "$name: Version" "$deb_version" "$(field Version "$deb")"
        expect_eq "$name: Architecture" "$arch" "$(field Architecture "$deb")"
        expect_eq "$name: Source" "helpline" "$(field Source "$deb")"
        expect_match "$name: Maintainer" '^[^<]+ <[^@>]+@[^>]+>$' "$(field Maintainer "$deb")"
        expect_match "$name: Homepage" '^https://' "$(field Homepage "$deb")"
        expect_match "$name: Depends" '(^|, )libc6 \(>= ' "$(field Depends "$deb")"
        expect_file "$deb" -rw-r--r-- "usr/share/doc/$name/copyright"
        expect_file "$deb" -rw-r--r-- "usr/share/doc/$name/changelog.Debian.gz"
        expect_match "$name: changelog" "^helpline \\($deb_version\\) " \
            "$(dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/share/doc/$name/changelog.Debian.gz" | gzip -dc | head -1)"
        # Nothing but root's files, and directories 0755.
        local odd
        odd=$(listing "$deb" | awk '$2 != "root/root" || ($1 ~ /^d/ && $1 != "drwxr-xr-x")')
        [ -z "$odd" ] || fail "$name: files not owned by root or directories not 0755: $odd"
    done

    # helpline-client-base: the bundle, exactly, and nothing on the PATH.
    local base=usr/lib/helpline/client-base
    expect_file "$client_deb" -rwxr-xr-x "$base/bin/helpline"
    expect_file "$client_deb" -rwxr-xr-x "$base/bin/helpline-cli"
    for lang in pt pt_BR it; do
        expect_file "$client_deb" -rw-r--r-- "$base/share/locale/$lang/LC_MESSAGES/helpline.mo"
    done
    expect_file "$client_deb" -rw-r--r-- "$base/depends"
    expect_file "$client_deb" -rw-r--r-- "$base/version"
    local backend backend_files=()
    [[ " ${backends[*]} " == *" helpline-vnc-auth "* ]] ||
        fail "the build's backends ('${backends[*]}') lack helpline-vnc-auth, which every build makes"
    for backend in "${backends[@]}"; do
        expect_file "$client_deb" -rwxr-xr-x "$base/libexec/$backend"
        backend_files+=("./$base/libexec/$backend")
    done
    local files
    files=$(listing "$client_deb" | awk '$1 !~ /^d/ { print $3 }' | sort)
    expect_eq "helpline-client-base: its files" \
        "$(printf '%s\n' ./$base/bin/helpline ./$base/bin/helpline-cli ./$base/depends \
            "${backend_files[@]}" \
            ./$base/share/locale/{it,pt,pt_BR}/LC_MESSAGES/helpline.mo ./$base/version \
            ./usr/share/doc/helpline-client-base/changelog.Debian.gz \
            ./usr/share/doc/helpline-client-base/copyright | sort)" "$files"
    local tree=$work/client-root
    rm -rf "$tree" && dpkg-deb -x "$client_deb" "$tree"
    expect_eq "helpline-client-base: version file" "$version" "$(cat "$tree/$base/version")"
    # Its own Depends are what the bundle tells branded packages (both from dpkg-shlibdeps).
    expect_eq "helpline-client-base: Depends = the bundle's depends file" \
        "$(cat "$tree/$base/depends")" "$(field Depends "$client_deb")"
    expect_match "helpline-client-base: GUI libraries in Depends" 'libwx' "$(field Depends "$client_deb")"
    file "$tree/$base/bin/helpline" | grep -q ', stripped' || fail "helpline-client-base: bin/helpline is not stripped"
    for backend in "${backends[@]}"; do
        file "$tree/$base/libexec/$backend" | grep -q ', stripped' ||
            fail "helpline-client-base: libexec/$backend is not stripped"
        # The bundle as built: what helpline-brand copies into the brands' packages.
        cmp -s "$tree/$base/libexec/$backend" "$build/client-base/libexec/$backend" ||
            fail "helpline-client-base: libexec/$backend differs from the bundle's (client-base/libexec)"
    done
    # The backends' libraries are among its Depends (dpkg-shlibdeps ran on them too).
    if [[ " ${backends[*]} " == *" helpline-portal-vnc "* ]]; then
        for library in libportal1 libvncserver1 libpipewire-0.3-0; do
            expect_match "helpline-client-base: $library (helpline-portal-vnc) in Depends" "(^|, )$library( |,|$)" \
                "$(field Depends "$client_deb")"
        done
    fi

    # helpline-brand
    expect_file "$brand_deb" -rwxr-xr-x usr/bin/helpline-brand
    expect_file "$brand_deb" -rw-r--r-- usr/share/man/man1/helpline-brand.1.gz
    expect_match "helpline-brand: Recommends" "^helpline-client-base \\(= $deb_version\\), librsvg2-bin$" \
        "$(field Recommends "$brand_deb")"
    tree=$work/brand-root
    rm -rf "$tree" && dpkg-deb -x "$brand_deb" "$tree"
    file "$tree/usr/bin/helpline-brand" | grep -q ', stripped' || fail "helpline-brand: the program is not stripped"

    # helpline-server: program, console, unit, sysusers, tmpfiles, conffile, scripts.
    expect_file "$server_deb" -rwxr-xr-x usr/bin/helpline-server
    expect_file "$server_deb" -rw-r--r-- usr/share/helpline/console/index.html
    expect_file "$server_deb" -rw-r--r-- usr/share/helpline/console/js/app.js
    expect_file "$server_deb" -rw-r--r-- usr/share/helpline/common-passwords.txt
    expect_file "$server_deb" -rw-r--r-- usr/share/man/man1/helpline-server.1.gz
    expect_file "$server_deb" -rw-r--r-- lib/systemd/system/helpline-server.service
    expect_file "$server_deb" -rw-r--r-- usr/lib/sysusers.d/helpline-server.conf
    expect_file "$server_deb" -rw-r--r-- usr/lib/tmpfiles.d/helpline-server.conf
    expect_file "$server_deb" -rw-r--r-- etc/helpline/server.conf
    local outside
    outside=$(listing "$server_deb" | awk '$1 !~ /^d/ { print $3 }' |
        grep -Ev '^\./(usr/bin/helpline-server|usr/share/helpline/console/|usr/share/helpline/common-passwords\.txt|usr/share/man/man1/helpline-server\.1\.gz|usr/share/doc/helpline-server/|lib/systemd/system/helpline-server\.service|usr/lib/(sysusers|tmpfiles)\.d/helpline-server\.conf|etc/helpline/server\.conf)' || true)
    [ -z "$outside" ] || fail "helpline-server: unexpected files: $outside"
    expect_match "helpline-server: Depends" '(^|, )systemd \| systemd-standalone-sysusers \| systemd-sysusers($|, )' \
        "$(field Depends "$server_deb")"
    expect_match "helpline-server: Depends procps (the unit's ExecReload)" '(^|, )procps($|, )' \
        "$(field Depends "$server_deb")"
    expect_eq "helpline-server: Recommends" "novnc, libjs-chart.js, node-qrcode-generator" "$(field Recommends "$server_deb")"
    expect_eq "helpline-server: Suggests" "sqlite3" "$(field Suggests "$server_deb")"
    local control=$work/server-control
    rm -rf "$control" && dpkg-deb --control "$server_deb" "$control"
    expect_eq "helpline-server: conffiles" "/etc/helpline/server.conf" "$(cat "$control/conffiles")"
    local script
    for script in postinst prerm postrm; do
        [ "$(stat -c %a "$control/$script")" = 755 ] || fail "helpline-server: $script is not 0755"
        sh -n "$control/$script" || fail "helpline-server: $script is not valid sh"
        head -1 "$control/$script" | grep -qx '#!/bin/sh' || fail "helpline-server: $script does not start with #!/bin/sh"
    done
    [ "$(stat -c %a "$control/conffiles")" = 644 ] || fail "helpline-server: conffiles is not 0644"
    # postinst: the database made as the service user, only where none exists.
    # shellcheck disable=SC2016 # the postinst's own text, not expanded here
    grep -q 'setpriv --reuid="$SERVICE_USER"' "$control/postinst" || fail "postinst: init does not run as the service user"
    # shellcheck disable=SC2016
    grep -q 'if \[ ! -e "$data/helpline.db" \]; then' "$control/postinst" || fail "postinst: no guard for an existing database"
    grep -q 'deb-systemd-helper' "$control/postinst" || fail "postinst: the unit is not enabled with deb-systemd-helper"
    grep -q 'HELPLINE_PURGE_DATA' "$control/postrm" || fail "postrm: purge does not ask before removing the data"
    # postinst reads the data folder as the server does: the last `data =` before any section.
    local conf=$work/data-folder.conf
    printf '# data = /not/this\n  data = "/srv/helpline team"  \n[run]\ndata = /not/this/either\n' >"$conf"
    expect_eq "postinst's data folder" "/srv/helpline team" \
        "$(CONFIG=$conf sh -c "$(sed -n '/^data_folder() {/,/^}/p' "$control/postinst"); data_folder")"
    printf '[run]\nlisten = 0.0.0.0:8443\n' >"$conf"
    expect_eq "postinst's data folder by default" "/var/lib/helpline" \
        "$(CONFIG=$conf sh -c "$(sed -n '/^data_folder() {/,/^}/p' "$control/postinst"); data_folder")"
    finish
}

step_lintian() {
    # Errors fail; so does a warning that docs/installer.md does not justify:
    # initial-upload-closes-no-bugs: these packages are not uploaded to Debian, so their
    # first changelog entry closes no "intent to package" bug.
    local allowed=': initial-upload-closes-no-bugs '
    local out rc=0
    out=$(lintian --no-cfg --display-level '>=warning' --fail-on error "$client_deb" "$brand_deb" "$server_deb" 2>&1) ||
        rc=$?
    out=$(grep -v '^running with root privileges is not recommended!$' <<<"$out" || true)
    echo "$out"
    [ "$rc" -eq 0 ] || fail "lintian exits with $rc (errors, or it could not run): see above"
    local unexpected
    unexpected=$(grep -E '^[EW]: ' <<<"$out" | grep -Ev "$allowed" || true)
    [ -z "$unexpected" ] || fail "lintian tags not justified in docs/installer.md:"$'\n'"$unexpected"
    finish
}

step_systemd() {
    local root=$work/server-root
    rm -rf "$root" && dpkg-deb -x "$server_deb" "$root"
    local unit=$root/lib/systemd/system/helpline-server.service
    local out
    # The unit's user and folder, made in the temporary root as the postinst does.
    if [ "$(id -u)" -eq 0 ]; then
        mkdir -p "$root/etc"
        touch "$root/etc/passwd" "$root/etc/group" "$root/etc/shadow" "$root/etc/gshadow"
        out=$(systemd-sysusers --root="$root" helpline-server.conf 2>&1) || fail "systemd-sysusers: $out"
        expect_match "sysusers: the helpline user" '^helpline:x:[0-9]+:[0-9]+:Helpline team server:/var/lib/helpline:/(usr/)?s?bin/nologin$' \
            "$(grep '^helpline:' "$root/etc/passwd" || echo none)"
        out=$(systemd-tmpfiles --root="$root" --create helpline-server.conf 2>&1) || fail "systemd-tmpfiles: $out"
        local ids
        ids=$(grep '^helpline:' "$root/etc/passwd" | cut -d: -f3,4 --output-delimiter=' ')
        expect_eq "tmpfiles: /var/lib/helpline's mode, user and group" "700 $ids" \
            "$(stat -c '%a %u %g' "$root/var/lib/helpline" 2>&1)"
    else
        out=$(systemd-sysusers --root="$root" --dry-run helpline-server.conf 2>&1) || fail "systemd-sysusers: $out"
        expect_match "sysusers: the helpline user" 'helpline' "$out"
        out=$(systemd-tmpfiles --root="$root" --cat-config helpline-server.conf 2>&1) || fail "systemd-tmpfiles: $out"
        expect_match "tmpfiles: /var/lib/helpline" '^d /var/lib/helpline 0700 helpline helpline -$' "$out"
    fi
    # verify: the unit parses and its ExecStart exists in the root, with the units it
    # orders itself against (sysinit.target, network-online.target, ...) taken from this
    # machine's systemd. No warning at all. Its Documentation= is the man page, checked below.
    cp -an /lib/systemd/system/. "$root/lib/systemd/system/"
    # ExecReload's /bin/kill, which the package's dependency procps installs.
    install -D -m 0755 /bin/kill "$root/bin/kill"
    out=$(systemd-analyze verify --man=no --root="$root" /lib/systemd/system/helpline-server.service 2>&1) ||
        fail "systemd-analyze verify: $out"
    [ -z "$out" ] || fail "systemd-analyze verify warns: $out"
    out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$root/usr/share/man/man1/helpline-server.1.gz" 2>&1 >/dev/null) ||
        fail "man cannot show helpline-server(1): $out"
    [ -z "$out" ] || fail "man warns about helpline-server(1): $out"
    # The sandbox: exposure 2.0 ("OK") at most, as docs/operations.md says.
    out=$(systemd-analyze security --offline=true --root="$root" --threshold=20 "$unit" 2>&1) ||
        fail "systemd-analyze security: exposure above 2.0:"$'\n'"$out"
    grep 'Overall exposure level' <<<"$out"
    finish
}

step_server() {
    local root=$work/server-run
    rm -rf "$root" && dpkg-deb -x "$server_deb" "$root"
    local server=$root/usr/bin/helpline-server conf=$root/etc/helpline/server.conf data=$work/team
    rm -rf "$data" "$work/port"
    export HELPLINE_FAST_PASSWORD_HASH=1
    local out
    out=$("$server" init --config "$conf" --data "$data" --admin-email admin@team.example 2>&1) ||
        fail "init with the packaged configuration: $out"
    # The packaged settings (listen 0.0.0.0:8443, self-signed) with the address overridden.
    "$server" run --config "$conf" --data "$data" --listen 127.0.0.1:0 --port-file "$work/port" \
        >"$work/server.out" 2>"$work/server.log" &
    local pid=$!
    local deadline=$((SECONDS + 30))
    while [ ! -s "$work/port" ] && [ $SECONDS -lt $deadline ] && kill -0 $pid 2>/dev/null; do sleep 0.1; done
    if [ ! -s "$work/port" ]; then
        fail "the server did not start with the packaged configuration: $(cat "$work/server.log")"
        kill $pid 2>/dev/null || true
        finish
    fi
    local port
    port=$(cat "$work/port")
    expect_eq "/readyz over the self-signed TLS of the configuration" 200 \
        "$(curl -sSk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/readyz")"
    expect_eq "/console/ from the package" 200 \
        "$(curl -sSk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/console/")"
    grep -qF "operator console served from $(realpath "$root")/usr/share/helpline/console" "$work/server.log" ||
        fail "the console is not served from the package's share/helpline/console: $(grep console "$work/server.log")"
    [ -f "$data/tls/self-signed-cert.pem" ] || fail "self-signed = true did not make DATA/tls/self-signed-cert.pem"
    kill -TERM $pid
    deadline=$((SECONDS + 15))
    while kill -0 $pid 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    if kill -0 $pid 2>/dev/null; then
        kill -KILL $pid
        fail "the server did not stop within 15 s of SIGTERM"
    fi
    wait $pid || fail "the server exited with $? after SIGTERM"

    # Root is refused on the service user's data, and told the command to use instead.
    if [ "$(id -u)" -eq 0 ]; then
        chown -R nobody:nogroup "$data"
        local rc=0
        out=$("$server" user list --config "$conf" --data "$data" 2>&1) || rc=$?
        expect_eq "user list as root on nobody's data: exit code" 1 "$rc"
        expect_match "user list as root on nobody's data: message" \
            "belongs to the user 'nobody'.*" "$out"
        grep -qF "sudo -u nobody helpline-server user list --config $conf --data $data" <<<"$out" ||
            fail "the refusal does not give the command to run as nobody: $out"
        [ ! -e "$data/helpline.db-wal" ] || [ "$(stat -c %U "$data/helpline.db-wal")" != root ] ||
            fail "the refused command left a -wal file owned by root"
        out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
            "$server" user list --config "$conf" --data "$data" 2>&1) || fail "user list as nobody: $out"
        expect_match "user list as the data's owner" 'admin@team\.example' "$out"
    fi
    finish
}

"step_$step"
