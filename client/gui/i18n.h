#pragma once
// The client's own texts in the customer's language: gettext catalogs (po/*.po, built to
// .mo by CMake), looked up with wxTranslations. The language follows the system unless
// --lang forces it; brand texts come from the profile's localized maps instead.
// Messages use named placeholders: tr("Your request number is {number}", fmt::arg("number", n)).

#include <fmt/format.h>
#include <wx/intl.h>
#include <wx/string.h>

#include <string>

namespace helpline::gui {

/// Sets up translations; `forced` ("pt_BR", "it", ...) overrides the system language
/// (LANGUAGE, LC_ALL, LC_MESSAGES, LANG; "C" and "POSIX" are English). Returns that language,
/// normalised ("pt_BR", "de"), also where the client has no catalog for it: the client's own
/// texts are then English, while the profile's texts still look it up (a German brand name
/// for "de").
std::string init_translations(const std::string& forced);

/// The translation of `msgid` (UTF-8).
std::string translate(const char* msgid);

/// Translates `msgid`, then fills its named placeholders.
template <typename... Args>
wxString tr(const char* msgid, Args&&... args) {
    if constexpr (sizeof...(Args) == 0) {
        return wxString::FromUTF8(translate(msgid));
    } else {
        return wxString::FromUTF8(fmt::format(fmt::runtime(translate(msgid)), std::forward<Args>(args)...));
    }
}

}  // namespace helpline::gui

/// Marks a string for xgettext without translating it here.
#define HL_N_(s) s
