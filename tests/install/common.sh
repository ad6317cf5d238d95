# Sourced by the installation tests (tests/install/*_test.sh), after fresh_root.sh: how a
# test reports, and the pieces the client tests share.

# step TEXT: says what the test does now, with the seconds since it started (the tests take
# minutes: the log shows where they go).
step() {
    echo "[$(printf '%4d' "$SECONDS") s] $*"
}

# fail TEXT: the test fails, saying why (and where its root is, when it is kept on disk).
fail() {
    echo "FAIL: $*" >&2
    if [ -n "${TEST_ROOT:-}" ]; then
        if [ "$ROOT_IN_MEMORY" = 1 ]; then
            echo "(the root was in memory: run again with HELPLINE_KEEP_ROOTS=1 to keep it in $TEST_ROOT)" >&2
        else
            echo "(the root is kept in $TEST_ROOT until the next run)" >&2
        fi
    fi
    exit 1
}

# show_log FILE: the end of a log, indented, after a failure.
show_log() {
    [ -f "$1" ] && tail -n "${2:-40}" "$1" | sed 's/^/    /' >&2
    return 0
}

# finish: the root is deleted when the test passed.
finish() {
    [ -n "${TEST_ROOT:-}" ] && root_remove "$TEST_ROOT"
    step "passed"
}

# package_demo BRAND_TOOL BASE SOURCE_DIR WORK FORMAT: `helpline-brand package` makes the
# demo brand's package of FORMAT (deb or tgz) from the client base BASE, signed with the
# tests' key, into WORK/dist; prints its path.
package_demo() {
    local brand_tool=$1 base=$2 src=$3 work=$4 format=$5 made
    rm -rf "$work/dist"
    mkdir -p "$work/dist"
    "$brand_tool" package --profile "$src/branding/profiles/demo" \
        --key "$src/tests/fixtures/keys/test-signing-key.pem" --client "$base" --format "$format" \
        --out "$work/dist" >"$work/package.log" 2>&1 || { show_log "$work/package.log"; fail "helpline-brand package failed"; }
    made=("$work"/dist/*)
    [ ${#made[@]} -eq 1 ] && [ -f "${made[0]}" ] || fail "expected one package in $work/dist, found: ${made[*]}"
    echo "${made[0]}"
}

# no_missing_libraries ROOT PROGRAM...: ldd in the root finds every library each program needs.
no_missing_libraries() {
    local root=$1 program out
    shift
    for program in "$@"; do
        out=$(root_run "$root" ldd "$program" 2>&1) || fail "ldd $program failed in the root: $out"
        if grep -q 'not found' <<<"$out"; then
            fail "$program needs libraries its Depends did not bring: $(grep 'not found' <<<"$out" | tr -s ' \t' ' ')"
        fi
    done
}

# base_backends BASE: the backends the client base carries in libexec/, one name a line;
# the test fails when helpline-vnc-auth, which every build makes, is not among them.
base_backends() {
    local names
    names=$(find "$1/libexec" -maxdepth 1 -type f -printf '%f\n' 2>/dev/null | sort)
    grep -qx helpline-vnc-auth <<<"$names" ||
        fail "the client base $1 has no libexec/helpline-vnc-auth (its libexec/: ${names:-nothing}); build the target helpline_client_base"
    echo "$names"
}

# backends_run ROOT USER DIR NAME...: each backend DIR/NAME is executable, ldd finds its
# libraries in the root, and it starts there as USER (--help): what the client's launcher
# needs to start it.
backends_run() {
    local root=$1 user=$2 dir=$3 name out
    shift 3
    for name in "$@"; do
        [ -x "$root$dir/$name" ] || fail "no executable $dir/$name"
        no_missing_libraries "$root" "$dir/$name"
        out=$(root_as "$root" "$user" "$dir/$name" --help 2>&1) || fail "$dir/$name --help failed in the root: $out"
    done
    step "  backends in $dir: $* (libraries found, they start)"
}

# check_brand_runs ROOT USER PROGRAM CLI: `PROGRAM --check-brand` and `CLI status --json` run
# in the root as USER and say the demo brand.
check_brand_runs() {
    local root=$1 user=$2 program=$3 cli=$4 out
    out=$(root_as "$root" "$user" "$program" --check-brand 2>&1) ||
        fail "$program --check-brand failed (exit $?): $out"
    grep -q 'branded for Demo Support (profile demo-support, revision 1), signed by' <<<"$out" ||
        fail "$program --check-brand said: $out"
    step "  $out"
    out=$(root_as "$root" "$user" "$cli" status --json 2>&1) || fail "$cli status --json failed: $out"
    [ "$(jq -r .profile_id <<<"$out" 2>/dev/null)" = demo-support ] ||
        fail "$cli status --json did not name the profile demo-support: $out"
    step "  $cli status --json: profile $(jq -r .profile_id <<<"$out"), server $(jq -r .server <<<"$out")"
}

# install_gui_tools ROOT: what a desktop has and the package rightly does not depend on: an X
# server (Xvfb), the Portuguese locale a Portuguese desktop has generated, and
# desktop-file-validate. Installed after the package's own checks, so that they cannot
# hide a missing Depends.
install_gui_tools() {
    local root=$1 log=$2
    root_apt "$root" install xvfb xauth locales desktop-file-utils >"$log" 2>&1 ||
        { show_log "$log"; fail "could not install Xvfb, locales and desktop-file-utils in the root"; }
    echo 'pt_PT.UTF-8 UTF-8' >"$root/etc/locale.gen"
    root_run "$root" locale-gen >>"$log" 2>&1 || { show_log "$log"; fail "locale-gen pt_PT.UTF-8 failed"; }
}

# show_window ROOT USER PROGRAM SHOT LOG: PROGRAM starts as USER in the root under an Xvfb
# of the root, with LANG=pt_PT.UTF-8 and LANGUAGE=pt, and shows its window titled in
# Portuguese; SHOT is a screenshot of the screen. Both run in a network namespace of their
# own, so the display conflicts with no other on the machine; xdotool and import run from
# this machine's side into the same namespace (the display's abstract socket).
show_window() {
    local root=$1 user=$2 program=$3 shot=$4 log=$5 ns xvfb client title="Suporte Demo"
    ns=$(netns_new) || fail "could not make a network namespace"
    netns_run "$ns" chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin \
        Xvfb :5 -screen 0 1280x800x24 -nolisten tcp -noreset >"$log.xvfb" 2>&1 &
    xvfb=$!
    export DISPLAY=:5
    wait_until 30 netns_run "$ns" xdotool getdisplaygeometry >/dev/null 2>&1 ||
        { show_log "$log.xvfb"; fail "Xvfb did not start in the root"; }
    netns_run "$ns" chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin \
        /usr/bin/setpriv --reuid="$user" --regid="$user" --init-groups -- \
        /usr/bin/env "${ROOT_ENV[@]}" HOME="/home/$user" USER="$user" DISPLAY=:5 LANG=pt_PT.UTF-8 LANGUAGE=pt \
        "$program" >"$log" 2>&1 &
    client=$!
    if ! wait_until 60 netns_run "$ns" xdotool search --name "^$title\$" >/dev/null 2>&1; then
        echo "windows there:" >&2
        for w in $(netns_run "$ns" xdotool search --name . 2>/dev/null); do
            netns_run "$ns" xdotool getwindowname "$w" >&2
        done
        kill -0 "$client" 2>/dev/null && echo "(the client still runs)" >&2 || echo "(the client exited)" >&2
        show_log "$log"
        fail "no window titled '$title' appeared: the client did not start in Portuguese"
    fi
    # Mapped; poll until the toolkit has painted it (more than a handful of colours).
    painted() {
        netns_run "$ns" import -window root "$shot" 2>/dev/null || return 1
        [ "$(convert "$shot" -format '%k' info:)" -gt 20 ]
    }
    mkdir -p "$(dirname "$shot")"
    wait_until 20 painted || fail "the window stayed blank (screenshot $shot)"
    kill "$client" 2>/dev/null
    wait "$client" 2>/dev/null || true
    kill "$xvfb" 2>/dev/null
    wait "$xvfb" 2>/dev/null || true
    kill "$ns" 2>/dev/null
    unset DISPLAY
    step "  window '$title' shown; screenshot $shot"
}

# desktop_entry_valid ROOT FILE: desktop-file-validate in the root passes, and the entry's
# Exec program exists there.
desktop_entry_valid() {
    local root=$1 file=$2 out exec
    out=$(root_run "$root" desktop-file-validate "$file" 2>&1) ||
        fail "desktop-file-validate $file: $out"
    [ -z "$out" ] || step "  desktop-file-validate $file: $out"
    exec=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$root$file" | head -1)
    [ -n "$exec" ] || fail "$file has no Exec line"
    case $exec in
        /*) [ -x "$root$exec" ] || fail "$file runs $exec, which is not there" ;;
        *) root_run "$root" sh -c "command -v '$exec'" >/dev/null || fail "$file runs $exec, not on the PATH" ;;
    esac
}

# icons_present ROOT DIR NAME: the icon NAME in the hicolor theme under DIR, scalable and
# in the sizes the menus use.
icons_present() {
    local root=$1 dir=$2 name=$3 size
    [ -f "$root$dir/hicolor/scalable/apps/$name.svg" ] || fail "no $dir/hicolor/scalable/apps/$name.svg"
    for size in 16 32 48 64 128 256; do
        [ -f "$root$dir/hicolor/${size}x$size/apps/$name.png" ] ||
            fail "no $dir/hicolor/${size}x$size/apps/$name.png"
    done
}

# same_files BEFORE AFTER WHAT: the two lists of paths are the same, or the test fails
# showing the difference.
same_files() {
    local d
    d=$(diff "$1" "$2" | grep '^[<>]' || true)
    [ -z "$d" ] || fail "$3: the files differ (< before, > after):
$(head -50 <<<"$d")"
}

# remote_session ROOT USER CLI BRAND_TOOL SERVER SOURCE_DIR WORK SHOT: the whole journey with
# the client installed in ROOT. In a network namespace of its own: an Xvfb of the root (the
# customer's screen), this build's helpline-server on 127.0.0.1:8080 (the demo profile's
# server) with a team as scripts/demo makes it, and tests/console/demo_check.mjs, whose
# terminal client is CLI run as USER in the root. The operator's headless chromium must see
# the root's screen in the console's viewer (SHOT) and End session must end the session.
remote_session() {
    local root=$1 user=$2 cli=$3 brand_tool=$4 server=$5 src=$6 work=$7 shot=$8
    local ns xvfb server_pid team=$7/team operator=operator@demo.example password=session-check-password
    rm -rf "$work"
    mkdir -p "$team"
    "$server" init --data "$team" --admin-email admin@demo.example >"$work/team.log" 2>&1 &&
        "$server" group add --data "$team" helpdesk "Help desk" >>"$work/team.log" 2>&1 &&
        "$server" group add --data "$team" billing "Billing" >>"$work/team.log" 2>&1 &&
        printf '%s\n' "$password" | "$server" user add --data "$team" --email "$operator" \
            --name "Session check" --password-stdin >>"$work/team.log" 2>&1 &&
        "$server" group members --data "$team" helpdesk --set "$operator" >>"$work/team.log" 2>&1 &&
        "$brand_tool" sign-profile --profile "$src/branding/profiles/demo" \
            --key "$src/tests/fixtures/keys/test-signing-key.pem" --out "$work/profile.json" >>"$work/team.log" 2>&1 &&
        "$server" profile publish --data "$team" "$work/profile.json" >>"$work/team.log" 2>&1 ||
        { show_log "$work/team.log"; fail "could not set up the team server for the session"; }
    ns=$(netns_new) || fail "could not make a network namespace"
    # Display :6: the window check's Xvfb (:5) may leave its lock file in the root's /tmp.
    netns_run "$ns" chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin \
        Xvfb :6 -screen 0 1280x800x24 -nolisten tcp -noreset -retro >"$work/xvfb.log" 2>&1 &
    xvfb=$!
    DISPLAY=:6 wait_until 30 netns_run "$ns" xdotool getdisplaygeometry >/dev/null 2>&1 ||
        { show_log "$work/xvfb.log"; fail "Xvfb did not start in the root"; }
    netns_run "$ns" "$server" run --data "$team" --listen 127.0.0.1:8080 >"$work/server.log" 2>&1 &
    server_pid=$!
    wait_until 30 netns_run "$ns" curl -fsS http://127.0.0.1:8080/readyz >/dev/null 2>&1 ||
        { show_log "$work/server.log"; fail "the team server did not start"; }
    # demo_check.mjs runs its terminal client as a program: this one enters the root as the
    # user, with the display and nothing else of the caller's environment (whose PATH has
    # no sbin: chroot by its full path).
    mkdir -p "$root/tmp/$user-runtime"
    chmod 700 "$root/tmp/$user-runtime"
    root_run "$root" chown "$user:$user" "/tmp/$user-runtime"
    cat >"$work/cli" <<SCRIPT
#!/bin/sh
exec /usr/sbin/chroot '$root' /usr/bin/env -i PATH=/usr/bin:/bin ${ROOT_ENV[*]} \
    /usr/bin/setpriv --reuid='$user' --regid='$user' --init-groups -- \
    /usr/bin/env HOME='/home/$user' USER='$user' LANG=C.UTF-8 DISPLAY="\$DISPLAY" XDG_SESSION_TYPE=x11 \
    XDG_RUNTIME_DIR='/tmp/$user-runtime' '$cli' "\$@"
SCRIPT
    chmod 755 "$work/cli"
    local code=0
    netns_run "$ns" timeout 180 node "$src/tests/console/demo_check.mjs" --url http://127.0.0.1:8080 \
        --cli "$work/cli" --display :6 --email "$operator" --password "$password" --work "$work/check" \
        >"$work/check.log" 2>&1 || code=$?
    kill "$server_pid" "$xvfb" 2>/dev/null
    wait "$server_pid" "$xvfb" 2>/dev/null || true
    kill "$ns" 2>/dev/null
    if [ "$code" != 0 ]; then
        show_log "$work/check.log" 60
        show_log "$work/server.log" 20
        fail "the remote session with the installed client did not work (exit $code)"
    fi
    sed 's/^/    /' "$work/check.log"
    mkdir -p "$(dirname "$shot")"
    cp "$work/check/viewer.png" "$shot"
    step "  the console's viewer showed the root's screen; screenshot $shot"
}
