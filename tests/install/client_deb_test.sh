#!/usr/bin/env bash
# The demo brand's .deb on a customer's machine with nothing but Debian: a fresh minbase
# bookworm root (fresh_root.sh), where
#   1. `apt-get install ./demo-support_….deb` (no Recommends) brings all it needs: ldd finds
#      every library of the programs and of the remote-session backends in
#      /usr/lib/demo-support/libexec; `demo-support --check-brand` and `demo-support-cli
#      status --json` run as a user; the menu entry, icons and AppStream file are where the
#      desktop looks;
#   2. remove and purge leave nothing of it: the root's files before the installation and
#      after the removal are the same;
#   3. on a desktop (Xvfb, the pt_PT.UTF-8 locale, added to the root after the checks
#      above), the client starts as a user with LANG=pt_PT.UTF-8 LANGUAGE=pt and shows its
#      window titled in Portuguese; desktop-file-validate passes on its menu entry;
#   4. a remote session works with what the package brought (x11vnc among its Depends):
#      the installed demo-support-cli files a request to a team server, an operator's
#      headless chromium clicks Connect, the customer allows, the console's viewer shows
#      the root's screen, End session ends it (tests/console/demo_check.mjs, the journey
#      `scripts/demo --check` plays).
#
#   client_deb_test.sh HELPLINE_BRAND CLIENT_BASE SOURCE_DIR WORK SCREENSHOTS_DIR HELPLINE_SERVER
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/fresh_root.sh"
. "$here/common.sh"
root_isolate "$@"
brand_tool=$1 base=$2 src=$3 work=$4 shots=$5 server_bin=$6

step "helpline-brand package: the demo brand's .deb from $base"
deb=$(package_demo "$brand_tool" "$base" "$src" "$work" deb)
id=$(dpkg-deb -f "$deb" Package)
[ "$id" = demo-support ] || fail "the package is named '$id', not demo-support"
step "  $(basename "$deb"): Depends: $(dpkg-deb -f "$deb" Depends)"
step "  Recommends: $(dpkg-deb -f "$deb" Recommends); Suggests: $(dpkg-deb -f "$deb" Suggests)"
mapfile -t backends < <(base_backends "$base")

TEST_ROOT=$work/root
step "a fresh root in $TEST_ROOT"
root_new "$TEST_ROOT"
root_apt "$TEST_ROOT" update >"$work/apt.log" 2>&1 || { show_log "$work/apt.log"; fail "apt-get update failed in the root"; }
root_run "$TEST_ROOT" useradd --create-home --shell /bin/bash customer
cp "$deb" "$TEST_ROOT/tmp/"
in_root_deb=/tmp/$(basename "$deb")

step "apt-get install $in_root_deb"
root_apt "$TEST_ROOT" install "$in_root_deb" >"$work/install.log" 2>&1 ||
    { show_log "$work/install.log"; fail "apt-get install $in_root_deb failed in a fresh root"; }
step "  $(grep -E '^[0-9]+ upgraded, [0-9]+ newly installed' "$work/install.log")"
grep -q 'install ok installed' <<<"$(root_run "$TEST_ROOT" dpkg-query -W -f='${Status}' "$id")" ||
    fail "$id is not installed after apt-get install"
root_run "$TEST_ROOT" dpkg -L "$id" >"$work/files-of-package"

step "the programs' libraries, --check-brand and status --json"
no_missing_libraries "$TEST_ROOT" "/usr/lib/$id/bin/$id" "/usr/lib/$id/bin/$id-cli"
for p in "$id" "$id-cli"; do
    [ "$(readlink "$TEST_ROOT/usr/bin/$p")" = "../lib/$id/bin/$p" ] || fail "/usr/bin/$p is not a link to ../lib/$id/bin/$p"
done
check_brand_runs "$TEST_ROOT" customer "$id" "$id-cli"
backends_run "$TEST_ROOT" customer "/usr/lib/$id/libexec" "${backends[@]}"
for lang in pt pt_BR it; do
    [ -f "$TEST_ROOT/usr/lib/$id/share/locale/$lang/LC_MESSAGES/helpline.mo" ] ||
        fail "no /usr/lib/$id/share/locale/$lang/LC_MESSAGES/helpline.mo"
done

step "the menu entry, icons and AppStream file"
desktop=/usr/share/applications/$id.desktop
[ -f "$TEST_ROOT$desktop" ] || fail "no $desktop"
icon=$(sed -n 's/^Icon=//p' "$TEST_ROOT$desktop" | head -1)
[ "$icon" = "$id" ] || fail "$desktop names the icon '$icon', not $id"
icons_present "$TEST_ROOT" /usr/share/icons "$id"
metainfo=$(grep '^/usr/share/metainfo/[^/]*\.metainfo\.xml$' "$work/files-of-package" || true)
[ "$(grep -c . <<<"$metainfo")" = 1 ] || fail "expected one AppStream file in /usr/share/metainfo, found: $metainfo"
grep -q "<launchable type=\"desktop-id\">$id.desktop</launchable>" "$TEST_ROOT$metainfo" ||
    fail "$metainfo does not name $id.desktop as its launchable"
[ -f "$TEST_ROOT/usr/share/doc/$id/copyright" ] || fail "no /usr/share/doc/$id/copyright"
outside=$(grep -v -E "^/\.?$|^/usr(/bin|/lib|/share(/applications|/icons(/hicolor(/[^/]+(/apps)?)?)?|/metainfo|/doc|/man(/[^/]+)?)?)?$" "$work/files-of-package" |
    grep -v -E "/$id([-._/]|$)" | grep -v -x -F "$metainfo" || true)
[ -z "$outside" ] || fail "files outside paths named after $id (brands must install side by side): $outside"

step "apt-get remove, then purge, leaves nothing of it"
root_apt "$TEST_ROOT" remove "$id" >"$work/remove.log" 2>&1 || { show_log "$work/remove.log"; fail "apt-get remove $id failed"; }
left=$(while read -r f; do
    if [ -e "$TEST_ROOT$f" ] && [ ! -d "$TEST_ROOT$f" ]; then echo "$f"; fi
done <"$work/files-of-package")
[ -z "$left" ] || fail "apt-get remove left files of $id: $left"
for d in "/usr/lib/$id" "/usr/share/doc/$id"; do
    [ ! -e "$TEST_ROOT$d" ] || fail "apt-get remove left $d"
done
# Without conffiles dpkg forgets a removed package at once; with some, purge deletes them.
if grep -q config-files <<<"$(root_run "$TEST_ROOT" dpkg-query -W -f='${Status}' "$id" 2>/dev/null)"; then
    root_apt "$TEST_ROOT" purge "$id" >>"$work/remove.log" 2>&1 || { show_log "$work/remove.log"; fail "apt-get purge $id failed"; }
fi
status=$(root_run "$TEST_ROOT" dpkg-query -W -f='${Status}' "$id" 2>/dev/null || true)
[ -z "$status" ] || [[ $status == *not-installed ]] || fail "dpkg still knows $id after purge: $status"
ls "$TEST_ROOT/var/lib/dpkg/info/$id".* >/dev/null 2>&1 && fail "dpkg kept $(ls "$TEST_ROOT/var/lib/dpkg/info/$id".*)"
# Its dependencies stay, as apt leaves them: the root with them is "before", for a second
# round that compares every path of the root.
root_files "$TEST_ROOT" >"$work/files-before"
root_apt "$TEST_ROOT" install "$in_root_deb" >"$work/install2.log" 2>&1 || { show_log "$work/install2.log"; fail "installing $id again failed"; }
root_apt "$TEST_ROOT" purge "$id" >"$work/remove2.log" 2>&1 || { show_log "$work/remove2.log"; fail "purging $id again failed"; }
root_files "$TEST_ROOT" >"$work/files-after"
same_files "$work/files-before" "$work/files-after" "before installing $id and after purging it"
step "  $(wc -l <"$work/files-of-package") paths installed, none left"

step "on a desktop: Xvfb and the Portuguese locale in the root, the client's window"
install_gui_tools "$TEST_ROOT" "$work/gui-tools.log"
root_apt "$TEST_ROOT" install "$in_root_deb" >"$work/install3.log" 2>&1 || { show_log "$work/install3.log"; fail "installing $id for the desktop failed"; }
desktop_entry_valid "$TEST_ROOT" "$desktop"
show_window "$TEST_ROOT" customer "/usr/bin/$id" "$shots/install-deb-pt.png" "$work/client.log"

step "a remote session with the installed client"
remote_session "$TEST_ROOT" customer "/usr/bin/$id-cli" "$brand_tool" "$server_bin" "$src" "$work/session" \
    "$shots/install-deb-session.png"

finish
