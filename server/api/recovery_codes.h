#pragma once
// Recovery codes: ten single-use codes shown once when two-factor is turned on, for a
// lost phone. Each carries 79 random bits, so a SHA-256 hash is enough to store them (as
// with tokens): unlike a password, no dictionary guesses it.

#include <string>
#include <string_view>
#include <vector>

namespace helpline::server {

inline constexpr int kRecoveryCodeCount = 10;

/// Ten new codes, "xxxx-xxxx-xxxx-xxxx" from an alphabet without look-alikes.
std::vector<std::string> new_recovery_codes();

/// The stored form of a code as typed: case, spaces and dashes ignored, then SHA-256 hex.
std::string recovery_code_hash(std::string_view typed);

}  // namespace helpline::server
