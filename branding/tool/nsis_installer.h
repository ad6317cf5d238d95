#pragma once
// helpline-brand package --format nsis: a brand's Windows installer (docs/installer.md, "The
// Windows installer"). The Windows client base's programs are stamped as `stamp` does, laid
// out with their translations and the brand's .ico in a temporary folder beside the
// generated script (nsis_script.h), and makensis (Debian's nsis) makes the setup.exe.

#include <cstdint>
#include <string>

#include "branding/tool/commands.h"
#include "branding/tool/profile_source.h"

namespace helpline::brand {

/// "<id>-<profile revision>-<base version>-setup.exe", named like the .tar.gz.
std::string nsis_installer_name(const Profile& profile, const std::string& base_version);

/// The command's work for --format nsis, after the profile and key are loaded: `mtime` is
/// the time the installed files carry (SOURCE_DATE_EPOCH). Returns the exit code.
int package_nsis(const PackageOptions& options, const SigningInputs& inputs, std::int64_t mtime,
                 Io io);

}  // namespace helpline::brand
