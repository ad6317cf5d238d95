#pragma once
// Profile updates: at start the client asks its server for the published profile
// (GET /api/v1/profiles/{id}) and takes it only if the envelope is signed by the key of
// the client's own stamp, names the same profile, has a higher revision than the one in
// force, and carries a valid profile. A taken update is cached in the state folder
// (profile.envelope.json, written atomically) and checked again the same way at every
// start, so the client falls back to it — or to the stamped profile — when the server
// cannot be reached or offers nothing better. Why an update was not taken goes to notes
// for the client's log.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/core/api_client.h"
#include "client/core/brand.h"
#include "client/core/paths.h"
#include "shared/ed25519.h"
#include "shared/result.h"

namespace helpline::client {

enum class ProfileSource { stamp, cache, server };
std::string_view to_string(ProfileSource source);

/// The profile a client works with now, and where it came from.
struct ProfileInForce {
    Profile profile;
    std::string profile_json;
    std::vector<Asset> assets;  ///< the update's assets; empty: the stamp's stay in force
    ProfileSource source = ProfileSource::stamp;
};

/// Why an envelope was not taken (Error::code).
namespace profile_update_error {
inline constexpr const char* kInvalid =
    "profile_update.invalid";  ///< not an envelope, bad signature
inline constexpr const char* kWrongKey =
    "profile_update.wrong_key";  ///< signed by another key than the stamp's
inline constexpr const char* kWrongProfile = "profile_update.wrong_id";  ///< another profile id
inline constexpr const char* kNotNewer =
    "profile_update.not_newer";  ///< revision not above the one in force
inline constexpr const char* kBadProfile =
    "profile_update.bad_profile";  ///< the profile inside does not validate
}  // namespace profile_update_error

/// Checks an envelope for a client stamped with `stamp_key` for `profile_id` whose profile
/// in force has `current_revision`.
Result<ProfileInForce> accept_envelope(std::string_view text, const PublicKey& stamp_key,
                                       const std::string& profile_id,
                                       std::int64_t current_revision);

/// What the client starts with, without the network: a cached update still valid for
/// this stamp, else the stamped profile.
ProfileInForce profile_at_start(const Brand& stamped, const ClientPaths& paths,
                                std::vector<std::string>& notes);

enum class RefreshResult {
    updated,       ///< a newer valid profile was taken (and cached)
    unchanged,     ///< nothing newer, refused, or the server could not be asked (see notes)
    unauthorized,  ///< the server does not know the device's token (401): register again
};

/// Asks the server (the device must be registered: `api` carries its token). Replaces
/// `current` and caches the envelope when an update is taken.
RefreshResult refresh_profile(const ApiClient& api, const PublicKey& stamp_key,
                              const ClientPaths& paths, ProfileInForce& current,
                              std::vector<std::string>& notes);

/// Makes `in_force` the brand's profile; its assets replace the stamp's when it has any.
void apply_profile(Brand& brand, const ProfileInForce& in_force);

}  // namespace helpline::client
