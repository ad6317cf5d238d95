#pragma once
// The files of a package before they are archived: paths, modes, symlinks and contents.
// One tree is laid out for the .deb and one for the .tar.gz (package_layout.h); the
// archive writers only walk them, in the tree's sorted order.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "shared/bytes.h"
#include "shared/result.h"

namespace helpline::brand {

/// A file's bytes: the first `source_length` bytes of `source` (a base program, read when
/// the archive is written rather than held in memory), followed by `data`.
struct FileContent {
    std::filesystem::path source;
    std::uint64_t source_length = 0;
    Bytes data;

    std::uint64_t size() const { return source_length + data.size(); }
    /// Calls `sink` with the content in order, in pieces of at most 1 MiB.
    Status for_each_piece(const std::function<Status(ByteView)>& sink) const;
};

struct TreeEntry {
    enum class Kind { directory, file, symlink };
    Kind kind = Kind::file;
    std::string path;         ///< relative, '/'-separated, no leading "./" or '/': "usr/bin/x"
    mode_t mode = 0644;       ///< permission bits only
    std::string link_target;  ///< symlinks
    FileContent content;      ///< files
};

/// A set of entries keyed by path; parents are added as 0755 directories, so every
/// directory an archive lists comes before what it holds.
class PackageTree {
  public:
    void add_file(const std::string& path, Bytes data, mode_t mode = 0644);
    void add_text(const std::string& path, std::string_view text, mode_t mode = 0644);
    void add_program(const std::string& path, FileContent content);  ///< mode 0755
    void add_symlink(const std::string& path, const std::string& target);

    /// Every entry, directories included, sorted by path (a directory sorts before what it
    /// holds because its key is a prefix of theirs).
    std::vector<const TreeEntry*> entries() const;
    const TreeEntry* find(const std::string& path) const;

  private:
    void add(TreeEntry entry);
    void add_parents(const std::string& path);
    /// key: the path, with a '/' after directories
    std::map<std::string, TreeEntry> entries_;
};

}  // namespace helpline::brand
