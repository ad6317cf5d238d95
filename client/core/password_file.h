#pragma once
// The backend's side of the one-time password file the launcher writes (backend_launcher:
// mkstemp, 0600, in the user's runtime folder): read once, then deleted, so the password is
// on disk only between the launch and the backend's start.

#include <filesystem>
#include <string>

#include "shared/result.h"

namespace helpline::client {

/// The password on the first line of `path` (without the line end), after checking that the
/// file is a regular file of this user's that nobody else can read, and deleting it. Errors
/// say which of those failed.
Result<std::string> take_password(const std::filesystem::path& path);

}  // namespace helpline::client
