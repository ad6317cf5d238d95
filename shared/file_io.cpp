#include "shared/file_io.h"

#include <fmt/format.h>

#include <random>

// What POSIX and Windows share: temporary files are made with File::create_new() under
// random names on both (mkstemp's way, with O_CLOEXEC, which mkstemp lacks).

namespace helpline {

namespace fs = std::filesystem;

TempFile::~TempFile() {
    if (!owned_) return;
    file_ = File();  // closed first: Windows removes a name only when no handle has it open
    std::error_code ec;
    fs::remove(path_, ec);
}

TempFile::TempFile(TempFile&& other) noexcept
    : file_(std::move(other.file_)),
      path_(std::move(other.path_)),
      target_(std::move(other.target_)),
      owned_(std::exchange(other.owned_, false)) {}

Status TempFile::commit() {
    if (auto closed = file_.close(); !closed) return closed;
    if (auto moved = replace_file(path_, target_); !moved) return moved;
    owned_ = false;
    return Ok{};
}

Result<TempFile> create_temp_beside(const fs::path& target, std::string_view kind) {
    static constexpr std::string_view kLetters =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::random_device random;
    // 62^6 names: a clash is rare, a hundred in a row means something else is wrong.
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::string suffix = fmt::format(".{}-", kind);
        for (int i = 0; i < 6; ++i) suffix += kLetters[random() % kLetters.size()];
        fs::path name = ".";
        name += target.filename();  // path to path: no narrow-encoding round trip on Windows
        name += suffix;
        fs::path path = folder / name;
        auto file = File::create_named(path, 0600, target);
        if (file) return TempFile(std::move(*file), std::move(path), target);
        if (file.error().code != file_error::kExists) return file.error();
    }
    return make_error(file_error::kExists,
                      fmt::format("Could not create a temporary file beside '{}': every name "
                                  "tried was taken. Remove the files named '.{}.{}-*' there.",
                                  target.string(), target.filename().string(), kind),
                      target.string());
}

}  // namespace helpline
