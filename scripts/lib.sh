# Shared by scripts/*: installing Debian packages and configuring the build.

# ccache keys on paths relative to the clone (sourced from its root): a new clone — every CI
# run — reuses the objects compiled in any other clone on the machine.
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1

# need_packages PKG...: installs the packages that are missing (apt-get update first).
need_packages() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Installing Debian packages: ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Packages to build everything and run every test.
BUILD_PACKAGES=(g++ cmake ninja-build ccache pkg-config libssl-dev nlohmann-json3-dev catch2
    libcli11-dev libfmt-dev libspdlog-dev libwxgtk3.2-dev libboost-dev libsqlite3-dev libsodium-dev
    libcurl4-openssl-dev gettext dpkg-dev libarchive-dev liboath-dev
    libportal-dev libpipewire-0.3-dev libvncserver-dev libpq-dev libmagic-dev libgtk-3-dev)
# The libFuzzer targets (scripts/fuzz, the `fuzz` preset): clang-14 with its runtimes
# (libclang-rt-14-dev holds libclang_rt.fuzzer, asan and ubsan) and only the libraries the
# targets link: OpenSSL, nlohmann/json, fmt, Boost.Beast, libmagic (the attachment's type).
FUZZ_PACKAGES=(clang-14 libclang-rt-14-dev cmake ninja-build ccache pkg-config libssl-dev
    nlohmann-json3-dev libfmt-dev libboost-dev libmagic-dev)
# Wayland sessions (tests/client/wayland, tests/client/vnc_auth): a headless GNOME (mutter, its
# portal, PipeWire) driven through python3-gi and GStreamer, the GTK 3 test window, and
# headless sway with wayvnc for wlroots desktops.
WAYLAND_TEST_PACKAGES=(mutter pipewire pipewire-bin wireplumber dbus-daemon libglib2.0-bin
    xdg-desktop-portal xdg-desktop-portal-gnome python3-gi gstreamer1.0-tools gstreamer1.0-pipewire
    gstreamer1.0-plugins-base gstreamer1.0-plugins-good libgtk-3-dev sway wayvnc)
GUI_TEST_PACKAGES=(xvfb xauth xdotool imagemagick x11vnc)
# The console's browser tests (tests/console): Debian's chromium, noVNC for the viewer, Chart.js
# for the dashboard, sqlite3 to move tickets' close times into the past (the history test).
BROWSER_TEST_PACKAGES=(chromium novnc libjs-chart.js node-qrcode-generator sqlite3)
# The email tests (tests/server/mail, tests/server/e2e): a real SMTP server on 127.0.0.1,
# tests/support/smtp_sink.py on Debian's aiosmtpd.
MAIL_TEST_PACKAGES=(python3-aiosmtpd)
# The team's Debian packages (scripts/package, installer/packages.cmake): CPack's
# dpkg-shlibdeps step finds the programs with `file`.
PACKAGE_PACKAGES=(file)
# Their tests (tests/installer/team_packages, label "package"): lintian, systemd-analyze,
# systemd-sysusers and systemd-tmpfiles (Debian's systemd package), curl for /readyz.
PACKAGE_TEST_PACKAGES=(file lintian systemd curl)
# Several servers behind HAProxy (scripts/cluster-demo, tests/deploy, label "cluster"): a
# private PostgreSQL 15 (initdb, pg_ctl; createdb and psql), HAProxy, openssl for the demo's
# certificates, curl, socat for HAProxy's admin socket.
CLUSTER_PACKAGES=(postgresql-15 haproxy openssl curl socat)

# helpline-brand package renders a brand's icons with rsvg-convert; --format nsis makes the
# .ico with icoutils' icotool and the Windows installer with makensis (docs/installer.md).
BRAND_PACKAGE_PACKAGES=(librsvg2-bin nsis icoutils)
# Its tests (tests/branding, label "package"): lintian, desktop-file-validate, appstreamcli,
# ImageMagick's identify for the icons' sizes; for the Windows installer 7-Zip (inspect reads
# it), mingw-w64 (the fake Windows base), osslsigncode (a signed base) and Wine.
BRAND_PACKAGE_TEST_PACKAGES=(librsvg2-bin lintian desktop-file-utils appstream imagemagick nsis icoutils
    p7zip-full gcc-mingw-w64-x86-64-posix osslsigncode wine wine64)

# The installation tests (tests/install, scripts/test-install, label "install"): debootstrap
# and zstd for the cached fresh root, iproute2 for the network namespaces' loopback, curl and
# jq to talk to the installed server, xdotool and ImageMagick to find and photograph the
# client's window, rsvg-convert for `helpline-brand package`, file for CPack.
INSTALL_TEST_PACKAGES=(debootstrap zstd iproute2 curl jq xdotool imagemagick librsvg2-bin file)
# The network-fault test (tests/netfault, label "netfault"): iproute2 for its network
# namespace and addresses, curl and jq for the operator's side, python3 for the lossy link
# (TUN devices; this kernel has no netem).
NETFAULT_TEST_PACKAGES=(iproute2 curl jq python3)

# The Windows client (scripts/windows-deps, the `windows` preset; docs/client.md "Windows"):
# mingw-w64's GCC 12 with POSIX threads (std::thread), zlib for it, dpkg-dev to unpack the
# Debian source packages cross-built into the cache, perl and make for OpenSSL's build,
# gettext for the GUI's translations.
WINDOWS_BUILD_PACKAGES=(g++-mingw-w64-x86-64-posix gcc-mingw-w64-x86-64-posix mingw-w64-tools
    libz-mingw-w64-dev dpkg-dev cmake ninja-build make perl ccache gettext)
# Its tests: Wine (64-bit programs run with `wine`) on Xvfb, NSIS for the installer,
# osslsigncode to sign a stamped executable.
WINDOWS_TEST_PACKAGES=(wine wine64 xvfb xauth nsis osslsigncode imagemagick)

# need_node: node and npm for the browser test: Debian's nodejs and npm, unless a node with
# npm is already installed (e.g. from another repository, whose nodejs bundles npm).
need_node() {
    command -v node >/dev/null && command -v npm >/dev/null && return 0
    need_packages nodejs npm
}

# install_console_test_modules: `npm ci` in tests/console (playwright-core, pinned by its
# package-lock.json); skipped while node_modules was installed from the same lock file.
install_console_test_modules() {
    local dir=tests/console
    local stamp=$dir/node_modules/.helpline-installed-lock
    [ -f "$stamp" ] && cmp -s "$dir/package-lock.json" "$stamp" && return 0
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$stamp"
}

# configure_and_build PRESET [TARGET...]: configures and builds (everything, or the targets).
configure_and_build() {
    local preset=$1
    shift
    cmake --preset "$preset" >/dev/null
    if [ $# -gt 0 ]; then
        cmake --build --preset "$preset" --target "$@"
    else
        cmake --build --preset "$preset"
    fi
}
