#pragma once
// Two-factor sign-in as the store keeps it (docs/storage.md, migration 7): a user's TOTP
// secret, the time step of the last code used, recovery codes (hashed), and the challenges
// that bridge a sign-in's password step and its code step.

#include <cstdint>
#include <optional>
#include <string>

#include "server/store/model.h"

namespace helpline::server {

struct TwoFactorState {
    /// The confirmed secret (base32, RFC 4648); nullopt: two-factor is off.
    std::optional<std::string> secret;
    /// A secret set up but not yet confirmed with a code; nullopt: none.
    std::optional<std::string> pending_secret;
    /// The TOTP time step (Unix time / 30) of the last code accepted: a code of this step or
    /// an earlier one is refused, which makes every code single-use.
    std::int64_t last_step = 0;
    int recovery_codes_left = 0;  ///< unused recovery codes
};

/// A sign-in that passed its password and waits for the code (POST
/// /api/v1/auth/login/two-factor). The challenge token is stored only as its hash.
struct LoginChallenge {
    std::string token_hash;  ///< sha256 hex of the challenge token
    UserId user_id = 0;
    Timestamp expires_at = 0;
};

}  // namespace helpline::server
