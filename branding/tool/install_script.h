#pragma once
// install.sh of a brand's .tar.gz: installs into ~/.local without root, and removes what it
// installed with --uninstall (the body is branding/tool/install.sh.in).

#include <string>

#include "branding/tool/package_info.h"

namespace helpline::brand {

/// The script: the brand's settings, then the common body.
std::string install_script(const PackageInfo& info);

}  // namespace helpline::brand
