#pragma once
// Small text helpers for protocol fields (HTTP header names and values, media types): ASCII
// case folding and the blanks HTTP allows around a value.

#include <string_view>

namespace helpline {

/// Equal ignoring ASCII case ("Content-Type" and "content-type").
bool iequals(std::string_view a, std::string_view b);
/// Without the spaces and tabs at both ends (HTTP's optional white space).
std::string_view trim_blanks(std::string_view s);

}  // namespace helpline
