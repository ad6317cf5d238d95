#!/usr/bin/env bash
# The demo brand's .tar.gz installed by a customer without root, in a fresh minbase
# bookworm root (fresh_root.sh), as the user `customer`:
#   1. on a system without the client's libraries, install.sh installs and warns that the
#      client cannot start yet, naming the Debian packages it needs;
#   2. with those installed (apt-get satisfy, as the machine's administrator would), the
#      installed ~/.local/bin/demo-support --check-brand and demo-support-cli status --json
#      run, and so do the remote-session backends in ~/.local/lib/demo-support/libexec (ldd
#      finds their libraries); the menu entry and icons are under ~/.local/share;
#      install.sh --uninstall then leaves the root's files as they were before;
#   3. on a desktop (Xvfb and the pt_PT.UTF-8 locale added to the root), the client from
#      ~/.local/bin starts with LANG=pt_PT.UTF-8 LANGUAGE=pt and shows its window titled in
#      Portuguese; desktop-file-validate passes on the user's menu entry.
#
#   client_tgz_test.sh HELPLINE_BRAND CLIENT_BASE SOURCE_DIR WORK SCREENSHOTS_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/fresh_root.sh"
. "$here/common.sh"
root_isolate "$@"
brand_tool=$1 base=$2 src=$3 work=$4 shots=$5
id=demo-support
user=customer
home=/home/$user

step "helpline-brand package: the demo brand's .tar.gz from $base"
tgz=$(package_demo "$brand_tool" "$base" "$src" "$work" tgz)
folder=$(basename "$tgz" .tar.gz)
step "  $(basename "$tgz")"
mapfile -t backends < <(base_backends "$base")

TEST_ROOT=$work/root
step "a fresh root in $TEST_ROOT, the user $user"
root_new "$TEST_ROOT"
root_apt "$TEST_ROOT" update >"$work/apt.log" 2>&1 || { show_log "$work/apt.log"; fail "apt-get update failed in the root"; }
root_run "$TEST_ROOT" useradd --create-home --shell /bin/bash "$user"
cp "$tgz" "$TEST_ROOT/tmp/"
chmod 644 "$TEST_ROOT/tmp/$(basename "$tgz")"
unpacked=/tmp/unpacked
mkdir -p "$TEST_ROOT$unpacked"
root_run "$TEST_ROOT" chown "$user:" "$unpacked"
root_as "$TEST_ROOT" "$user" tar -xzf "/tmp/$(basename "$tgz")" -C "$unpacked" ||
    fail "$user could not unpack $(basename "$tgz")"
[ -x "$TEST_ROOT$unpacked/$folder/install.sh" ] || fail "no $folder/install.sh in the archive"

step "install.sh on a system without the client's libraries"
out=$(root_as "$TEST_ROOT" "$user" "$unpacked/$folder/install.sh" 2>&1) || fail "install.sh failed: $out"
grep -q '^Warning: .* cannot start on this system yet' <<<"$out" ||
    fail "install.sh did not warn that the client cannot start without its libraries: $out"
depends=$(sed -n 's/^Warning: .*it needs these libraries (Debian.s names): //p' <<<"$out")
[ -n "$depends" ] || fail "install.sh's warning names no libraries: $out"
step "  it warned, naming: $depends"
out=$(root_as "$TEST_ROOT" "$user" "$home/.local/lib/$id/install.sh" --uninstall 2>&1) ||
    fail "install.sh --uninstall failed: $out"

step "apt-get satisfy what the warning named (the machine's administrator)"
root_apt "$TEST_ROOT" satisfy "$depends" >"$work/satisfy.log" 2>&1 ||
    { show_log "$work/satisfy.log"; fail "apt-get satisfy '$depends' failed"; }
root_files "$TEST_ROOT" >"$work/files-before"

step "install.sh as $user into ~/.local"
out=$(root_as "$TEST_ROOT" "$user" "$unpacked/$folder/install.sh" 2>&1) || fail "install.sh failed: $out"
grep -q '^Warning' <<<"$out" && fail "install.sh still warns with the libraries installed: $out"
sed 's/^/    /' <<<"$out"
no_missing_libraries "$TEST_ROOT" "$home/.local/lib/$id/bin/$id" "$home/.local/lib/$id/bin/$id-cli"
check_brand_runs "$TEST_ROOT" "$user" "$home/.local/bin/$id" "$home/.local/bin/$id-cli"
backends_run "$TEST_ROOT" "$user" "$home/.local/lib/$id/libexec" "${backends[@]}"
for backend in "${backends[@]}"; do
    grep -qxF "f $home/.local/lib/$id/libexec/$backend" "$TEST_ROOT$home/.local/lib/$id/installed-files" ||
        fail "$home/.local/lib/$id/installed-files does not list libexec/$backend, so --uninstall would leave it"
done
desktop=$home/.local/share/applications/$id.desktop
[ -f "$TEST_ROOT$desktop" ] || fail "no $desktop"
icons_present "$TEST_ROOT" "$home/.local/share/icons" "$id"
for lang in pt pt_BR it; do
    [ -f "$TEST_ROOT$home/.local/lib/$id/share/locale/$lang/LC_MESSAGES/helpline.mo" ] ||
        fail "no ~/.local/lib/$id/share/locale/$lang/LC_MESSAGES/helpline.mo"
done
uid=$(root_run "$TEST_ROOT" id -u "$user")
owned=$(find "$TEST_ROOT$home" ! -uid "$uid" -printf '%P\n')
[ -z "$owned" ] || fail "files in $home not owned by $user: $owned"

step "install.sh --uninstall leaves the files as they were"
out=$(root_as "$TEST_ROOT" "$user" "$home/.local/lib/$id/install.sh" --uninstall 2>&1) ||
    fail "install.sh --uninstall failed: $out"
# Running the client made its settings and log (~/.config/helpline/ID, ~/.local/state/
# helpline/ID: docs/client.md), which are the user's, not the installation's: uninstalling
# keeps them, as apt keeps a user's files. Nothing else may be new.
[ ! -e "$TEST_ROOT$home/.local/lib/$id" ] || fail "install.sh --uninstall left $home/.local/lib/$id: $(find "$TEST_ROOT$home/.local/lib/$id" -printf '%P ')"
root_files "$TEST_ROOT" >"$work/files-after"
new=$(comm -13 "$work/files-before" "$work/files-after" |
    grep -v -E "^home/$user/(\.config|\.local|\.local/state)(/helpline(/$id(/.*)?)?)?$" || true)
gone=$(comm -23 "$work/files-before" "$work/files-after")
[ -z "$new$gone" ] || fail "install.sh --uninstall left or took away files: new: $new; gone: $gone"
step "  kept the client's own data: $(comm -13 "$work/files-before" "$work/files-after" | grep -c .) paths under ~/.config/helpline and ~/.local/state/helpline"
# A second round, without running the client: exactly the same files before and after.
cp "$work/files-after" "$work/files-before"
out=$(root_as "$TEST_ROOT" "$user" "$unpacked/$folder/install.sh" 2>&1) || fail "install.sh (again) failed: $out"
out=$(root_as "$TEST_ROOT" "$user" "$home/.local/lib/$id/install.sh" --uninstall 2>&1) ||
    fail "install.sh --uninstall (again) failed: $out"
root_files "$TEST_ROOT" >"$work/files-after"
same_files "$work/files-before" "$work/files-after" "before install.sh and after install.sh --uninstall"

step "on a desktop: Xvfb and the Portuguese locale in the root, the client's window"
install_gui_tools "$TEST_ROOT" "$work/gui-tools.log"
out=$(root_as "$TEST_ROOT" "$user" "$unpacked/$folder/install.sh" 2>&1) || fail "install.sh failed: $out"
desktop_entry_valid "$TEST_ROOT" "$desktop"
show_window "$TEST_ROOT" "$user" "$home/.local/bin/$id" "$shots/install-tgz-pt.png" "$work/client.log"
out=$(root_as "$TEST_ROOT" "$user" "$home/.local/lib/$id/install.sh" --uninstall 2>&1) ||
    fail "install.sh --uninstall failed after the client ran: $out"
left=$(cd "$TEST_ROOT$home" && find . -path "*$id*" ! -path "./.config/helpline/$id*" ! -path "./.local/state/helpline/$id*" -printf '%P\n')
[ -z "$left" ] || fail "after the client ran, install.sh --uninstall left: $left"

finish
