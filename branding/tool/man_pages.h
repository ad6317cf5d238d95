#pragma once
// Short manual pages for a brand's two programs, generated from the package's facts: what
// each program is, its options and exit codes, whom to ask.

#include <string>

#include "branding/tool/package_info.h"

namespace helpline::brand {

/// man page X(1), the GUI client (roff, uncompressed).
std::string gui_man_page(const PackageInfo& info);
/// man page X-cli(1), the terminal client.
std::string cli_man_page(const PackageInfo& info);

}  // namespace helpline::brand
