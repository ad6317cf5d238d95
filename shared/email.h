#pragma once
// The email rule the server applies to requesters and users, and the clients check before
// sending: one '@'; a local part of at most 64 bytes without spaces, controls, <>", or
// invisible Unicode (direction overrides, zero-width characters — they make an address
// read as another one on an operator's screen); a dotted ASCII domain; 254 bytes in all.

#include <string_view>

namespace helpline {

bool is_valid_email(std::string_view email);

}  // namespace helpline
