#pragma once
// /usr/share/doc/X/copyright and changelog.Debian of a brand's package.

#include <string>

#include "branding/tool/package_info.h"

namespace helpline::brand {

/// Machine-readable copyright (DEP-5): the programs are Helpline's; the name, logo and
/// texts that branding adds are the brand's.
std::string copyright_file(const PackageInfo& info);

/// One changelog entry for this version, signed by the maintainer at the package's time
/// (uncompressed; the package holds it gzipped).
std::string changelog(const PackageInfo& info);

}  // namespace helpline::brand
