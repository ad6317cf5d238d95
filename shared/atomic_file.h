#pragma once
// Files that are either wholly written or not there at all: a temporary file in the
// same folder, fsync, rename over the target, fsync of the folder (shared/file_io.h).

#include <filesystem>
#include <vector>

#include "shared/bytes.h"
#include "shared/file_io.h"
#include "shared/result.h"

namespace helpline {

/// Writes `data` to `path` atomically with the given permission bits.
Status write_file_atomic(const std::filesystem::path& path, ByteView data, FileMode mode = 0644);

/// Bytes to write over a copy at `offset` (within the copied part).
struct BytePatch {
    std::uint64_t offset = 0;
    Bytes bytes;
};

/// Copies the first `source_length` bytes of `source`, writes `patches` over the copy, then
/// appends `tail`, atomically, to `path` with `mode`: the branded build is never seen
/// half-written. Copies in the kernel where it can.
Status copy_and_append_atomic(const std::filesystem::path& source, std::uint64_t source_length,
                              ByteView tail, const std::filesystem::path& path, FileMode mode,
                              const std::vector<BytePatch>& patches = {});

/// Reads a whole file, refusing files larger than `max_size`.
Result<Bytes> read_file(const std::filesystem::path& path, std::uint64_t max_size);

}  // namespace helpline
