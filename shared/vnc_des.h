#pragma once
// VNC authentication's challenge response (RFC 6143 §7.2.2), shared by every program that
// speaks it: helpline-vnc-auth checks a viewer's answer with it, the tests' RFB viewers
// compute theirs.

#include <string>
#include <string_view>

#include "shared/result.h"

namespace helpline {

/// VNC authentication uses a challenge of 16 bytes and at most 8 password characters.
inline constexpr std::size_t kVncChallengeSize = 16;
inline constexpr std::size_t kVncPasswordMax = 8;

/// The 16-byte answer to `challenge`: DES-ECB under the password's first 8 bytes
/// (zero-padded), each key byte's bits reversed as VNC does. Fails only when OpenSSL's
/// legacy provider (single DES) cannot be loaded or `challenge` is not 16 bytes.
Result<std::string> vnc_challenge_response(std::string_view password, std::string_view challenge);

}  // namespace helpline
