#include "client/core/paths.h"

#include <fmt/format.h>

#include "client/core/paths_platform.h"

namespace helpline::client {

Result<ClientPaths> ClientPaths::for_profile(const std::string& profile_id) {
    if (profile_id.empty() || profile_id.find_first_of("/\\.:") != std::string::npos)
        return make_error("paths.bad_id", fmt::format("'{}' cannot name a folder.", profile_id));
    auto paths = paths_platform::locate(profile_id);
    if (!paths) return paths.error();
    for (const std::filesystem::path* dir : {&paths->config, &paths->state, &paths->runtime}) {
        std::error_code ec;
        std::filesystem::create_directories(*dir, ec);
        if (ec)
            return make_error(
                "io.mkdir",
                fmt::format(
                    "Could not create the folder '{}': {}. Check the permissions of its parent.",
                    dir->string(), ec.message()),
                dir->string());
        if (auto kept = paths_platform::keep_private(*dir); !kept) return kept.error();
    }
    return paths;
}

}  // namespace helpline::client
