#pragma once
// The READMEs of a brand's .tar.gz: what it is, how to install and uninstall it, whom to ask.

#include <string>
#include <utility>
#include <vector>

#include "branding/tool/package_info.h"

namespace helpline::brand {

/// (file name, text): "README" in English, and "README.<lang>" for each of the profile's
/// languages we translate (pt, pt_BR, it); the brand's own name and welcome text in each.
std::vector<std::pair<std::string, std::string>> readmes(const PackageInfo& info);

}  // namespace helpline::brand
