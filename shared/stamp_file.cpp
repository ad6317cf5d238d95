#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "shared/stamp.h"
#include "shared/unique_fd.h"

// Reading a stamp from a file, with the build's trusted-key policy. Apart from
// stamp.cpp so that programs that only sign or verify messages (the server) need not
// link a trusted-key list.

namespace helpline {

namespace {

using Fd = UniqueFd;

bool pread_all(int fd, std::uint8_t* out, std::size_t size, std::uint64_t offset) {
    while (size > 0) {
        const ssize_t n = ::pread(fd, out, size, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        out += n;
        size -= static_cast<std::size_t>(n);
        offset += static_cast<std::uint64_t>(n);
    }
    return true;
}

struct OpenStamp {
    std::uint64_t size = 0;
    StampLocation location;
};

Result<OpenStamp> open_and_locate(const Fd& fd, const std::filesystem::path& path) {
    if (fd.get() < 0)
        return make_error("io.open",
                          fmt::format("Could not open '{}': {}", path.string(), std::strerror(errno)),
                          path.string());
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        return make_error("io.open", fmt::format("'{}' is not a regular file.", path.string()),
                          path.string());
    const auto size = static_cast<std::uint64_t>(st.st_size);
    std::uint8_t footer[kStampFooterSize];
    if (size < kStampFooterSize || !pread_all(fd.get(), footer, sizeof footer, size - sizeof footer))
        return make_error(stamp_error::kNotStamped, "No branding stamp found at the end of the file.",
                          path.string());
    auto loc = locate_stamp(ByteView(footer, sizeof footer), size);
    if (!loc) {
        Error e = loc.error();
        e.where = path.string();
        return e;
    }
    return OpenStamp{size, *loc};
}

}  // namespace

Result<StampLocation> read_stamp_location(const std::filesystem::path& path) {
    const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    auto open = open_and_locate(fd, path);
    if (!open) return open.error();
    return open->location;
}

Result<StampContent> read_stamp(const std::filesystem::path& path) {
    const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    auto open = open_and_locate(fd, path);
    if (!open) return open.error();
    Bytes trailer(open->size - open->location.offset);
    if (!pread_all(fd.get(), trailer.data(), trailer.size(), open->location.offset))
        return make_error("io.read", fmt::format("Could not read '{}'.", path.string()),
                          path.string());
    auto content = parse_stamp(trailer, open->location);
    if (!content) {
        Error e = content.error();
        e.where = path.string();
        return e;
    }
    if (auto trusted = verify_trusted(content->key, trusted_stamp_keys()); !trusted)
        return trusted.error();
    return content;
}

}  // namespace helpline
