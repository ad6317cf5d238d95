#include "client/gui/i18n.h"

#include <cstdlib>

#include <wx/filename.h>
#include <wx/stdpaths.h>
#include <wx/translation.h>

#include "shared/localized.h"

namespace helpline::gui {
namespace {

/// Where the .mo files are: next to the build (HELPLINE_BUILD_LOCALE_DIR) when run from
/// the build tree, else <prefix>/share/locale.
void add_lookup_paths() {
    wxFileName exe(wxStandardPaths::Get().GetExecutablePath());
    wxFileName installed(exe.GetPath(), "");
    installed.RemoveLastDir();
    installed.AppendDir("share");
    installed.AppendDir("locale");
    wxFileTranslationsLoader::AddCatalogLookupPathPrefix(installed.GetPath());
#ifdef HELPLINE_BUILD_LOCALE_DIR
    wxFileTranslationsLoader::AddCatalogLookupPathPrefix(HELPLINE_BUILD_LOCALE_DIR);
#endif
}

/// The user's language from the environment, as gettext reads it.
std::string system_language() {
    for (const char* name : {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"}) {
        const char* value = std::getenv(name);
        if (value == nullptr || *value == '\0') continue;
        std::string v(value);
        v = v.substr(0, v.find(':'));  // LANGUAGE may list several
        if (v == "C" || v == "POSIX" || v.rfind("C.", 0) == 0) return "en";
        return normalize_language(v);
    }
    return "en";
}

}  // namespace

std::string init_translations(const std::string& forced) {
    add_lookup_paths();
    auto* translations = new wxTranslations();
    wxTranslations::Set(translations);  // takes ownership
    const std::string language = forced.empty() ? system_language() : normalize_language(forced);
    translations->SetLanguage(wxString::FromUTF8(language));
    translations->AddStdCatalog();
    translations->AddCatalog("helpline", wxLANGUAGE_ENGLISH_US);
    return language;
}

std::string translate(const char* msgid) {
    return std::string(wxGetTranslation(wxString::FromUTF8(msgid)).utf8_str());
}

}  // namespace helpline::gui
