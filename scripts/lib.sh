# Shared by scripts/*: installing Debian packages and configuring the build.

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
    libcurl4-openssl-dev gettext)
GUI_TEST_PACKAGES=(xvfb xauth xdotool imagemagick x11vnc)

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
