#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <fstream>

#include "shared/pe_image.h"
#include "shared/stamp.h"

// Reading a stamp from a file, with the build's trusted-key policy. Apart from
// stamp.cpp so that programs that only sign or verify messages (the server) need not
// link a trusted-key list. Plain iostreams: the same code reads a stamp on Linux and on
// Windows, and it reads a few kilobytes.

namespace helpline {

namespace {

namespace fs = std::filesystem;

bool read_at(std::ifstream& in, std::uint8_t* out, std::size_t size, std::uint64_t offset) {
    in.clear();
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(size));
    return in && static_cast<std::size_t>(in.gcount()) == size;
}

struct OpenStamp {
    std::uint64_t end = 0;  ///< where the trailer ends: the file's end, or a signature's start
    StampLocation location;
};

/// A signer pads the file to 8 bytes before its certificate table (pe_image.h).
constexpr std::size_t kMaxSignerPadding = 7;

Result<OpenStamp> open_and_locate(std::ifstream& in, const fs::path& path) {
    if (!in)
        return make_error("io.open",
                          fmt::format("Could not open '{}': {}", path.string(), std::strerror(errno)),
                          path.string());
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        return make_error("io.open", fmt::format("'{}' is not a regular file.", path.string()),
                          path.string());
    const std::uint64_t size = fs::file_size(path, ec);
    if (ec)
        return make_error("io.open", fmt::format("Could not read the size of '{}'.", path.string()),
                          path.string());
    Bytes head(static_cast<std::size_t>(std::min<std::uint64_t>(size, kPeHeadSize)));
    if (!read_at(in, head.data(), head.size(), 0))
        return make_error("io.read", fmt::format("Could not read '{}'.", path.string()),
                          path.string());
    std::uint64_t end = pe_content_end(head, size);
    if (end != size) {  // signed: step back over the signer's padding, never over a footer
        std::uint8_t before[kMaxSignerPadding] = {};
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(end, sizeof before));
        if (!read_at(in, before, n, end - n))
            return make_error("io.read", fmt::format("Could not read '{}'.", path.string()),
                              path.string());
        for (std::size_t i = n; i > 0 && before[i - 1] == 0; --i) --end;
    }
    std::uint8_t footer[kStampFooterSize];
    if (end < kStampFooterSize || !read_at(in, footer, sizeof footer, end - sizeof footer))
        return make_error(stamp_error::kNotStamped, "No branding stamp found at the end of the file.",
                          path.string());
    auto loc = locate_stamp(ByteView(footer, sizeof footer), end);
    if (!loc) {
        Error e = loc.error();
        e.where = path.string();
        return e;
    }
    return OpenStamp{end, *loc};
}

}  // namespace

Result<StampLocation> read_stamp_location(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    auto open = open_and_locate(in, path);
    if (!open) return open.error();
    return open->location;
}

Result<StampContent> read_stamp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    auto open = open_and_locate(in, path);
    if (!open) return open.error();
    Bytes trailer(open->end - open->location.offset);
    if (!read_at(in, trailer.data(), trailer.size(), open->location.offset))
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
