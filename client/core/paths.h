#pragma once
// Where a branded client keeps its files (XDG base directories), one set per brand:
//   config   $XDG_CONFIG_HOME/helpline/<profile-id>   (~/.config/...)   remembered email
//   state    $XDG_STATE_HOME/helpline/<profile-id>    (~/.local/state/...) identity (0600),
//            cached profile, outbox/, requests.log
//   runtime  $XDG_RUNTIME_DIR/helpline-<profile-id>  (0700; /tmp/helpline-<uid>-<id> if unset)
//            one-time password files, the single-instance lock

#include <filesystem>
#include <string>

#include "shared/result.h"

namespace helpline::client {

struct ClientPaths {
    std::filesystem::path config;
    std::filesystem::path state;
    std::filesystem::path runtime;

    /// Computes and creates the folders (mode 0700).
    static Result<ClientPaths> for_profile(const std::string& profile_id);
};

}  // namespace helpline::client
