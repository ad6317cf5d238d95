#include "shared/localized.h"

#include <cctype>

namespace helpline {

std::string normalize_language(std::string_view tag) {
    const auto cut = tag.find_first_of(".@");
    if (cut != std::string_view::npos) tag = tag.substr(0, cut);
    std::string out;
    bool region = false;
    for (char c : tag) {
        if (c == '-' || c == '_') {
            region = true;
            out.push_back('_');
            continue;
        }
        const auto uc = static_cast<unsigned char>(c);
        out.push_back(static_cast<char>(region ? std::toupper(uc) : std::tolower(uc)));
    }
    return out;
}

const std::string& LocalizedText::get(std::string_view language) const {
    static const std::string kEmpty;
    if (entries_.empty()) return kEmpty;
    const std::string wanted = normalize_language(language);
    const auto find = [&](std::string_view tag) -> const std::string* {
        for (const auto& [lang, text] : entries_)
            if (normalize_language(lang) == tag) return &text;
        return nullptr;
    };
    if (!wanted.empty()) {
        if (const auto* t = find(wanted)) return *t;
        const auto base = wanted.substr(0, wanted.find('_'));
        if (const auto* t = find(base)) return *t;
    }
    if (const auto* t = find("en")) return *t;
    return entries_.front().second;
}

}  // namespace helpline
