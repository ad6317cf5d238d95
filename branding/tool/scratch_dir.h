#pragma once
// A private folder under $TMPDIR for the files a helper program (rsvg-convert, icotool,
// makensis, 7z) reads or writes, removed with everything in it at scope end.

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace helpline::brand {

class ScratchDir {
  public:
    /// path() is empty when the folder could not be made.
    ScratchDir() {
        std::error_code ec;
        std::string pattern =
            (std::filesystem::temp_directory_path(ec) / "helpline-brand-XXXXXX").string();
        if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
    }
    ~ScratchDir() {
        std::error_code ec;
        if (!path_.empty()) std::filesystem::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

}  // namespace helpline::brand
