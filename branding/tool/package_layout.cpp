#include "branding/tool/package_layout.h"

#include <fmt/format.h>

namespace helpline::brand {
namespace {

/// What both layouts share below a "share/" folder: menu entry, icons, metainfo, man pages.
void add_shared_files(PackageTree& tree, const std::string& share, const PackageInfo& info,
                      const BrandFiles& f) {
    tree.add_text(fmt::format("{}/applications/{}.desktop", share, info.id), f.desktop);
    if (!f.icons.svg.empty())
        tree.add_text(fmt::format("{}/icons/hicolor/scalable/apps/{}.svg", share, info.id),
                      f.icons.svg);
    for (const auto& [size, png] : f.icons.pngs)
        tree.add_file(fmt::format("{}/icons/hicolor/{}x{}/apps/{}.png", share, size, size, info.id),
                      png);
    tree.add_text(fmt::format("{}/metainfo/{}.metainfo.xml", share, info.component_id), f.metainfo);
    tree.add_file(fmt::format("{}/man/man1/{}.1.gz", share, info.id), f.gui_man_gz);
    tree.add_file(fmt::format("{}/man/man1/{}-cli.1.gz", share, info.id), f.cli_man_gz);
}

}  // namespace

std::string tgz_folder(const PackageInfo& info) {
    return fmt::format("{}-{}", info.id, info.version);
}

PackageTree deb_tree(const PackageInfo& info, const BrandFiles& f) {
    PackageTree tree;
    const std::string lib = "usr/lib/" + info.id;
    tree.add_program(fmt::format("{}/bin/{}", lib, info.id), f.gui);
    tree.add_program(fmt::format("{}/bin/{}-cli", lib, info.id), f.cli);
    // Private to the brand, where its clients look first (<their folder>/../libexec): two
    // brands never ship the same file, and nothing goes on the PATH.
    for (const auto& [name, content] : f.backends)
        tree.add_program(fmt::format("{}/libexec/{}", lib, name), content);
    for (const auto& [path, data] : f.locale) tree.add_file(fmt::format("{}/{}", lib, path), data);
    tree.add_symlink("usr/bin/" + info.id, fmt::format("../lib/{0}/bin/{0}", info.id));
    tree.add_symlink(fmt::format("usr/bin/{}-cli", info.id),
                     fmt::format("../lib/{0}/bin/{0}-cli", info.id));
    add_shared_files(tree, "usr/share", info, f);
    tree.add_text(fmt::format("usr/share/doc/{}/copyright", info.id), f.copyright);
    tree.add_file(fmt::format("usr/share/doc/{}/changelog.Debian.gz", info.id), f.changelog_gz);
    return tree;
}

PackageTree tgz_tree(const PackageInfo& info, const BrandFiles& f) {
    PackageTree tree;
    tree.add_program("bin/" + info.id, f.gui);
    tree.add_program(fmt::format("bin/{}-cli", info.id), f.cli);
    for (const auto& [name, content] : f.backends) tree.add_program("libexec/" + name, content);
    for (const auto& [path, data] : f.locale) tree.add_file(path, data);
    add_shared_files(tree, "share", info, f);
    tree.add_text("install.sh", f.install_sh, 0755);
    for (const auto& [name, text] : f.readmes) tree.add_text(name, text);
    return tree;
}

}  // namespace helpline::brand
