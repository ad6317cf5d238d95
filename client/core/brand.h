#pragma once
// The brand this client carries: its stamp, verified, and the profile inside.

#include <filesystem>
#include <optional>
#include <string>

#include "shared/profile.h"
#include "shared/result.h"
#include "shared/stamp.h"

namespace helpline::client {

struct Brand {
    Profile profile;
    StampContent stamp;

    /// The logo's bytes, or nullptr when the profile has none.
    const Asset* logo() const { return stamp.find_asset(profile.appearance.logo); }
};

/// Error codes beyond the stamp's own (stamp_error::*).
inline constexpr const char* kBrandProfileInvalid = "brand.profile_invalid";

/// Reads and verifies the stamp at the end of `executable` and validates its profile.
Result<Brand> load_brand(const std::filesystem::path& executable);

/// The same for the running program.
Result<Brand> load_own_brand();

/// What to tell a person who started a client whose brand could not be loaded: what is
/// wrong and what to do. `program` is the file name used in the advice.
std::string brand_error_advice(const Error& error, const std::string& program);

/// Process exit codes of the clients when the brand cannot be used (docs/branding.md).
inline constexpr int kExitNotBranded = 3;
inline constexpr int kExitBadStamp = 4;
int brand_error_exit_code(const Error& error);

}  // namespace helpline::client
