#pragma once
// Where each file of a brand's package goes, in the .deb and in the .tar.gz
// (docs/installer.md, "A branded package").

#include <string>
#include <utility>
#include <vector>

#include "branding/tool/icons.h"
#include "branding/tool/package_info.h"
#include "branding/tool/package_tree.h"

namespace helpline::brand {

/// Everything a brand's packages hold, made once and laid out twice.
struct BrandFiles {
    FileContent gui;  ///< the stamped programs: base program + stamp
    FileContent cli;
    /// The base's backends, byte for byte: name ("helpline-portal-vnc") and content.
    std::vector<std::pair<std::string, FileContent>> backends;
    std::vector<std::pair<std::string, Bytes>>
        locale;  ///< "share/locale/pt/LC_MESSAGES/helpline.mo"
    std::string desktop;
    std::string metainfo;
    Icons icons;
    Bytes gui_man_gz;
    Bytes cli_man_gz;
    std::string copyright;
    Bytes changelog_gz;
    std::string install_sh;
    std::vector<std::pair<std::string, std::string>> readmes;
};

/// The .deb's data: /usr/lib/X/{bin,libexec,share/locale}, /usr/bin links, menu entry,
/// icons, metainfo, man pages, /usr/share/doc/X. Paths without the leading "./".
PackageTree deb_tree(const PackageInfo& info, const BrandFiles& files);

/// The .tar.gz's folder X-V/ (without that prefix): bin/, libexec/, share/{locale,
/// applications,icons,metainfo,man}, install.sh, README*.
PackageTree tgz_tree(const PackageInfo& info, const BrandFiles& files);

/// "X-V", the .tar.gz's folder.
std::string tgz_folder(const PackageInfo& info);

}  // namespace helpline::brand
