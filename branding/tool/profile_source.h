#pragma once
// A profile as an admin keeps it: a JSON file with its logo beside it.

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "shared/ed25519.h"
#include "shared/profile.h"
#include "shared/stamp.h"

namespace helpline::brand {

struct ProfileSource {
    std::filesystem::path file;    ///< the profile JSON
    std::string compact_json;      ///< what goes into stamps and envelopes
    Profile profile;
    std::vector<Asset> assets;     ///< the logo, read from the profile's folder
    std::vector<ProfileProblem> problems;  ///< empty when the profile can be used
};

inline constexpr std::uint64_t kMaxProfileFile = 1024 * 1024;
inline constexpr std::uint64_t kMaxLogoFile = 1024 * 1024;

/// Reads `path` (a JSON file, or a folder holding profile.json), validates it and reads
/// its assets. Problems with files are reported like validation problems, with the path.
ProfileSource load_profile_source(const std::filesystem::path& path);

/// What signing commands (stamp, sign-profile) need: a valid profile and the team's key.
struct SigningInputs {
    ProfileSource source;
    SigningKey key;
};
/// Loads both, printing every problem to `err`; nullopt when either is unusable.
std::optional<SigningInputs> load_signing_inputs(const std::filesystem::path& profile,
                                                 const std::filesystem::path& key, std::ostream& err);

}  // namespace helpline::brand
