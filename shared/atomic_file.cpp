#include "shared/atomic_file.h"

#include <fmt/format.h>

namespace helpline {
namespace {

namespace fs = std::filesystem;

/// `error` under the code this file's callers know it by.
Error recoded(Error error, const char* code) {
    if (error.code != file_error::kNoSpace) error.code = code;  // a full disk stays said
    return error;
}

/// Makes `tmp` durable with `mode` and renames it over its target, then syncs the folder.
Status commit(TempFile& tmp, const fs::path& path, FileMode mode) {
    if (auto set = tmp.file().set_mode(mode); !set) return set;
    if (auto synced = tmp.file().sync(); !synced) return synced;
    if (auto moved = tmp.commit(); !moved) return recoded(moved.error(), file_error::kWrite);
    sync_folder(path.has_parent_path() ? path.parent_path() : fs::path("."));
    return Ok{};
}

}  // namespace

Status write_file_atomic(const fs::path& path, ByteView data, FileMode mode) {
    auto tmp = create_temp_beside(path);
    if (!tmp) return recoded(tmp.error(), file_error::kWrite);
    if (auto written = tmp->file().write_all(data); !written) return written;
    return commit(*tmp, path, mode);
}

Status copy_and_append_atomic(const fs::path& source, std::uint64_t source_length, ByteView tail,
                              const fs::path& path, FileMode mode,
                              const std::vector<BytePatch>& patches) {
    auto in = File::open_read(source);
    if (!in) return recoded(in.error(), file_error::kOpen);
    auto tmp = create_temp_beside(path);
    if (!tmp) return recoded(tmp.error(), file_error::kWrite);
    if (auto copied = copy_range(*in, tmp->file(), source_length); !copied)
        return recoded(copied.error(), file_error::kWrite);
    for (const BytePatch& patch : patches) {
        if (patch.offset + patch.bytes.size() > source_length)
            return make_error(file_error::kWrite,
                              fmt::format("Could not write '{}': a patch at {} goes past the {} "
                                          "bytes copied.",
                                          path.string(), patch.offset, source_length),
                              path.string());
        if (auto written = tmp->file().write_at(patch.bytes, patch.offset); !written)
            return written;
    }
    if (auto written = tmp->file().write_all(tail); !written) return written;
    return commit(*tmp, path, mode);
}

Result<Bytes> read_file(const fs::path& path, std::uint64_t max_size) {
    auto file = File::open_read(path);
    if (!file) return recoded(file.error(), file_error::kOpen);
    auto regular = file->is_regular_file();
    if (!regular) return recoded(regular.error(), file_error::kOpen);
    if (!*regular)
        return make_error(file_error::kOpen,
                          fmt::format("'{}' is not a regular file.", path.string()), path.string());
    auto size = file->size();
    if (!size) return recoded(size.error(), file_error::kOpen);
    if (*size > max_size)
        return make_error(
            "io.too_large",
            fmt::format("'{}' is {} bytes; the limit is {} bytes.", path.string(), *size, max_size),
            path.string());
    Bytes data(static_cast<std::size_t>(*size));
    std::size_t got = 0;
    while (got < data.size()) {
        auto n = file->read(std::span(data).subspan(got));
        if (!n) return n.error();
        if (*n == 0) break;
        got += *n;
    }
    if (got != data.size())
        return make_error(
            file_error::kRead,
            fmt::format("Could not read '{}': it became shorter while it was read.", path.string()),
            path.string());
    return data;
}

}  // namespace helpline
