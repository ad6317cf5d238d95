#include "shared/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace helpline {
namespace {

namespace fs = std::filesystem;

Error io_error(std::string code, const std::string& what, const fs::path& path, int err) {
    return make_error(std::move(code),
                      fmt::format("Could not {} '{}': {}", what, path.string(), std::strerror(err)),
                      path.string());
}

bool copy_range(int in, int out, std::uint64_t length) {
    bool kernel_copy = true;
    std::vector<std::uint8_t> buffer;
    while (length > 0) {
        if (kernel_copy) {
            const ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, length, 0);
            if (n > 0) {
                length -= static_cast<std::uint64_t>(n);
                continue;
            }
            if (n == 0) return false;  // source shorter than expected
            if (errno == EINTR) continue;
            if (errno != EXDEV && errno != ENOSYS && errno != EOPNOTSUPP && errno != EINVAL)
                return false;
            kernel_copy = false;
        }
        buffer.resize(1 << 20);
        const ssize_t n = ::read(in, buffer.data(), std::min<std::uint64_t>(length, buffer.size()));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        if (!write_all(out, buffer.data(), static_cast<std::size_t>(n))) return false;
        length -= static_cast<std::uint64_t>(n);
    }
    return true;
}

/// A temporary file beside the target, removed unless committed.
class TempFile {
public:
    explicit TempFile(const fs::path& target) {
        const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
        pattern_ = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
        fd_ = ::mkstemp(pattern_.data());
    }
    ~TempFile() {
        if (fd_ >= 0) ::close(fd_);
        if (!committed_ && fd_ != -2) ::unlink(pattern_.c_str());
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    int fd() const { return fd_; }
    const std::string& path() const { return pattern_; }

    Status commit(const fs::path& target, mode_t mode) {
        if (::fchmod(fd_, mode) != 0) return io_error("io.write", "set permissions of", pattern_, errno);
        if (::fsync(fd_) != 0) return io_error("io.write", "flush", pattern_, errno);
        const int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0) return io_error("io.write", "close", pattern_, errno);
        if (::rename(pattern_.c_str(), target.c_str()) != 0)
            return io_error("io.write", "rename into place", target, errno);
        committed_ = true;
        const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
        const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd >= 0) {
            ::fsync(dir_fd);  // best effort: the file itself is already durable
            ::close(dir_fd);
        }
        return Ok{};
    }

private:
    std::string pattern_;
    int fd_ = -1;
    bool committed_ = false;
};

}  // namespace

bool write_all(int fd, const void* data, std::size_t size) {
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd, bytes, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        bytes += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

Status write_file_atomic(const fs::path& path, ByteView data, mode_t mode) {
    TempFile tmp(path);
    if (tmp.fd() < 0) return io_error("io.write", "create a temporary file for", path, errno);
    if (!write_all(tmp.fd(), data.data(), data.size()))
        return io_error("io.write", "write", path, errno);
    return tmp.commit(path, mode);
}

Status copy_and_append_atomic(const fs::path& source, std::uint64_t source_length, ByteView tail,
                              const fs::path& path, mode_t mode,
                              const std::vector<BytePatch>& patches) {
    const int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) return io_error("io.open", "open", source, errno);
    TempFile tmp(path);
    if (tmp.fd() < 0) {
        const int err = errno;
        ::close(in);
        return io_error("io.write", "create a temporary file for", path, err);
    }
    const bool copied = copy_range(in, tmp.fd(), source_length);
    const int copy_errno = errno;
    ::close(in);
    if (!copied) return io_error("io.write", "copy the base executable into", path, copy_errno);
    for (const BytePatch& patch : patches) {
        if (patch.offset + patch.bytes.size() > source_length ||
            ::pwrite(tmp.fd(), patch.bytes.data(), patch.bytes.size(),
                     static_cast<off_t>(patch.offset)) != static_cast<ssize_t>(patch.bytes.size()))
            return io_error("io.write", "write", path, errno ? errno : EINVAL);
    }
    if (!write_all(tmp.fd(), tail.data(), tail.size()))
        return io_error("io.write", "write", path, errno);
    return tmp.commit(path, mode);
}

Result<Bytes> read_file(const fs::path& path, std::uint64_t max_size) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_error("io.open", "open", path, errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return make_error("io.open", fmt::format("'{}' is not a regular file.", path.string()),
                          path.string());
    }
    if (static_cast<std::uint64_t>(st.st_size) > max_size) {
        ::close(fd);
        return make_error("io.too_large",
                          fmt::format("'{}' is {} bytes; the limit is {} bytes.", path.string(),
                                      st.st_size, max_size),
                          path.string());
    }
    Bytes data(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < data.size()) {
        const ssize_t n = ::read(fd, data.data() + got, data.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    const int err = errno;
    ::close(fd);
    if (got != data.size()) return io_error("io.read", "read", path, err ? err : EIO);
    return data;
}

}  // namespace helpline
