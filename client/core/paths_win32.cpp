// windows.h first: the headers after it need its types.
// clang-format off
#include <windows.h>
#include <knownfolders.h>
#include <shlobj.h>
// clang-format on

#include <fmt/format.h>

#include <optional>

#include "client/core/paths_platform.h"
#include "client/core/win32_util.h"

namespace helpline::client::paths_platform {
namespace {

namespace fs = std::filesystem;

/// The folder an environment variable names, when it is absolute. %APPDATA% and
/// %LOCALAPPDATA% are set by Windows to the known folders; honouring them first, as the XDG
/// variables are on Linux, lets a test (or an administrator) point a client elsewhere.
std::optional<fs::path> env_dir(const wchar_t* name) {
    const DWORD size = ::GetEnvironmentVariableW(name, nullptr, 0);
    if (size <= 1) return std::nullopt;
    std::wstring value(size, L'\0');
    const DWORD n = ::GetEnvironmentVariableW(name, value.data(), size);
    if (n == 0 || n >= size) return std::nullopt;
    value.resize(n);
    fs::path p(value);
    if (!p.is_absolute()) return std::nullopt;
    return p;
}

Result<fs::path> known_folder(const KNOWNFOLDERID& id, const wchar_t* env, const char* name) {
    if (auto dir = env_dir(env)) return *dir;
    wchar_t* found = nullptr;
    const HRESULT hr = ::SHGetKnownFolderPath(id, KF_FLAG_CREATE, nullptr, &found);
    fs::path dir = SUCCEEDED(hr) && found != nullptr ? fs::path(found) : fs::path();
    ::CoTaskMemFree(found);
    if (dir.empty())
        return make_error(
            "paths.no_home",
            fmt::format("Cannot tell where your {} folder is: Windows did not say ({}). Log in "
                        "with your own user account and start the client again.",
                        name, win32::error_text(static_cast<DWORD>(hr))));
    return dir;
}

/// The current user's SID as text ("S-1-5-21-..."); the user name if it cannot be read.
std::wstring user_key() {
    if (std::wstring sid = win32::current_user_sid(); !sid.empty()) return sid;
    wchar_t name[257] = {};
    DWORD length = 257;
    if (::GetUserNameW(name, &length) && length > 1) return std::wstring(name, length - 1);
    return L"user";
}

}  // namespace

Result<ClientPaths> locate(const std::string& profile_id) {
    auto roaming = known_folder(FOLDERID_RoamingAppData, L"APPDATA", "application data");
    if (!roaming) return roaming.error();
    auto local = known_folder(FOLDERID_LocalAppData, L"LOCALAPPDATA", "local application data");
    if (!local) return local.error();

    const std::wstring id = win32::to_wide(profile_id);
    ClientPaths paths;
    paths.config = *roaming / id;
    paths.state = *local / id;
    // Inside the user's profile, private by its permissions, unlike a %TEMP% that an
    // administrator may have pointed at a shared folder.
    paths.runtime = paths.state / L"run";
    return paths;
}

Status keep_private(const fs::path& dir) {
    // The folders live in the user's profile, whose permissions (inherited) admit only the
    // user, SYSTEM and administrators: there is no mode to set and no shared /tmp to fear.
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return make_error(
            "paths.not_private",
            fmt::format("'{}' is not a folder, so the client cannot keep its files there. "
                        "Remove it and start the client again.",
                        dir.string()),
            dir.string());
    return Ok{};
}

}  // namespace helpline::client::paths_platform

namespace helpline::client {

std::filesystem::path ClientPaths::instance_channel() const {
    // A pipe name is global to the machine: the SID keeps two users' clients apart.
    return std::filesystem::path(L"\\\\.\\pipe\\helpline-" + paths_platform::user_key() + L"-" +
                                 state.filename().native());
}

}  // namespace helpline::client
