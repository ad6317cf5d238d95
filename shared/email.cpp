#include "shared/email.h"

#include "shared/text.h"

#include <algorithm>
#include <cctype>

namespace helpline {

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
