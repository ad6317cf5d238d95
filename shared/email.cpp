#include "shared/email.h"

#include <algorithm>
#include <cctype>

namespace helpline {
namespace {

/// Whether the UTF-8 text at `s` starts with a character that is invisible or changes how
/// the text around it is shown: C1 controls (U+0080–U+009F), U+200B–U+200F (zero width,
/// marks), U+2028–U+202E (separators, embeddings, overrides), U+2060–U+206F (word joiner,
/// isolates), U+FEFF.
bool invisible_at(std::string_view s) {
    const auto b = [&](std::size_t i) { return i < s.size() ? static_cast<unsigned char>(s[i]) : 0U; };
    if (b(0) == 0xC2 && b(1) >= 0x80 && b(1) <= 0x9F) return true;
    if (b(0) == 0xE2 && b(1) == 0x80 && ((b(2) >= 0x8B && b(2) <= 0x8F) || (b(2) >= 0xA8 && b(2) <= 0xAE)))
        return true;
    if (b(0) == 0xE2 && b(1) == 0x81 && b(2) >= 0xA0 && b(2) <= 0xAF) return true;
    return b(0) == 0xEF && b(1) == 0xBB && b(2) == 0xBF;
}

}  // namespace

bool is_valid_email(std::string_view email) {
    if (email.size() > 254) return false;
    const auto at = email.find('@');
    if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos) return false;
    const auto local = email.substr(0, at);
    const auto domain = email.substr(at + 1);
    if (local.size() > 64) return false;
    for (std::size_t i = 0; i < local.size(); ++i) {
        const auto c = static_cast<unsigned char>(local[i]);
        if (c < 0x21 || c == 0x7F || c == '<' || c == '>' || c == '"' || c == ',' || invisible_at(local.substr(i)))
            return false;
    }
    if (domain.size() < 3 || domain.find('.') == std::string_view::npos || domain.front() == '.' ||
        domain.back() == '.' || domain.find("..") != std::string_view::npos)
        return false;
    return std::all_of(domain.begin(), domain.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
    });
}

}  // namespace helpline
