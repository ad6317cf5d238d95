#pragma once
// The platform halves of ClientPaths::for_profile (paths.cpp): paths_posix.cpp and
// paths_win32.cpp. Internal to client/core.

#include <filesystem>
#include <string>

#include "client/core/paths.h"

namespace helpline::client::paths_platform {

/// The folders for `profile_id` (already checked to be a plain name), not yet created.
Result<ClientPaths> locate(const std::string& profile_id);

/// Makes sure `dir`, just created with its parents, is a private folder of the user's.
Status keep_private(const std::filesystem::path& dir);

}  // namespace helpline::client::paths_platform
