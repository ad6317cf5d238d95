#pragma once
// The platform halves of ClientPaths::for_profile (paths.cpp): paths_posix.cpp and
// paths_win32.cpp. Internal to client/core.

#include <filesystem>
#include <string>

#include "client/core/paths.h"

namespace helpline::client::paths_platform {

/// The folders for `profile_id` (already checked to be a plain name), not yet created.
Result<ClientPaths> locate(const std::string& profile_id);

/// Creates `dir` and its parents and makes sure the last component is a private folder of
/// the user's.
Status make_private_dir(const std::filesystem::path& dir);

}  // namespace helpline::client::paths_platform
