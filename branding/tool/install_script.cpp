#include "branding/tool/install_script.h"

#include <fmt/format.h>

#include "branding/tool/embedded_files.h"

namespace helpline::brand {
namespace {

/// A single-quoted shell word: nothing inside is interpreted; a ' is written '\''.
std::string sh_quote(std::string_view s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

/// The text for a shell comment: one line.
std::string comment_text(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c == '\n' || c == '\r') c = ' ';
    return out;
}

}  // namespace

std::string install_script(const PackageInfo& info) {
    return fmt::format(
               "#!/bin/sh\n"
               "# install.sh of {0} ({1} {2}), made by helpline-brand package.\n"
               "#   ./install.sh               installs it for you alone in ~/.local (no root)\n"
               "#   ./install.sh --uninstall   removes what it installed\n"
               "set -eu\n"
               "id={3}\n"
               "name={4}\n"
               "version={5}\n"
               "depends={6}\n"
               "\n",
               comment_text(info.name), info.id, info.version, sh_quote(info.id),
               sh_quote(info.name), sh_quote(info.version), sh_quote(info.library_depends)) +
           std::string(install_script_body());
}

}  // namespace helpline::brand
