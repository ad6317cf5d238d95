#pragma once
// Debian's rules for package names and versions (Debian Policy §5.6.1 and §5.6.12).

#include <string>
#include <string_view>

#include "shared/result.h"

namespace helpline::brand {

/// Checks that `name` (a profile id) can name a Debian package that installs beside the
/// project's own: Debian's rules, and not "helpline" or "helpline-*".
Status check_package_name(std::string_view name);

/// Checks a base version ("0.1.0"): it becomes the Debian revision of the brand's package
/// (`<profile revision>-<base version>`), which allows only [A-Za-z0-9.+~].
Status check_base_version(std::string_view version);

}  // namespace helpline::brand
