// shared/file_io.h on Windows: handles from CreateFileW, not inheritable (no
// SECURITY_ATTRIBUTES), shared for reading, writing and deleting as POSIX files are. There are
// no permission bits to set: the client's files are private by the ACL of the per-user
// profile folders they live in (%LOCALAPPDATA%, %APPDATA%), which a new file inherits.

#include <fmt/format.h>
#include <windows.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "shared/file_io.h"
#include "shared/win32_text.h"

namespace helpline {

namespace fs = std::filesystem;

namespace {

constexpr DWORD kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
/// The most one ReadFile or WriteFile is asked to move (its count is a DWORD).
constexpr std::size_t kMaxTransfer = 1U << 30;

HANDLE handle_of(std::intptr_t native) {
    return reinterpret_cast<HANDLE>(native);
}

std::intptr_t native_of(HANDLE handle) {
    return reinterpret_cast<std::intptr_t>(handle);
}

using win32::error_text;
using win32::to_utf8;

std::string text_of(const fs::path& path) {
    return to_utf8(path.native());
}

Error failure(const char* code, std::string_view what, const fs::path& path, DWORD err) {
    if (err == ERROR_DISK_FULL || err == ERROR_HANDLE_DISK_FULL) code = file_error::kNoSpace;
    return make_error(code,
                      fmt::format("Could not {} '{}': {}", what, text_of(path), error_text(err)),
                      text_of(path));
}

/// A CreateFileW error: a missing file (or folder on its way) and a taken name have their
/// own codes.
Error open_failure(std::string_view what, const fs::path& name, DWORD err) {
    const char* code =
        err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND ? file_error::kNotFound
        : err == ERROR_FILE_EXISTS || err == ERROR_ALREADY_EXISTS  ? file_error::kExists
                                                                   : file_error::kOpen;
    return failure(code, what, name, err);
}

HANDLE create_file(const fs::path& path, DWORD access, DWORD disposition, DWORD flags = 0) {
    return ::CreateFileW(path.c_str(), access, kShareAll, nullptr, disposition,
                         FILE_ATTRIBUTE_NORMAL | flags, nullptr);
}

/// A handle closed at scope end, for the ones that are not a File.
struct ScopedHandle {
    explicit ScopedHandle(HANDLE handle) : h(handle) {}
    ~ScopedHandle() {
        if (h != INVALID_HANDLE_VALUE) ::CloseHandle(h);
    }
    ScopedHandle(const ScopedHandle&) = delete;
    ScopedHandle& operator=(const ScopedHandle&) = delete;
    HANDLE h;
};

OVERLAPPED at_offset(std::uint64_t offset) {
    OVERLAPPED at{};
    at.Offset = static_cast<DWORD>(offset & 0xFFFFFFFFU);
    at.OffsetHigh = static_cast<DWORD>(offset >> 32);
    return at;
}

/// ReadFile and WriteFile at an offset move a synchronous handle's position (pread and
/// pwrite do not): it is put back where it was at scope end.
class KeepPosition {
  public:
    explicit KeepPosition(HANDLE h) : h_(h) {
        ok_ = ::SetFilePointerEx(h_, LARGE_INTEGER{}, &position_, FILE_CURRENT) != 0;
    }
    ~KeepPosition() {
        if (ok_) ::SetFilePointerEx(h_, position_, nullptr, FILE_BEGIN);
    }
    KeepPosition(const KeepPosition&) = delete;
    KeepPosition& operator=(const KeepPosition&) = delete;
    bool ok() const { return ok_; }

  private:
    HANDLE h_;
    LARGE_INTEGER position_{};
    bool ok_ = false;
};

}  // namespace

File::~File() {
    if (is_open()) ::CloseHandle(handle_of(native_));
}

File::File(File&& other) noexcept
    : native_(std::exchange(other.native_, kNone)), name_(std::move(other.name_)) {}

File& File::operator=(File&& other) noexcept {
    if (this != &other) {
        if (is_open()) ::CloseHandle(handle_of(native_));
        native_ = std::exchange(other.native_, kNone);
        name_ = std::move(other.name_);
    }
    return *this;
}

Result<File> File::open_read(const fs::path& path) {
    const HANDLE h = create_file(path, GENERIC_READ, OPEN_EXISTING);
    if (h == INVALID_HANDLE_VALUE) return open_failure("open", path, ::GetLastError());
    return File(native_of(h), path);
}

Result<File> File::create_new(const fs::path& path, FileMode mode) {
    return create_named(path, mode, path);
}

Result<File> File::create_named(const fs::path& path, FileMode /*mode*/, const fs::path& name) {
    const HANDLE h = create_file(path, GENERIC_READ | GENERIC_WRITE, CREATE_NEW);
    if (h == INVALID_HANDLE_VALUE) return open_failure("create", name, ::GetLastError());
    return File(native_of(h), name);
}

// FILE_APPEND_DATA without FILE_WRITE_DATA: every write goes to the end of the file, as
// with O_APPEND. FILE_READ_ATTRIBUTES for size(), SYNCHRONIZE for synchronous I/O (both are
// in GENERIC_READ).
Result<File> File::open_append(const fs::path& path, FileMode /*mode*/) {
    const HANDLE h =
        create_file(path, FILE_APPEND_DATA | FILE_READ_ATTRIBUTES | SYNCHRONIZE, OPEN_ALWAYS);
    if (h == INVALID_HANDLE_VALUE) return open_failure("open", path, ::GetLastError());
    return File(native_of(h), path);
}

Result<File> File::open_read_append(const fs::path& path, FileMode /*mode*/) {
    const HANDLE h = create_file(path, GENERIC_READ | FILE_APPEND_DATA, OPEN_ALWAYS);
    if (h == INVALID_HANDLE_VALUE) return open_failure("open", path, ::GetLastError());
    return File(native_of(h), path);
}

Result<std::size_t> File::read(std::span<std::uint8_t> buffer) {
    DWORD n = 0;
    const auto want = static_cast<DWORD>(std::min(buffer.size(), kMaxTransfer));
    if (::ReadFile(handle_of(native_), buffer.data(), want, &n, nullptr) != 0) return n;
    const DWORD err = ::GetLastError();
    if (err == ERROR_HANDLE_EOF || err == ERROR_BROKEN_PIPE) return std::size_t{0};
    return failure(file_error::kRead, "read", name_, err);
}

Result<std::size_t> File::read_at(std::span<std::uint8_t> buffer, std::uint64_t offset) {
    const HANDLE h = handle_of(native_);
    const KeepPosition keep(h);
    if (!keep.ok()) return failure(file_error::kRead, "read", name_, ::GetLastError());
    OVERLAPPED at = at_offset(offset);
    DWORD n = 0;
    const auto want = static_cast<DWORD>(std::min(buffer.size(), kMaxTransfer));
    if (::ReadFile(h, buffer.data(), want, &n, &at) != 0) return n;
    const DWORD err = ::GetLastError();
    if (err == ERROR_HANDLE_EOF) return std::size_t{0};
    return failure(file_error::kRead, "read", name_, err);
}

Status File::write_all(ByteView data) {
    while (!data.empty()) {
        DWORD n = 0;
        const auto want = static_cast<DWORD>(std::min(data.size(), kMaxTransfer));
        if (::WriteFile(handle_of(native_), data.data(), want, &n, nullptr) == 0)
            return failure(file_error::kWrite, "write", name_, ::GetLastError());
        if (n == 0) return failure(file_error::kWrite, "write", name_, ERROR_WRITE_FAULT);
        data = data.subspan(n);
    }
    return Ok{};
}

Status File::write_at(ByteView data, std::uint64_t offset) {
    const HANDLE h = handle_of(native_);
    const KeepPosition keep(h);
    if (!keep.ok()) return failure(file_error::kWrite, "write", name_, ::GetLastError());
    while (!data.empty()) {
        OVERLAPPED at = at_offset(offset);
        DWORD n = 0;
        const auto want = static_cast<DWORD>(std::min(data.size(), kMaxTransfer));
        if (::WriteFile(h, data.data(), want, &n, &at) == 0)
            return failure(file_error::kWrite, "write", name_, ::GetLastError());
        if (n == 0) return failure(file_error::kWrite, "write", name_, ERROR_WRITE_FAULT);
        data = data.subspan(n);
        offset += n;
    }
    return Ok{};
}

Result<std::uint64_t> File::size() const {
    LARGE_INTEGER size{};
    if (::GetFileSizeEx(handle_of(native_), &size) == 0)
        return failure(file_error::kRead, "examine", name_, ::GetLastError());
    return static_cast<std::uint64_t>(size.QuadPart);
}

Result<bool> File::is_regular_file() const {
    const HANDLE h = handle_of(native_);
    const DWORD type = ::GetFileType(h);
    if (const DWORD err = ::GetLastError(); type == FILE_TYPE_UNKNOWN && err != NO_ERROR)
        return failure(file_error::kRead, "examine", name_, err);
    if (type != FILE_TYPE_DISK) return false;  // a console, a pipe, a device
    FILE_STANDARD_INFO info{};
    if (::GetFileInformationByHandleEx(h, FileStandardInfo, &info, sizeof info) == 0)
        return failure(file_error::kRead, "examine", name_, ::GetLastError());
    return info.Directory == FALSE;
}

Status File::set_mode(FileMode /*mode*/) {
    return Ok{};  // no permission bits: the folder's ACL decides (see the top of this file)
}

Status File::sync() {
    if (::FlushFileBuffers(handle_of(native_)) == 0)
        return failure(file_error::kWrite, "flush", name_, ::GetLastError());
    return Ok{};
}

Status File::lock(FileLock kind) {
    OVERLAPPED whole{};  // from offset 0, for the largest length there is
    const DWORD flags = kind == FileLock::exclusive ? LOCKFILE_EXCLUSIVE_LOCK : 0;
    if (::LockFileEx(handle_of(native_), flags, 0, MAXDWORD, MAXDWORD, &whole) == 0)
        return failure(file_error::kLock, "lock", name_, ::GetLastError());
    return Ok{};
}

Status File::close() {
    if (!is_open()) return Ok{};
    if (::CloseHandle(handle_of(std::exchange(native_, kNone))) == 0)
        return failure(file_error::kWrite, "write", name_, ::GetLastError());
    return Ok{};
}

namespace {

/// FileRenameInfoEx (Windows 10 1607), which mingw-w64's headers hide behind a wrong version
/// test (_WIN32_WINNT >= 0x0A000002).
constexpr auto kFileRenameInfoEx = static_cast<FILE_INFO_BY_HANDLE_CLASS>(22);

/// A rename with POSIX semantics (Windows 10 1607 and later, on NTFS): a replaced file that
/// another program has open — sharing it for deletion, as File does — goes on existing for
/// it, nameless, instead of failing the rename.
DWORD posix_rename(const fs::path& from, const fs::path& to) {
    const ScopedHandle source(create_file(from, DELETE | SYNCHRONIZE, OPEN_EXISTING));
    if (source.h == INVALID_HANDLE_VALUE) return ::GetLastError();
    std::error_code ec;
    const std::wstring target = fs::absolute(to, ec).native();
    if (ec) return ERROR_INVALID_NAME;
    const std::size_t name_bytes = target.size() * sizeof(wchar_t);
    // FILE_RENAME_INFO ends in the name, of any length; the vector of 64-bit words aligns it.
    std::vector<std::uint64_t> storage(
        (offsetof(FILE_RENAME_INFO, FileName) + name_bytes + sizeof(wchar_t)) / 8 + 1);
    auto* info = reinterpret_cast<FILE_RENAME_INFO*>(storage.data());
    info->Flags = FILE_RENAME_FLAG_REPLACE_IF_EXISTS | FILE_RENAME_FLAG_POSIX_SEMANTICS;
    info->RootDirectory = nullptr;
    info->FileNameLength = static_cast<DWORD>(name_bytes);
    std::memcpy(info->FileName, target.data(), name_bytes);
    if (::SetFileInformationByHandle(source.h, kFileRenameInfoEx, info,
                                     static_cast<DWORD>(storage.size() * 8)) == 0)
        return ::GetLastError();
    return NO_ERROR;
}

}  // namespace

Status replace_file(const fs::path& from, const fs::path& to) {
    if (::MoveFileExW(from.c_str(), to.c_str(),
                      MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH) != 0)
        return Ok{};
    const DWORD err = ::GetLastError();
    // Denied: most often `to` is open elsewhere, which only a POSIX-semantics rename allows
    // (MoveFileExW does not use them). Older systems and other file systems do not have it:
    // then MoveFileExW's answer stands.
    if ((err == ERROR_ACCESS_DENIED || err == ERROR_SHARING_VIOLATION) &&
        posix_rename(from, to) == NO_ERROR)
        return Ok{};
    return make_error(file_error::kRename,
                      fmt::format("Could not rename '{}' to '{}': {}", text_of(from), text_of(to),
                                  error_text(err)),
                      text_of(to));
}

void sync_folder(const fs::path& /*folder*/) {
    // Nothing: NTFS journals the changes to names, and FlushFileBuffers is for files and
    // volumes, not folders.
}

Status copy_range(File& in, File& out, std::uint64_t length) {
    const std::uint64_t total = length;
    std::vector<std::uint8_t> buffer(std::min<std::uint64_t>(length, 1 << 20));
    while (length > 0) {
        auto n = in.read(std::span(buffer.data(), std::min<std::uint64_t>(length, buffer.size())));
        if (!n) return n.error();
        if (*n == 0)
            return make_error(file_error::kRead,
                              fmt::format("'{}' ended before its first {} bytes were copied.",
                                          text_of(in.name()), total),
                              text_of(in.name()));
        if (auto written = out.write_all(ByteView(buffer.data(), *n)); !written) return written;
        length -= *n;
    }
    return Ok{};
}

}  // namespace helpline
