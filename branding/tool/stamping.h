#pragma once
// What `stamp` and `package` share: checking a base program before it is stamped.

#include <cstdint>
#include <filesystem>

#include "shared/atomic_file.h"
#include "shared/result.h"

namespace helpline::brand {

/// A base program that may be stamped, and how many of its bytes are the program itself
/// (the whole file, or the part before the stamp that `restamp` replaces).
struct StampBase {
    std::filesystem::path path;
    std::uint64_t program_size = 0;
    /// A signed Windows program: stamping removes its Authenticode signature (the table is
    /// left out of program_size, these bytes clear its directory entry). Sign after stamping.
    std::vector<BytePatch> unsign;
};

/// Checks that `client` is an executable (ELF, PE or Mach-O) without a stamp, or with an
/// intact one when `restamp`; the error message says what is wrong and what to do. A signed
/// Windows program is taken without its signature (`unsign`).
Result<StampBase> check_stamp_base(const std::filesystem::path& client, bool restamp);

}  // namespace helpline::brand
