#include "client/core/paths.h"

#include <fmt/format.h>

#include "client/core/paths_platform.h"

namespace helpline::client {

Result<ClientPaths> ClientPaths::for_profile(const std::string& profile_id) {
    if (profile_id.empty() || profile_id.find_first_of("/\\.:") != std::string::npos)
        return make_error("paths.bad_id", fmt::format("'{}' cannot name a folder.", profile_id));
    auto paths = paths_platform::locate(profile_id);
    if (!paths) return paths.error();
    for (const std::filesystem::path* dir : {&paths->config, &paths->state, &paths->runtime})
        if (auto made = paths_platform::make_private_dir(*dir); !made) return made.error();
    return paths;
}

}  // namespace helpline::client
