#pragma once
// The menu entry of a brand's GUI client (freedesktop.org Desktop Entry Specification; Version=1.4,
// the newest that desktop-file-validate of Debian 12 knows, and all this file needs).

#include <string>

#include "branding/tool/package_info.h"

namespace helpline::brand {

/// X.desktop: Name = the brand's name, Name[lang] from the profile's texts, our Comment,
/// GenericName and Keywords in the profile's languages we translate (English otherwise),
/// Icon=X, Exec=X (install.sh of the .tar.gz makes Exec absolute),
/// Categories=Network;RemoteAccess;.
std::string desktop_entry(const PackageInfo& info);

}  // namespace helpline::brand
