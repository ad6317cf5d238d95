#pragma once
// The brand's installer script for makensis (NSIS 3): branding/tool/setup.nsi.in with the
// brand's names, files, languages and registry entries written in as escaped NSIS strings.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shared/profile.h"
#include "shared/result.h"

namespace helpline::brand {

/// One language of the installer's own texts.
struct NsisLanguage {
    std::string
        mui_name;  ///< MUI2's language file: "English", "Portuguese", "PortugueseBR", "Italian"
    std::string brand_name;  ///< the brand's name in it, one line
    std::string comment;     ///< the shortcut's description (package_texts.h, comment)
};

/// What the script says about the brand and what it installs.
struct NsisInstaller {
    std::string id;         ///< the profile id: folder, programs, uninstall key
    std::string name;       ///< the brand's name, one line: DisplayName, the shortcut's name
    std::string version;    ///< DisplayVersion: "<profile revision>-<base version>"
    std::string publisher;  ///< Publisher: the brand's name
    std::string help_link;  ///< HelpLink: support.url, else "mailto:" support.email, or ""
    std::vector<NsisLanguage> languages;  ///< the first is the default; never empty
    /// Every file the installer puts in its folder (Uninstall.exe aside), relative and
    /// '/'-separated ("bin/acme.exe", "acme.ico"), sorted; the script reads each from
    /// "files/<path>" beside it.
    std::vector<std::string> files;
    std::uint64_t estimated_size_kib = 0;  ///< EstimatedSize: the files, each rounded up to KiB
};

/// The installer's languages for `profile`: its languages (in its order) among en, pt,
/// pt_BR and it, whose MUI2 language files NSIS ships and whose sentences we translate;
/// English when it has none of them.
std::vector<NsisLanguage> nsis_languages(const Profile& profile);

/// `text` as one line: line breaks, tabs and other control characters become spaces, and
/// spaces at both ends go.
std::string one_line(std::string_view text);

/// `text` as a double-quoted NSIS string that means exactly `text`: '$' as "$$" (no
/// variable), '"' as "$\"", '{' as "${U+7B}" (makensis replaces ${NAME} by a define before
/// it reads "$$", so "$${NAME}" would still be replaced), line breaks and tabs as "$\n",
/// "$\r", "$\t". Other control characters are refused.
Result<std::string> nsis_string(std::string_view text);

/// The brand's name made a Windows file name for its Start-menu shortcut: the characters
/// Windows forbids (\ / : * ? " < > | and control characters) become spaces, runs of spaces
/// one, no dot or space at the ends, at most 80 characters; `fallback` (the profile id) when
/// nothing is left or the name is a device name (CON, NUL, COM1, ...).
std::string shortcut_file_name(std::string_view name, std::string_view fallback);

/// The script (UTF-8, for makensis -INPUTCHARSET UTF8). An error for a profile id that is
/// not [a-z0-9-] (profiles cannot have one) or a text with a control character.
Result<std::string> nsis_script(const NsisInstaller& installer);

}  // namespace helpline::brand
