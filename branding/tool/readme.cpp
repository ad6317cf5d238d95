#include "branding/tool/readme.h"

#include <fmt/format.h>

#include "branding/tool/package_texts.h"
#include "shared/localized.h"

namespace helpline::brand {
namespace {

constexpr std::size_t kWidth = 76;

void paragraph(std::string& out, std::string_view text) {
    for (const auto& line : wrap_words(text, kWidth)) out += line + '\n';
    out += '\n';
}

std::string readme(const PackageInfo& info, const PackageTexts& t, std::string_view language) {
    const Profile& p = *info.profile;
    const std::string& name = p.name.get(language);
    auto fill = [&](std::string_view text) {
        return fmt::format(fmt::runtime(text), fmt::arg("name", name), fmt::arg("id", info.id),
                           fmt::arg("version", info.version), fmt::arg("arch", info.architecture),
                           fmt::arg("depends", info.library_depends));
    };
    std::string out = name + '\n' + std::string(utf8_length(name), '=') + "\n\n";
    paragraph(out, fill(t.readme_intro));
    if (!p.appearance.welcome.empty()) paragraph(out, p.appearance.welcome.get(language));
    paragraph(out, fill(t.readme_version));
    out += std::string(t.readme_install_title) + "\n\n    ./install.sh\n\n";
    paragraph(out, fill(t.readme_install));
    paragraph(out, fill(t.readme_needs));
    if (info.wayland) paragraph(out, fill(t.readme_wayland));
    out += std::string(t.readme_uninstall_title) + "\n\n    ./install.sh --uninstall\n\n";
    paragraph(out, fill(t.readme_uninstall));
    out += std::string(t.readme_support_title) + "\n\n    " + p.support.email + '\n';
    if (!p.support.url.empty()) out += "    " + p.support.url + '\n';
    return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> readmes(const PackageInfo& info) {
    std::vector<std::pair<std::string, std::string>> files;
    files.emplace_back("README", readme(info, english_package_texts(), "en"));
    for (const auto& language : info.profile->languages) {
        const std::string tag = normalize_language(language);
        const PackageTexts* t = find_package_texts(tag);
        if (t == nullptr || tag == "en") continue;
        files.emplace_back("README." + tag, readme(info, *t, tag));
    }
    return files;
}

}  // namespace helpline::brand
