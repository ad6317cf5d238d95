#pragma once
// The platform halves of the backend launcher (backend_launcher.cpp):
// backend_launcher_posix.cpp and backend_launcher_win32.cpp, besides detect_session_type().
// Internal to client/core.

#include <filesystem>
#include <string_view>

#include "shared/result.h"

namespace helpline::client::launcher_platform {

/// `content` in a new file of `dir` named `prefix` + a random suffix, which only the user
/// can read and which did not exist before (no symlink or existing file is followed). Errors
/// have the code launch_error::kSpawn.
Result<std::filesystem::path> write_password_file(const std::filesystem::path& dir,
                                                  std::string_view prefix,
                                                  std::string_view content);

}  // namespace helpline::client::launcher_platform
