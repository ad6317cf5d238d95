#pragma once
// Signed profile envelopes: how profile updates travel from an admin's
// `helpline-brand sign-profile` through the team server to clients.
//
// {"format": "helpline-profile-envelope", "version": 1, "profile_id": "...",
//  "revision": N, "profile": "<base64 JSON>", "assets": [{"name", "data": "<base64>"}],
//  "public_key": "<base64>", "signature": "<base64>"}
//
// The signature covers the same message as a stamp's, under its own domain, so a
// signature from one can never be replayed as the other.

#include <cstdint>
#include <string>
#include <vector>

#include "shared/ed25519.h"
#include "shared/result.h"
#include "shared/stamp.h"

namespace helpline {

struct ProfileEnvelope {
    std::string profile_id;
    std::int64_t revision = 0;
    std::string profile_json;
    std::vector<Asset> assets;
    PublicKey key{};
    Signature signature{};
};

inline constexpr std::size_t kMaxEnvelopeSize = 12 * 1024 * 1024;

/// Signs `profile_json` (already validated; its id and revision are given) with `key`.
std::string make_envelope(std::string_view profile_id, std::int64_t revision,
                          std::string_view profile_json, const std::vector<Asset>& assets,
                          const SigningKey& key);

/// Parses an envelope and checks its signature against the key it names. The profile
/// inside is not validated here; callers validate it and check it is signed by the key
/// they expect (the stamp's key on clients).
Result<ProfileEnvelope> parse_envelope(std::string_view text);

}  // namespace helpline
