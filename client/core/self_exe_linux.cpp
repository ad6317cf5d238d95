#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "client/core/self_exe.h"

namespace helpline::client {

Result<std::filesystem::path> self_executable_path() {
    // /proc/self/exe is opened directly by the stamp reader, so a binary replaced or
    // deleted while running is still read as the one that runs.
    std::error_code ec;
    const std::filesystem::path link = "/proc/self/exe";
    if (!std::filesystem::exists(link, ec))
        return make_error("self.path",
                          fmt::format("Could not find this program's own file (/proc/self/exe): {}",
                                      ec ? ec.message() : std::strerror(ENOENT)));
    return link;
}

}  // namespace helpline::client
