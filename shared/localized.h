#pragma once
// Texts in several languages, as the profile carries them ({"en": "...", "pt": "..."}).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace helpline {

/// A localized text: language tag -> text, in the order the profile gave them.
class LocalizedText {
public:
    LocalizedText() = default;
    explicit LocalizedText(std::vector<std::pair<std::string, std::string>> entries)
        : entries_(std::move(entries)) {}

    /// The text for `language` ("pt_BR", "pt-BR", "pt"), falling back to its base language
    /// ("pt"), then "en", then the first entry; empty when there are no entries.
    const std::string& get(std::string_view language) const;

    bool empty() const { return entries_.empty(); }
    const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

private:
    std::vector<std::pair<std::string, std::string>> entries_;
};

/// "pt-br" / "pt_BR.UTF-8" / "pt_BR@euro" -> "pt_BR"; "EN" -> "en".
std::string normalize_language(std::string_view tag);

}  // namespace helpline
