#include "branding/tool/package_tree.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "shared/unique_fd.h"

namespace helpline::brand {

Status FileContent::for_each_piece(const std::function<Status(ByteView)>& sink) const {
    if (source_length > 0) {
        const UniqueFd fd(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
        if (fd.get() < 0)
            return make_error(
                "io.open",
                fmt::format("Could not open '{}': {}", source.string(), std::strerror(errno)),
                source.string());
        Bytes buffer(1 << 20);
        std::uint64_t offset = 0;
        while (offset < source_length) {
            const auto want = static_cast<std::size_t>(
                std::min<std::uint64_t>(buffer.size(), source_length - offset));
            const ssize_t n = ::pread(fd.get(), buffer.data(), want, static_cast<off_t>(offset));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0)
                return make_error(
                    "io.read",
                    fmt::format("Could not read '{}': {}", source.string(),
                                n == 0 ? "the file became shorter" : std::strerror(errno)),
                    source.string());
            if (auto s = sink(ByteView(buffer.data(), static_cast<std::size_t>(n))); !s) return s;
            offset += static_cast<std::uint64_t>(n);
        }
    }
    if (!data.empty()) return sink(data);
    return Ok{};
}

void PackageTree::add(TreeEntry entry) {
    add_parents(entry.path);
    std::string key = entry.path;
    if (entry.kind == TreeEntry::Kind::directory) key += '/';
    entries_[key] = std::move(entry);
}

void PackageTree::add_parents(const std::string& path) {
    for (std::size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
        const std::string dir = path.substr(0, slash);
        if (entries_.count(dir + '/') == 0)
            entries_[dir + '/'] = TreeEntry{TreeEntry::Kind::directory, dir, 0755, {}, {}};
    }
}

void PackageTree::add_file(const std::string& path, Bytes data, mode_t mode) {
    TreeEntry e{TreeEntry::Kind::file, path, mode, {}, {}};
    e.content.data = std::move(data);
    add(std::move(e));
}

void PackageTree::add_text(const std::string& path, std::string_view text, mode_t mode) {
    const ByteView bytes = as_bytes(text);
    add_file(path, Bytes(bytes.begin(), bytes.end()), mode);
}

void PackageTree::add_program(const std::string& path, FileContent content) {
    add(TreeEntry{TreeEntry::Kind::file, path, 0755, {}, std::move(content)});
}

void PackageTree::add_symlink(const std::string& path, const std::string& target) {
    add(TreeEntry{TreeEntry::Kind::symlink, path, 0777, target, {}});
}

std::vector<const TreeEntry*> PackageTree::entries() const {
    std::vector<const TreeEntry*> list;
    list.reserve(entries_.size());
    for (const auto& [key, entry] : entries_) list.push_back(&entry);
    return list;
}

const TreeEntry* PackageTree::find(const std::string& path) const {
    for (const auto& key : {path, path + '/'})
        if (auto it = entries_.find(key); it != entries_.end()) return &it->second;
    return nullptr;
}

}  // namespace helpline::brand
