// shared/file_io.h on POSIX: descriptors, always O_CLOEXEC (a program the client starts
// inherits none of its files).

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "shared/file_io.h"

namespace helpline {

namespace fs = std::filesystem;

namespace {

Error failure(const char* code, std::string_view what, const fs::path& path, int err) {
    if (err == ENOSPC || err == EDQUOT) code = file_error::kNoSpace;
    return make_error(code,
                      fmt::format("Could not {} '{}': {}", what, path.string(), std::strerror(err)),
                      path.string());
}

/// An open(2) error: a missing file and a taken name have their own codes.
Error open_failure(std::string_view what, const fs::path& name, int err) {
    const char* code = err == ENOENT   ? file_error::kNotFound
                       : err == EEXIST ? file_error::kExists
                                       : file_error::kOpen;
    return failure(code, what, name, err);
}

/// open(2) with O_CLOEXEC, again after EINTR; -1 with errno set on failure.
int open_fd(const fs::path& path, int flags, FileMode mode) {
    while (true) {
        const int fd = ::open(path.c_str(), flags | O_CLOEXEC, static_cast<mode_t>(mode));
        if (fd >= 0 || errno != EINTR) return fd;
    }
}

int fd_of(std::intptr_t native) {
    return static_cast<int>(native);
}

Result<struct stat> stat_of(std::intptr_t native, const fs::path& name) {
    struct stat st {};
    if (::fstat(fd_of(native), &st) != 0) return failure(file_error::kRead, "examine", name, errno);
    return st;
}

}  // namespace

File::~File() {
    if (is_open()) ::close(fd_of(native_));
}

File::File(File&& other) noexcept
    : native_(std::exchange(other.native_, kNone)), name_(std::move(other.name_)) {}

File& File::operator=(File&& other) noexcept {
    if (this != &other) {
        if (is_open()) ::close(fd_of(native_));
        native_ = std::exchange(other.native_, kNone);
        name_ = std::move(other.name_);
    }
    return *this;
}

Result<File> File::open_read(const fs::path& path) {
    const int fd = open_fd(path, O_RDONLY | O_NONBLOCK, 0);
    if (fd < 0) return open_failure("open", path, errno);
    return File(fd, path);
}

Result<File> File::create_new(const fs::path& path, FileMode mode) {
    return create_named(path, mode, path);
}

Result<File> File::create_named(const fs::path& path, FileMode mode, const fs::path& name) {
    const int fd = open_fd(path, O_RDWR | O_CREAT | O_EXCL, mode);
    if (fd < 0) return open_failure("create", name, errno);
    return File(fd, name);
}

Result<File> File::open_append(const fs::path& path, FileMode mode) {
    const int fd = open_fd(path, O_WRONLY | O_CREAT | O_APPEND, mode);
    if (fd < 0) return open_failure("open", path, errno);
    return File(fd, path);
}

Result<File> File::open_read_append(const fs::path& path, FileMode mode) {
    const int fd = open_fd(path, O_RDWR | O_CREAT | O_APPEND, mode);
    if (fd < 0) return open_failure("open", path, errno);
    return File(fd, path);
}

Result<std::size_t> File::read(std::span<std::uint8_t> buffer) {
    while (true) {
        const ssize_t n = ::read(fd_of(native_), buffer.data(), buffer.size());
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno != EINTR) return failure(file_error::kRead, "read", name_, errno);
    }
}

Result<std::size_t> File::read_at(std::span<std::uint8_t> buffer, std::uint64_t offset) {
    while (true) {
        const ssize_t n =
            ::pread(fd_of(native_), buffer.data(), buffer.size(), static_cast<off_t>(offset));
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno != EINTR) return failure(file_error::kRead, "read", name_, errno);
    }
}

Status File::write_all(ByteView data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd_of(native_), data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return failure(file_error::kWrite, "write", name_, n < 0 ? errno : EIO);
        data = data.subspan(static_cast<std::size_t>(n));
    }
    return Ok{};
}

Status File::write_at(ByteView data, std::uint64_t offset) {
    while (!data.empty()) {
        const ssize_t n =
            ::pwrite(fd_of(native_), data.data(), data.size(), static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return failure(file_error::kWrite, "write", name_, n < 0 ? errno : EIO);
        data = data.subspan(static_cast<std::size_t>(n));
        offset += static_cast<std::uint64_t>(n);
    }
    return Ok{};
}

Result<std::uint64_t> File::size() const {
    auto st = stat_of(native_, name_);
    if (!st) return st.error();
    return static_cast<std::uint64_t>(st->st_size);
}

Result<bool> File::is_regular_file() const {
    auto st = stat_of(native_, name_);
    if (!st) return st.error();
    return S_ISREG(st->st_mode);
}

Status File::set_mode(FileMode mode) {
    if (::fchmod(fd_of(native_), static_cast<mode_t>(mode)) != 0)
        return failure(file_error::kWrite, "set the permissions of", name_, errno);
    return Ok{};
}

Status File::sync() {
    if (::fsync(fd_of(native_)) != 0) return failure(file_error::kWrite, "flush", name_, errno);
    return Ok{};
}

Status File::lock(FileLock kind) {
    const int operation = kind == FileLock::exclusive ? LOCK_EX : LOCK_SH;
    while (::flock(fd_of(native_), operation) != 0)
        if (errno != EINTR) return failure(file_error::kLock, "lock", name_, errno);
    return Ok{};
}

Status File::close() {
    if (!is_open()) return Ok{};
    // Not again after EINTR: Linux has released the descriptor whatever close() returns.
    if (::close(fd_of(std::exchange(native_, kNone))) != 0)
        return failure(file_error::kWrite, "write", name_, errno);
    return Ok{};
}

Status replace_file(const fs::path& from, const fs::path& to) {
    if (::rename(from.c_str(), to.c_str()) != 0) {
        const int err = errno;
        return make_error(file_error::kRename,
                          fmt::format("Could not rename '{}' to '{}': {}", from.string(),
                                      to.string(), std::strerror(err)),
                          to.string());
    }
    return Ok{};
}

void sync_folder(const fs::path& folder) {
    const int fd = open_fd(folder, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) return;
    ::fsync(fd);  // best effort: the files themselves are already durable
    ::close(fd);
}

Status copy_range(File& in, File& out, std::uint64_t length) {
    const std::uint64_t total = length;
    const auto ended = [&] {
        return make_error(file_error::kRead,
                          fmt::format("'{}' ended before its first {} bytes were copied.",
                                      in.name().string(), total),
                          in.name().string());
    };
    bool kernel_copy = true;  // copy_file_range: no round trip through this process
    std::vector<std::uint8_t> buffer;
    while (length > 0) {
        if (kernel_copy) {
            const ssize_t n = ::copy_file_range(fd_of(in.native_), nullptr, fd_of(out.native_),
                                                nullptr, static_cast<std::size_t>(length), 0);
            if (n > 0) {
                length -= static_cast<std::uint64_t>(n);
                continue;
            }
            if (n == 0) return ended();
            if (errno == EINTR) continue;
            // Not between these two files (another file system, an old kernel): by hand.
            if (errno != EXDEV && errno != ENOSYS && errno != EOPNOTSUPP && errno != EINVAL)
                return failure(file_error::kWrite, "copy into", out.name(), errno);
            kernel_copy = false;
        }
        buffer.resize(1 << 20);
        auto n = in.read(std::span(buffer.data(), std::min<std::uint64_t>(length, buffer.size())));
        if (!n) return n.error();
        if (*n == 0) return ended();
        if (auto written = out.write_all(ByteView(buffer.data(), *n)); !written) return written;
        length -= *n;
    }
    return Ok{};
}

}  // namespace helpline
