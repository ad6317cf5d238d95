#pragma once
// Small text helpers for protocol fields (HTTP header names and values, media types): ASCII
// case folding and the blanks HTTP allows around a value; UTF-8 sequences for writers that
// must never pass on a malformed byte (JSON, mail headers).

#include <cstddef>
#include <string_view>

namespace helpline {

/// Equal ignoring ASCII case ("Content-Type" and "content-type").
bool iequals(std::string_view a, std::string_view b);
/// Without the spaces and tabs at both ends (HTTP's optional white space).
std::string_view trim_blanks(std::string_view s);
/// The length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629: no
/// overlong forms, no surrogates, nothing past U+10FFFF), or 0 when there is none.
std::size_t utf8_sequence(std::string_view s);
/// Whether the UTF-8 text at `s` starts with a character that is invisible or changes how
/// the text around it is shown (C1 controls, zero-width characters, direction overrides and
/// isolates, U+FEFF): refused in emails and file names, where they disguise what is shown.
bool invisible_at(std::string_view s);

}  // namespace helpline
