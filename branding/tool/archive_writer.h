#pragma once
// Archives written with libarchive, into memory, deterministically: every entry gets the
// same mtime, owner root:root (0:0), the tree's sorted order, and compressed streams carry
// no timestamp. The .deb and the .tar.gz are built from these (deb_writer.h,
// package_command.cpp); nothing here hand-writes a tar, ar or gzip header.

#include <cstdint>
#include <string>
#include <vector>

#include "branding/tool/package_tree.h"
#include "shared/bytes.h"
#include "shared/result.h"

namespace helpline::brand {

enum class TarFormat { gnu, ustar };
enum class Compression { gzip, xz };

struct TarOptions {
    TarFormat format = TarFormat::gnu;
    Compression compression = Compression::gzip;
    int level = 9;            ///< gzip 1-9, xz 0-9
    std::int64_t mtime = 0;   ///< seconds since 1970 for every entry
    std::string prefix;       ///< put before every path: "./" (.deb) or "X-V/" (.tar.gz)
    bool root_entry = false;  ///< also list the prefix itself as a directory ("./")
};

/// The tree as a compressed tar.
Result<Bytes> write_tar(const PackageTree& tree, const TarOptions& options);

/// One member of an ar archive.
struct ArMember {
    std::string name;
    const Bytes* data = nullptr;
};
/// An ar archive (BSD variant, as dpkg reads it) of `members` in the given order, each
/// with mode 0644, owner 0:0 and `mtime`.
Result<Bytes> write_ar(const std::vector<ArMember>& members, std::int64_t mtime);

/// `data` gzip-compressed at level 9 with no name and no timestamp in the header (what
/// Debian wants for man pages and changelogs: gzip -9n).
Result<Bytes> gzip_bytes(ByteView data);

}  // namespace helpline::brand
