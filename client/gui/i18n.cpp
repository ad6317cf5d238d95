#include "client/gui/i18n.h"

#include <wx/filename.h>
#include <wx/stdpaths.h>
#include <wx/translation.h>

#include "client/gui/platform.h"
#include "shared/localized.h"

namespace helpline::gui {
namespace {

/// Where the .mo files are: <exe>/../share/locale (installed on Linux; beside the build's
/// programs for Windows, which has no build folder at run time), and the build's own
/// (HELPLINE_BUILD_LOCALE_DIR) when run from the build tree.
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

}  // namespace

std::string init_translations(const std::string& forced) {
    add_lookup_paths();
    auto* translations = new wxTranslations();
    wxTranslations::Set(translations);  // takes ownership
    const std::string language =
        normalize_language(forced.empty() ? platform::system_language() : forced);
    translations->SetLanguage(wxString::FromUTF8(language));
    translations->AddStdCatalog();
    translations->AddCatalog("helpline", wxLANGUAGE_ENGLISH_US);
    return language;
}

std::string translate(const char* msgid) {
    return std::string(wxGetTranslation(wxString::FromUTF8(msgid)).utf8_str());
}

}  // namespace helpline::gui
