#include "branding/tool/desktop_entry.h"

#include <fmt/format.h>

#include "branding/tool/package_texts.h"
#include "shared/localized.h"

namespace helpline::brand {
namespace {

/// A string value: backslash, newline, tab and carriage return escaped (spec §4).
std::string escape_value(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                out += c;
        }
    }
    return out;
}

/// The key of our texts for each of the profile's languages that we translate, except English.
void add_translated(std::string& out, const Profile& profile, std::string_view key,
                    std::string_view PackageTexts::*text) {
    fmt::format_to(std::back_inserter(out), "{}={}\n", key, english_package_texts().*text);
    for (const auto& language : profile.languages) {
        const std::string tag = normalize_language(language);
        const PackageTexts* t = find_package_texts(tag);
        if (tag == "en" || t == nullptr) continue;
        fmt::format_to(std::back_inserter(out), "{}[{}]={}\n", key, tag, t->*text);
    }
}

}  // namespace

std::string desktop_entry(const PackageInfo& info) {
    const Profile& p = *info.profile;
    std::string out = "[Desktop Entry]\nType=Application\nVersion=1.4\n";
    fmt::format_to(std::back_inserter(out), "Name={}\n", escape_value(info.name));
    for (const auto& [language, text] : p.name.entries()) {
        const std::string tag = normalize_language(language);
        if (tag != "en" && text != info.name)
            fmt::format_to(std::back_inserter(out), "Name[{}]={}\n", tag, escape_value(text));
    }
    add_translated(out, p, "GenericName", &PackageTexts::generic_name);
    add_translated(out, p, "Comment", &PackageTexts::comment);
    add_translated(out, p, "Keywords", &PackageTexts::keywords);
    fmt::format_to(std::back_inserter(out),
                   "Icon={0}\n"
                   "Exec={0}\n"
                   "Terminal=false\n"
                   "Categories=Network;RemoteAccess;\n",
                   info.id);
    return out;
}

}  // namespace helpline::brand
