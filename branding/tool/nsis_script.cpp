#include "branding/tool/nsis_script.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>

#include "branding/tool/embedded_files.h"
#include "branding/tool/package_texts.h"
#include "shared/localized.h"

namespace helpline::brand {
namespace {

constexpr std::size_t kMaxShortcutName = 80;  // characters: the whole path stays under MAX_PATH

struct MuiLanguage {
    std::string_view mui_name;  ///< the language file, and LANG_<upper case> its define
    std::string_view texts;     ///< the language of our texts (package_texts.h)
};

/// Our languages as MUI2 names them. A regional variant other than pt_BR gets its base
/// language's installer (en_GB: English).
const MuiLanguage* mui_language(const std::string& tag) {
    static constexpr std::array<MuiLanguage, 4> kLanguages{
        {{"English", "en"}, {"Portuguese", "pt"}, {"PortugueseBR", "pt_BR"}, {"Italian", "it"}}};
    const std::string base = tag.substr(0, tag.find('_'));
    for (const auto& l : kLanguages)
        if (l.texts == tag) return &l;
    for (const auto& l : kLanguages)
        if (l.texts == base) return &l;
    return nullptr;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

/// A path inside the installed folder with '\\' separators: "bin\\acme.exe".
std::string windows_path(std::string_view relative) {
    std::string out(relative);
    std::replace(out.begin(), out.end(), '/', '\\');
    return out;
}

std::string parent_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

/// Replaces each @KEY@ of `text` by its value, in one pass: a value is never read for
/// marks itself. An unknown mark is a mistake in the template.
Result<std::string> fill(std::string_view text, const std::map<std::string, std::string>& values) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t at = text.find('@', i);
        if (at == std::string_view::npos) break;
        const std::size_t end = text.find('@', at + 1);
        const std::string_view key =
            end == std::string_view::npos ? std::string_view() : text.substr(at + 1, end - at - 1);
        const bool is_mark = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
            return (c >= 'A' && c <= 'Z') || c == '_';
        });
        if (!is_mark) {
            out.append(text.substr(i, at + 1 - i));
            i = at + 1;
            continue;
        }
        const auto value = values.find(std::string(key));
        if (value == values.end())
            return make_error("nsis.template",
                              fmt::format("setup.nsi.in has an unknown mark @{}@", key));
        out.append(text.substr(i, at - i));
        out += value->second;
        i = end + 1;
    }
    out.append(text.substr(std::min(i, text.size())));
    return out;
}

}  // namespace

std::string one_line(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
    const auto first = out.find_first_not_of(' ');
    if (first == std::string::npos) return {};
    return out.substr(first, out.find_last_not_of(' ') - first + 1);
}

Result<std::string> nsis_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        switch (c) {
            case '$':
                out += "$$";
                break;
            case '"':
                out += "$\\\"";
                break;
            case '{':
                out += "${U+7B}";
                break;
            case '\n':
                out += "$\\n";
                break;
            case '\r':
                out += "$\\r";
                break;
            case '\t':
                out += "$\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
                    return make_error(
                        "nsis.control",
                        fmt::format("the text \"{}\" has a control character (code {}), which "
                                    "an installer cannot carry; remove it from the profile.",
                                    one_line(text), static_cast<int>(c)));
                out += c;
        }
    }
    return out + "\"";
}

std::string shortcut_file_name(std::string_view name, std::string_view fallback) {
    std::string out;
    for (char c : name) {
        const bool forbidden = static_cast<unsigned char>(c) < 0x20 || c == 0x7F ||
                               std::string_view("\\/:*?\"<>|").find(c) != std::string_view::npos;
        if (forbidden) c = ' ';
        if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
        out += c;
    }
    // At most kMaxShortcutName characters, cut before a UTF-8 lead byte.
    std::size_t characters = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
        if ((static_cast<unsigned char>(out[i]) & 0xC0) == 0x80) continue;
        if (++characters > kMaxShortcutName) {
            out.resize(i);
            break;
        }
    }
    while (!out.empty() && (out.back() == ' ' || out.back() == '.')) out.pop_back();
    // Device names are reserved with any extension ("CON.txt"), in any case.
    const std::string device = upper(out.substr(0, out.find('.')));
    static const std::set<std::string> kDevices = {
        "CON",  "PRN",  "AUX",  "NUL",  "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7",
        "COM8", "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9"};
    const std::string trimmed = device.substr(0, device.find_last_not_of(' ') + 1);
    if (out.empty() || kDevices.count(trimmed) != 0) return std::string(fallback);
    return out;
}

std::vector<NsisLanguage> nsis_languages(const Profile& profile) {
    std::vector<NsisLanguage> languages;
    std::set<std::string_view> seen;
    auto add = [&](const std::string& tag, const MuiLanguage& mui) {
        if (!seen.insert(mui.mui_name).second) return;
        const PackageTexts* texts = find_package_texts(mui.texts);
        if (texts == nullptr) texts = &english_package_texts();
        languages.push_back(NsisLanguage{std::string(mui.mui_name), one_line(profile.name.get(tag)),
                                         std::string(texts->comment)});
    };
    for (const auto& language : profile.languages) {
        const std::string tag = normalize_language(language);
        if (const MuiLanguage* mui = mui_language(tag)) add(tag, *mui);
    }
    if (languages.empty()) add("en", *mui_language("en"));
    return languages;
}

Result<std::string> nsis_script(const NsisInstaller& in) {
    const bool plain_id = !in.id.empty() && std::all_of(in.id.begin(), in.id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
    if (!plain_id)
        return make_error("nsis.id", fmt::format("the profile id \"{}\" cannot name a Windows "
                                                 "installer: use [a-z0-9-] only.",
                                                 in.id));
    if (in.languages.empty())
        return make_error("nsis.languages", "the installer needs at least one language");
    // Every text below comes through e() (escaped, without the quotes), which notes the
    // first one refused; q() quotes it.
    Error refused;
    auto e = [&refused](std::string_view text) {
        auto quoted = nsis_string(text);
        if (!quoted) {
            if (refused.code.empty()) refused = quoted.error();
            return std::string();
        }
        return quoted->substr(1, quoted->size() - 2);
    };
    auto q = [&e](std::string_view text) { return "\"" + e(text) + "\""; };
    // "$INSTDIR\bin\acme.exe", the variable left as it is.
    auto installed = [&e](std::string_view relative) {
        return "\"$INSTDIR" + (relative.empty() ? "" : "\\" + e(windows_path(relative))) + "\"";
    };
    const std::string key = q("Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\" + in.id);
    const std::string shortcut =
        "\"$SMPROGRAMS\\" + e(shortcut_file_name(in.name, in.id)) + ".lnk\"";

    std::string languages;
    for (const auto& l : in.languages)
        languages += fmt::format("!insertmacro MUI_LANGUAGE \"{}\"\n", l.mui_name);
    for (const auto& l : in.languages) {
        std::string doubled;  // Name's second form: '&' shown, not an access key
        for (char c : l.brand_name) doubled += c == '&' ? std::string("&&") : std::string(1, c);
        const std::string lang = "${LANG_" + upper(l.mui_name) + "}";
        languages += fmt::format("LangString BrandName {} {}\n", lang, q(l.brand_name));
        languages += fmt::format("LangString BrandNameDA {} {}\n", lang, q(doubled));
        languages += fmt::format("LangString ShortcutComment {} {}\n", lang, q(l.comment));
    }

    // Files by folder, each folder's SetOutPath once; the uninstaller's folders deepest first.
    std::string install_files, uninstall_files;
    std::set<std::string> folders;
    std::string current = "\x01";  // no folder yet
    for (const auto& file : in.files) {
        const std::string folder = parent_of(file);
        if (folder != current) {
            install_files += fmt::format("  SetOutPath {}\n", installed(folder));
            current = folder;
        }
        install_files += fmt::format("  File {}\n", q("files\\" + windows_path(file)));
        uninstall_files += fmt::format("  Delete {}\n", installed(file));
        for (std::string f = folder; !f.empty(); f = parent_of(f)) folders.insert(f);
    }
    std::vector<std::string> deepest_first(folders.begin(), folders.end());
    std::sort(deepest_first.begin(), deepest_first.end(), [](const auto& a, const auto& b) {
        const auto depth = [](const std::string& s) { return std::count(s.begin(), s.end(), '/'); };
        return depth(a) != depth(b) ? depth(a) > depth(b) : a > b;
    });
    std::string uninstall_folders;
    for (const auto& f : deepest_first)
        uninstall_folders += fmt::format("  RMDir {}\n", installed(f));
    uninstall_folders += "  RMDir \"$INSTDIR\"\n";

    // What Windows' list of installed apps reads (Microsoft's "Uninstall Registry Key").
    std::string registry;
    auto reg_str = [&](std::string_view name, const std::string& quoted_value) {
        registry += fmt::format("  WriteRegStr HKCU {} \"{}\" {}\n", key, name, quoted_value);
    };
    reg_str("DisplayName", q(in.name));
    reg_str("DisplayIcon", installed(in.id + ".ico"));
    reg_str("DisplayVersion", q(in.version));
    reg_str("Publisher", q(in.publisher));
    if (!in.help_link.empty()) reg_str("HelpLink", q(in.help_link));
    reg_str("InstallLocation", "\"$INSTDIR\"");
    reg_str("UninstallString", "\"$\\\"$INSTDIR\\Uninstall.exe$\\\"\"");
    reg_str("QuietUninstallString", "\"$\\\"$INSTDIR\\Uninstall.exe$\\\" /S\"");
    registry += fmt::format("  WriteRegDWORD HKCU {} \"NoModify\" 1\n", key);
    registry += fmt::format("  WriteRegDWORD HKCU {} \"NoRepair\" 1\n", key);
    registry +=
        fmt::format("  WriteRegDWORD HKCU {} \"EstimatedSize\" {}\n", key, in.estimated_size_kib);
    if (!refused.code.empty()) return refused;

    auto script = fill(nsis_script_template(), {{"ID", in.id},
                                                {"UNINSTALL_KEY", key},
                                                {"SHORTCUT", shortcut},
                                                {"LANGUAGES", languages},
                                                {"INSTALL_FILES", install_files},
                                                {"REGISTRY", registry},
                                                {"UNINSTALL_FILES", uninstall_files},
                                                {"UNINSTALL_FOLDERS", uninstall_folders}});
    return script;
}

}  // namespace helpline::brand
