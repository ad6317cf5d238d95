#pragma once
// The sentences `helpline-brand package` writes into a brand's package besides the
// profile's own texts: the menu entry's comment, the READMEs of the .tar.gz. Translated
// into the languages the client itself speaks (en, pt, pt_BR, it); other languages get the
// English text.

#include <string>
#include <string_view>
#include <vector>

namespace helpline::brand {

struct PackageTexts {
    std::string_view language;
    std::string_view generic_name;  ///< "Remote support"
    std::string_view comment;       ///< the menu entry's tooltip and AppStream summary
    std::string_view keywords;      ///< the menu's search words, ';'-terminated
    // README of the .tar.gz. Placeholders: {name} {id} {version} {arch} {depends}.
    std::string_view readme_intro;
    std::string_view readme_version;
    std::string_view readme_install_title;
    std::string_view readme_install;
    std::string_view readme_needs;
    std::string_view readme_wayland;  ///< when the base ships the Wayland backends
    std::string_view readme_uninstall_title;
    std::string_view readme_uninstall;
    std::string_view readme_support_title;
};

/// Our texts for `language` ("pt_BR", "pt-BR", "it"), or nullptr when we have none for it
/// (a regional variant we lack falls back to nothing, not to its base language: the
/// caller decides).
const PackageTexts* find_package_texts(std::string_view language);
/// The English texts, the fallback.
const PackageTexts& english_package_texts();

/// The number of characters (code points) of UTF-8 text.
std::size_t utf8_length(std::string_view s);

/// Splits `text` into lines of at most `width` characters (UTF-8 aware) at spaces; a word
/// longer than the width gets a line of its own.
std::vector<std::string> wrap_words(std::string_view text, std::size_t width);

}  // namespace helpline::brand
