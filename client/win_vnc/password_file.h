#pragma once
// The one-time VNC password, handed over by the client's launcher in a file it made for this
// session, read and deleted at once — Windows' counterpart of shared/vnc_password_file.h
// (whose owner and mode checks have no Windows equivalent: there the file is private by the
// ACL of the user's own folder it is made in). Windows only (password_file_win32.cpp).

#include <filesystem>
#include <string>

#include "shared/result.h"

namespace helpline::win_vnc {

/// The first line of `path`, cut to the 8 characters VNC authentication uses. The file is
/// deleted as it is read, even when refused below, so that the password is never left
/// behind. Refused — with what is wrong and what to do — when it is missing, a folder, a
/// symbolic link or junction (never followed, and not deleted: it is not the launcher's
/// file), not a file on disk, or has an empty first line.
Result<std::string> take_password_file(const std::filesystem::path& path);

}  // namespace helpline::win_vnc
