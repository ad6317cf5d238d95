#pragma once
// Where a branded client keeps its files, one set per brand (docs/client.md "Folders").
// Linux, the XDG base directories:
//   config   $XDG_CONFIG_HOME/helpline/<profile-id>   (~/.config/...)   remembered email
//   state    $XDG_STATE_HOME/helpline/<profile-id>    (~/.local/state/...) identity (0600),
//            cached profile, outbox/, requests.log
//   runtime  $XDG_RUNTIME_DIR/helpline-<profile-id>  (0700; /tmp/helpline-<uid>-<id> if unset)
//            one-time password files, the single-instance lock
// Windows: config in %APPDATA%\<profile-id>, state in %LOCALAPPDATA%\<profile-id>, runtime
// in %LOCALAPPDATA%\<profile-id>\run; the single-instance channel is a named pipe.
// Platform code in paths_posix.cpp and paths_win32.cpp.

#include <filesystem>
#include <string>

#include "shared/result.h"

namespace helpline::client {

struct ClientPaths {
    std::filesystem::path config;
    std::filesystem::path state;
    std::filesystem::path runtime;

    /// Where the first instance listens for the others (InstanceChannel): runtime /
    /// "instance.sock" on Linux, \\.\pipe\helpline-<user SID>-<profile-id> on Windows
    /// (a pipe name is global to the machine; the profile id is the state folder's name).
    std::filesystem::path instance_channel() const;

    /// Computes and creates the folders (mode 0700; on Windows private by the user
    /// profile's permissions).
    static Result<ClientPaths> for_profile(const std::string& profile_id);
};

}  // namespace helpline::client
