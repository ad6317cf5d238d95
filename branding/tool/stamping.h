#pragma once
// What `stamp` and `package` share: checking a base program before it is stamped.

#include <cstdint>
#include <filesystem>

#include "shared/result.h"

namespace helpline::brand {

/// A base program that may be stamped, and how many of its bytes are the program itself
/// (the whole file, or the part before the stamp that `restamp` replaces).
struct StampBase {
    std::filesystem::path path;
    std::uint64_t program_size = 0;
};

/// Checks that `client` is an executable (ELF, PE or Mach-O) without a stamp, or with an
/// intact one when `restamp`; the error message says what is wrong and what to do.
Result<StampBase> check_stamp_base(const std::filesystem::path& client, bool restamp);

}  // namespace helpline::brand
