#pragma once
// What the client remembers for the customer between runs (config folder, settings.json,
// written atomically, mode 0600): today the email address of the last request.

#include <filesystem>
#include <string>

#include "shared/result.h"

namespace helpline::client {

struct Settings {
    std::string email;  ///< the last email used in a request; empty: none yet

    /// settings.json in `config_dir`; defaults when the file is missing or unreadable.
    static Settings load(const std::filesystem::path& config_dir);
    Status save(const std::filesystem::path& config_dir) const;
};

}  // namespace helpline::client
