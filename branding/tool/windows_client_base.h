#pragma once
// The Windows client base (docs/installer.md, "The Windows installer"): the unbranded
// Windows programs and their translations, as `helpline-brand package --format nsis` starts
// from them. The Linux base's layout (client_base.h) with Windows programs, and no
// `depends` (the programs are linked statically):
//
//   bin/helpline.exe, bin/helpline-cli.exe   PE32+ programs for x86-64
//   libexec/NAME.exe, ...                    the remote-session backends (optional): copied,
//                                            never stamped
//   share/locale/<lang>/LC_MESSAGES/helpline.mo
//   version                                  the base version, e.g. "0.1.0"
//
// The installed tree keeps that shape (bin/, libexec/, share/locale/), because the client
// finds its translations in <its folder>/../share/locale and its backends in
// <its folder>/../libexec on every platform.

#include <filesystem>
#include <string>
#include <vector>

#include "branding/tool/client_base.h"
#include "branding/tool/stamping.h"
#include "shared/result.h"

namespace helpline::brand {

struct WindowsClientBase {
    std::filesystem::path dir;
    StampBase gui;        ///< bin/helpline.exe
    StampBase cli;        ///< bin/helpline-cli.exe
    std::string version;  ///< "0.1.0"
    /// Translations, relative to dir: "share/locale/pt/LC_MESSAGES/helpline.mo", sorted.
    std::vector<std::string> locale_files;
    /// libexec/'s programs ("helpline-vnc.exe"), sorted by name.
    std::vector<BaseBackend> backends;
};

/// Where an installed helpline-brand finds the Windows base: <this program's
/// folder>/../lib/helpline/client-base-windows, beside the Linux base.
std::filesystem::path default_windows_client_base_dir();

/// Reads and checks the base in `dir`: every program a PE32+ for x86-64, the two clients
/// unbranded. `given`: the folder came from --client (the message for a missing folder
/// differs).
Result<WindowsClientBase> load_windows_client_base(const std::filesystem::path& dir, bool given);

/// Checks that `program` is a Windows program (PE32+) for x86-64; the error names it as
/// `what` ("the client base's bin/helpline.exe") and says what to use instead.
Status check_windows_program(const std::filesystem::path& program, const std::string& what);

}  // namespace helpline::brand
