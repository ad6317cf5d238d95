#pragma once
// The one-time VNC password, handed over by the client's launcher in a file it made (0600,
// in its private runtime folder) to a backend of ours (helpline-portal-vnc, helpline-vnc-auth),
// which deletes it as soon as it is read, so that it exists on disk only for the
// moment between the client's start of the backend and the backend's start.

#include <filesystem>
#include <string>

#include "shared/result.h"

namespace helpline {

/// The first line of `path`, cut to the 8 characters VNC authentication uses. The file is
/// deleted at once when it is a regular file of ours (even when refused below: a one-time
/// password is never left behind). Refused — with what is wrong and what to do — when it
/// is missing, not a regular file (a symbolic link is not followed), not owned by the
/// effective user, readable or writable by anyone else (not 0600), or has an empty first line.
Result<std::string> take_password_file(const std::filesystem::path& path);

}  // namespace helpline
