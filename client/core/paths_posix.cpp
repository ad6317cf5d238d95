#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "client/core/paths_platform.h"

namespace helpline::client::paths_platform {
namespace {

namespace fs = std::filesystem;

/// An XDG variable's value when it is set to an absolute path; the spec says relative
/// values are invalid and must be ignored.
std::optional<fs::path> xdg_dir(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') return std::nullopt;
    fs::path p(value);
    if (!p.is_absolute()) return std::nullopt;
    return p;
}

Result<fs::path> home_dir() {
    if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/')
        return fs::path(home);
    if (const passwd* pw = ::getpwuid(::getuid());
        pw != nullptr && pw->pw_dir != nullptr && *pw->pw_dir == '/')
        return fs::path(pw->pw_dir);
    return make_error(
        "paths.no_home",
        "Cannot tell where your home folder is: HOME is not set. Set HOME (or XDG_STATE_HOME "
        "and XDG_CONFIG_HOME) and start the client again.");
}

}  // namespace

Result<ClientPaths> locate(const std::string& profile_id) {
    const auto config_base = xdg_dir("XDG_CONFIG_HOME");
    const auto state_base = xdg_dir("XDG_STATE_HOME");
    std::optional<fs::path> home;
    if (!config_base || !state_base) {
        auto h = home_dir();
        if (!h) return h.error();
        home = *h;
    }

    ClientPaths paths;
    paths.config = config_base.value_or(*home / ".config") / "helpline" / profile_id;
    paths.state = state_base.value_or(*home / ".local" / "state") / "helpline" / profile_id;
    if (const auto runtime = xdg_dir("XDG_RUNTIME_DIR"))
        paths.runtime = *runtime / ("helpline-" + profile_id);
    else
        paths.runtime =
            fs::temp_directory_path() / fmt::format("helpline-{}-{}", ::getuid(), profile_id);
    return paths;
}

/// The last component gets mode 0700 and must be a folder we own (the runtime fallback
/// lives in /tmp, where another user could have made it).
Status keep_private(const fs::path& dir) {
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0)
        return make_error(
            "io.mkdir", fmt::format("Could not read '{}': {}", dir.string(), std::strerror(errno)),
            dir.string());
    if (!S_ISDIR(st.st_mode) || st.st_uid != ::getuid())
        return make_error(
            "paths.not_private",
            fmt::format("'{}' is not a folder owned by you, so the client will not keep its files "
                        "there. Remove it or set XDG_RUNTIME_DIR.",
                        dir.string()),
            dir.string());
    if ((st.st_mode & 0777) != 0700 && ::chmod(dir.c_str(), 0700) != 0)
        return make_error("io.chmod",
                          fmt::format("Could not make '{}' private (mode 0700): {}", dir.string(),
                                      std::strerror(errno)),
                          dir.string());
    return Ok{};
}

}  // namespace helpline::client::paths_platform

namespace helpline::client {

std::filesystem::path ClientPaths::instance_channel() const {
    return runtime / "instance.sock";
}

}  // namespace helpline::client
