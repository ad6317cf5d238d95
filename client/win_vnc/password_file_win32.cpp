#include <windows.h>

#include <fmt/format.h>

#include "client/core/win32_util.h"
#include "client/win_vnc/password_file.h"

namespace helpline::win_vnc {

namespace {

using client::win32::UniqueHandle;

/// A password file is one short line; anything much longer is not one.
constexpr DWORD kMaxFileSize = 4096;
constexpr std::size_t kVncPasswordMax = 8;

Error refused(const std::filesystem::path& path, const std::string& what) {
    const std::string name = client::win32::to_utf8(path.native());
    return make_error("password_file",
                      fmt::format("The password file '{}' {}. The Helpline client writes a new "
                                  "one for each session and passes it with --password-file.",
                                  name, what),
                      name);
}

}  // namespace

Result<std::string> take_password_file(const std::filesystem::path& path) {
    // FILE_FLAG_OPEN_REPARSE_POINT: a symbolic link or junction in its place is opened as
    // itself (and refused below), never followed. DELETE access to delete it as it is read.
    UniqueHandle file(::CreateFileW(path.c_str(), GENERIC_READ | DELETE,
                                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                    nullptr, OPEN_EXISTING,
                                    FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
    if (!file.valid())
        return refused(path, fmt::format("cannot be opened ({})",
                                         client::win32::last_error_text()));
    BY_HANDLE_FILE_INFORMATION info{};
    if (!::GetFileInformationByHandle(file.get(), &info))
        return refused(path, fmt::format("cannot be examined ({})",
                                         client::win32::last_error_text()));
    if ((info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0)
        return refused(path, "is a symbolic link or junction");
    if ((info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0 ||
        ::GetFileType(file.get()) != FILE_TYPE_DISK)
        return refused(path, "is not a regular file");
    // Ours: deleted when the handle closes, whatever follows.
    FILE_DISPOSITION_INFO disposition{TRUE};
    if (!::SetFileInformationByHandle(file.get(), FileDispositionInfo, &disposition,
                                      sizeof disposition))
        return refused(path, fmt::format("cannot be deleted ({})",
                                         client::win32::last_error_text()));

    std::string text;
    char buffer[512];
    while (text.size() <= kMaxFileSize) {
        DWORD read = 0;
        if (!::ReadFile(file.get(), buffer, sizeof buffer, &read, nullptr))
            return refused(path, fmt::format("cannot be read ({})",
                                             client::win32::last_error_text()));
        if (read == 0) break;
        text.append(buffer, read);
    }
    const auto end = text.find_first_of("\r\n");
    std::string password = text.substr(0, end == std::string::npos ? text.size() : end);
    if (password.empty()) return refused(path, "is empty (no password on its first line)");
    if (password.size() > kVncPasswordMax) password.resize(kVncPasswordMax);
    return password;
}

}  // namespace helpline::win_vnc
