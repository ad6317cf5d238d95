#pragma once
// The store's enumerations are written as names (the API sends the same names): one array
// of names per enumeration, indexed by its enumerators. Shared by model.cpp and
// mail_model.cpp.

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

namespace helpline::server {

/// The enumerator named `s` in `names`, or nullopt for a name it does not have.
template <typename Enum, std::size_t N>
std::optional<Enum> parse_name(const std::array<std::string_view, N>& names, std::string_view s) {
    const auto found = std::find(names.begin(), names.end(), s);
    if (found == names.end()) return std::nullopt;
    return static_cast<Enum>(found - names.begin());
}

}  // namespace helpline::server
