// windows.h first: the headers after it need its types.
// clang-format off
#include <windows.h>
#include <sddl.h>
// clang-format on

#include <fmt/format.h>
#include <openssl/rand.h>

#include "client/core/backend_launcher.h"
#include "client/core/backend_launcher_platform.h"
#include "client/core/win32_util.h"

namespace helpline::client {

SessionType detect_session_type() {
    return SessionType::windows;
}

namespace launcher_platform {

namespace {

constexpr std::string_view kNameAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

Error create_error(const std::filesystem::path& dir, const std::string& reason) {
    return make_error(launch_error::kSpawn,
                      fmt::format("Could not create the one-time password file in '{}': {}.",
                                  dir.string(), reason),
                      dir.string());
}

}  // namespace

Result<std::filesystem::path> write_password_file(const std::filesystem::path& dir,
                                                  std::string_view prefix,
                                                  std::string_view content) {
    // Only this user may read it, whatever the folder's permissions pass on.
    const std::wstring sid = win32::current_user_sid();
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    if (sid.empty() ||
        !::ConvertStringSecurityDescriptorToSecurityDescriptorW(
            (L"D:P(A;;FA;;;" + sid + L")").c_str(), SDDL_REVISION_1, &descriptor, nullptr))
        return create_error(dir, win32::last_error_text());
    SECURITY_ATTRIBUTES attributes{sizeof(SECURITY_ATTRIBUTES), descriptor, FALSE};

    std::filesystem::path path;
    win32::UniqueHandle file;
    for (int attempt = 0; attempt < 100 && !file.valid(); ++attempt) {
        unsigned char random[8];
        if (RAND_bytes(random, sizeof random) != 1) break;
        std::string name(prefix);
        for (unsigned char b : random) name += kNameAlphabet[b % kNameAlphabet.size()];
        path = dir / win32::to_wide(name);
        // CREATE_NEW: an existing file (or a link planted there) is never opened.
        file.reset(::CreateFileW(path.c_str(), GENERIC_WRITE, 0, &attributes, CREATE_NEW,
                                 FILE_ATTRIBUTE_NORMAL, nullptr));
        if (!file.valid() && ::GetLastError() != ERROR_FILE_EXISTS) break;
    }
    const DWORD create_error_code = ::GetLastError();
    ::LocalFree(descriptor);
    if (!file.valid()) return create_error(dir, win32::error_text(create_error_code));

    DWORD written = 0;
    const bool ok = ::WriteFile(file.get(), content.data(), static_cast<DWORD>(content.size()),
                                &written, nullptr) &&
                    written == content.size();
    file.reset();
    if (!ok) {
        ::DeleteFileW(path.c_str());
        return make_error(
            launch_error::kSpawn,
            fmt::format("Could not write the one-time password file '{}'.", path.string()),
            path.string());
    }
    return path;
}

}  // namespace launcher_platform
}  // namespace helpline::client
