#pragma once
// The client base bundle (docs/installer.md): the unbranded programs, their translations,
// their Debian dependencies and version, as `helpline-brand package` starts from them.
//
//   bin/helpline, bin/helpline-cli
//   libexec/helpline-portal-vnc, ...   the remote-session backends (none in a base from
//                                      before they were shipped): copied, never stamped
//   share/locale/<lang>/LC_MESSAGES/helpline.mo
//   depends     one line: the Debian Depends of all these programs (dpkg-shlibdeps)
//   version     the base version, e.g. "0.1.0"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "branding/tool/stamping.h"
#include "shared/result.h"

namespace helpline::brand {

/// A backend program of the base: the clients start it by name from <their folder>/../libexec.
struct BaseBackend {
    std::string name;  ///< "helpline-portal-vnc"
    std::filesystem::path path;
    std::uint64_t size = 0;  ///< the bytes a package copies, as read when the base was loaded
};

struct ClientBase {
    std::filesystem::path dir;
    StampBase gui;             ///< bin/helpline
    StampBase cli;             ///< bin/helpline-cli
    std::string version;       ///< "0.1.0"
    std::string depends;       ///< "libc6 (>= 2.34), ..."
    std::string architecture;  ///< Debian's name, from the programs' ELF headers
    /// Translations, relative to dir: "share/locale/pt/LC_MESSAGES/helpline.mo", sorted.
    std::vector<std::string> locale_files;
    /// libexec/'s programs, sorted by name; built for `architecture`.
    std::vector<BaseBackend> backends;
};

/// The programs in `dir`/libexec (none when it is missing), sorted by name, each passed to
/// `check` first (its path, and "libexec/NAME" for messages): the first refusal is returned.
Result<std::vector<BaseBackend>> list_base_backends(
    const std::filesystem::path& dir,
    const std::function<Status(const std::filesystem::path& path, const std::string& rel)>& check);

/// Where the installed packages put the base: <this program's folder>/../lib/helpline/client-base.
std::filesystem::path default_client_base_dir();

/// Reads and checks the base in `dir`. `given`: the folder came from --client (the message
/// for a missing folder differs).
Result<ClientBase> load_client_base(const std::filesystem::path& dir, bool given);

}  // namespace helpline::brand
