#pragma once
// What every generated file of a brand's package says about it: names, version,
// architecture, dependencies, maintainer. Computed once from the profile and the base.

#include <cstdint>
#include <string>

#include "branding/tool/client_base.h"
#include "shared/profile.h"
#include "shared/result.h"

namespace helpline::brand {

struct PackageInfo {
    const Profile* profile = nullptr;
    std::string id;               ///< the profile id: package name, program name, folder names
    std::string name;             ///< the brand's English name (or its first)
    std::string version;          ///< "<profile revision>-<base version>"
    std::string base_version;     ///< "0.1.0"
    std::string architecture;     ///< "amd64"
    std::string depends;          ///< the base's Depends and x11vnc
    std::string library_depends;  ///< the base's Depends alone: the libraries
    std::string recommends;       ///< what the base's backends use on Wayland desktops, or ""
    std::string suggests;         ///< "wayvnc" when the base ships helpline-vnc-auth, or ""
    std::string maintainer;       ///< "Demo Support <help@demo.example>"
    std::string component_id;     ///< AppStream id (appstream.h)
    std::int64_t mtime = 0;       ///< the time every file and date in the package carries
    /// The base ships helpline-portal-vnc: remote sessions on GNOME and KDE under Wayland.
    bool wayland = false;
};

/// `t` (seconds since 1970) as UTC, formatted by strftime's `format`.
std::string utc_time(std::int64_t t, const char* format);

/// Checks that the profile can make a package (a Debian package name, a support contact)
/// and fills in the rest; errors say what to change in the profile.
Result<PackageInfo> make_package_info(const Profile& profile, const ClientBase& base,
                                      std::int64_t mtime);

}  // namespace helpline::brand
