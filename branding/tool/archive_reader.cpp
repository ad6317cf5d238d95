#include "branding/tool/archive_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <memory>

#include "branding/tool/nsis_reader.h"

namespace helpline::brand {
namespace {

namespace fs = std::filesystem;

/// No program of ours comes near this; a bigger entry is not read into memory.
constexpr la_int64_t kMaxProgramSize = 512LL * 1024 * 1024;
constexpr std::size_t kReadBlock = std::size_t{64} * 1024;

struct ReadDeleter {
    void operator()(archive* a) const { archive_read_free(a); }
};
using ReadArchive = std::unique_ptr<archive, ReadDeleter>;

Error read_error(archive* a, const fs::path& file, std::string_view part) {
    const char* detail = archive_error_string(a);
    return make_error("archive.read",
                      fmt::format("Could not read {}{}: {}", file.string(), part,
                                  detail != nullptr ? detail : "not an archive libarchive knows"),
                      file.string());
}

/// Reads the current entry's data whole.
Result<Bytes> read_entry(archive* a, archive_entry* e, const fs::path& file) {
    const la_int64_t size = std::max<la_int64_t>(archive_entry_size(e), 0);
    if (size > kMaxProgramSize)
        return make_error("archive.read", fmt::format("{}: '{}' is too large to check.",
                                                      file.string(), archive_entry_pathname(e)));
    Bytes data(static_cast<std::size_t>(size));
    std::size_t got = 0;
    while (got < data.size()) {
        const la_ssize_t n = archive_read_data(a, data.data() + got, data.size() - got);
        if (n < 0) return read_error(a, file, "");
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    data.resize(got);
    return data;
}

bool is_elf(const Bytes& data) {
    return data.size() >= 4 && data[0] == 0x7F && data[1] == 'E' && data[2] == 'L' &&
           data[3] == 'F';
}

std::string clean_path(const char* name) {
    std::string path = name != nullptr ? name : "";
    if (path.starts_with("./")) path.erase(0, 2);
    return path;
}

/// Backends live in libexec/ beside the brand's bin/ (package_layout.cpp).
bool is_backend_path(std::string_view path) {
    return path.starts_with("libexec/") || path.find("/libexec/") != std::string_view::npos;
}

/// The tar being read from the current entry of `outer` (a .deb's member).
struct NestedSource {
    archive* outer;
    char buffer[64 * 1024];
};

la_ssize_t read_nested(archive*, void* client, const void** buffer) {
    auto* source = static_cast<NestedSource*>(client);
    *buffer = source->buffer;
    return archive_read_data(source->outer, source->buffer, sizeof source->buffer);
}

/// Walks a tar (any compression libarchive reads): programs into `contents`, and the
/// "control" file's text into `control` when asked.
Status walk_tar(archive* tar, const fs::path& file, const std::string& part,
                PackageContents& contents, std::string* control) {
    archive_entry* e = nullptr;
    while (true) {
        const int rc = archive_read_next_header(tar, &e);
        if (rc == ARCHIVE_EOF) return Ok{};
        if (rc < ARCHIVE_WARN) return read_error(tar, file, part);
        if (archive_entry_filetype(e) != AE_IFREG) continue;
        const std::string path = clean_path(archive_entry_pathname(e));
        if (control != nullptr) {
            if (path == "control") {
                auto data = read_entry(tar, e, file);
                if (!data) return data.error();
                *control = std::string(as_string(*data));
            }
            continue;
        }
        if ((archive_entry_perm(e) & 0111) == 0) continue;
        auto data = read_entry(tar, e, file);
        if (!data) return data.error();
        if (!is_elf(*data)) continue;
        if (is_backend_path(path))
            contents.backends.push_back({path, data->size()});
        else
            contents.programs.push_back({path, std::move(*data)});
    }
}

ReadArchive new_tar_reader() {
    ReadArchive a(archive_read_new());
    archive_read_support_filter_all(a.get());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    return a;
}

}  // namespace

PackageKind sniff_package_kind(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    char magic[8] = {};
    in.read(magic, sizeof magic);
    if (in.gcount() == 8 && std::string_view(magic, 8) == "!<arch>\n") return PackageKind::deb;
    if (in.gcount() >= 2 && static_cast<unsigned char>(magic[0]) == 0x1F &&
        static_cast<unsigned char>(magic[1]) == 0x8B)
        return PackageKind::tar_gz;
    if (is_nsis_installer(file)) return PackageKind::nsis;
    return PackageKind::none;
}

Result<PackageContents> read_package(const fs::path& file, PackageKind kind) {
    if (kind == PackageKind::nsis) return read_nsis_installer(file);
    PackageContents contents;
    contents.kind = kind;
    if (kind == PackageKind::tar_gz) {
        ReadArchive tar = new_tar_reader();
        if (archive_read_open_filename(tar.get(), file.c_str(), kReadBlock) != ARCHIVE_OK)
            return read_error(tar.get(), file, "");
        if (auto s = walk_tar(tar.get(), file, "", contents, nullptr); !s) return s.error();
        return contents;
    }
    ReadArchive outer(archive_read_new());
    archive_read_support_format_ar(outer.get());
    if (archive_read_open_filename(outer.get(), file.c_str(), kReadBlock) != ARCHIVE_OK)
        return read_error(outer.get(), file, "");
    archive_entry* e = nullptr;
    bool saw_data = false;
    while (true) {
        const int rc = archive_read_next_header(outer.get(), &e);
        if (rc == ARCHIVE_EOF) break;
        if (rc < ARCHIVE_WARN) return read_error(outer.get(), file, "");
        const std::string name = clean_path(archive_entry_pathname(e));
        const bool is_control = name.starts_with("control.tar");
        const bool is_data = name.starts_with("data.tar");
        if (!is_control && !is_data) continue;
        auto source = std::make_unique<NestedSource>();
        source->outer = outer.get();
        ReadArchive tar = new_tar_reader();
        if (archive_read_open2(tar.get(), source.get(), nullptr, read_nested, nullptr, nullptr) !=
            ARCHIVE_OK)
            return read_error(tar.get(), file, " (" + name + ")");
        if (auto s = walk_tar(tar.get(), file, " (" + name + ")", contents,
                              is_control ? &contents.control : nullptr);
            !s)
            return s.error();
        saw_data = saw_data || is_data;
    }
    if (!saw_data)
        return make_error(
            "archive.read",
            fmt::format("{} is not a Debian package: it has no data.tar member.", file.string()),
            file.string());
    return contents;
}

std::string control_field(std::string_view control, std::string_view name) {
    std::size_t start = 0;
    while (start < control.size()) {
        std::size_t end = control.find('\n', start);
        if (end == std::string_view::npos) end = control.size();
        const std::string_view line = control.substr(start, end - start);
        if (line.size() > name.size() && line.substr(0, name.size()) == name &&
            line[name.size()] == ':') {
            std::string_view value = line.substr(name.size() + 1);
            while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
            return std::string(value);
        }
        start = end + 1;
    }
    return {};
}

Result<StampContent> read_stamp_bytes(ByteView program) {
    if (program.size() < kStampFooterSize)
        return make_error(stamp_error::kNotStamped,
                          "No branding stamp found at the end of the file.");
    auto where = locate_stamp(program.subspan(program.size() - kStampFooterSize), program.size());
    if (!where) return where.error();
    auto content = parse_stamp(program.subspan(where->offset), *where);
    if (!content) return content.error();
    if (auto trusted = verify_trusted(content->key, trusted_stamp_keys()); !trusted)
        return trusted.error();
    return content;
}

}  // namespace helpline::brand
