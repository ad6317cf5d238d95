#include "branding/tool/archive_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <memory>

namespace helpline::brand {
namespace {

struct ArchiveDeleter {
    void operator()(archive* a) const { archive_write_free(a); }
};
using WriteArchive = std::unique_ptr<archive, ArchiveDeleter>;

struct EntryDeleter {
    void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using Entry = std::unique_ptr<archive_entry, EntryDeleter>;

Error archive_error(archive* a, std::string_view what) {
    const char* detail = archive_error_string(a);
    return make_error("archive.write", fmt::format("Could not write the {}: {}", what,
                                                   detail != nullptr ? detail : "unknown error"));
}

la_ssize_t append_to_bytes(archive*, void* client, const void* buffer, size_t length) {
    auto* out = static_cast<Bytes*>(client);
    const auto* p = static_cast<const std::uint8_t*>(buffer);
    out->insert(out->end(), p, p + length);
    return static_cast<la_ssize_t>(length);
}

/// GNU tar's record size. A tar is padded to whole records, as GNU tar and dpkg-deb write
/// them, because readers read whole records: one that stops at the end marker then leaves
/// nothing unread in a pipe (`dpkg-deb --ctrl-tarfile X.deb | tar t` could otherwise end
/// with SIGPIPE now and then).
constexpr int kTarRecord = 10240;

/// A writer into `out` with the given format and, optionally, filter. `block_size` 0: no
/// blocking, the output ends where the archive ends (compressed streams, the ar archive).
Result<WriteArchive> open_writer(
    Bytes& out, int (*set_format)(archive*), std::string_view what, int block_size,
    int (*add_filter)(archive*) = nullptr,
    const std::vector<std::pair<const char*, const char*>>& filter_options = {}) {
    WriteArchive a(archive_write_new());
    if (!a) return make_error("archive.write", "Out of memory.");
    if (set_format(a.get()) != ARCHIVE_OK) return archive_error(a.get(), what);
    if (add_filter != nullptr && add_filter(a.get()) != ARCHIVE_OK)
        return archive_error(a.get(), what);
    for (const auto& [key, value] : filter_options)
        if (archive_write_set_filter_option(a.get(), nullptr, key, value) < ARCHIVE_OK)
            return archive_error(a.get(), what);
    archive_write_set_bytes_per_block(a.get(), block_size);
    if (archive_write_open2(a.get(), &out, nullptr, append_to_bytes, nullptr, nullptr) !=
        ARCHIVE_OK)
        return archive_error(a.get(), what);
    return a;
}

/// `data` compressed as one stream. gzip: "!timestamp" leaves the header's time 0
/// (libarchive writes the current time otherwise) and no file name is written; xz headers
/// carry no time.
Result<Bytes> compress(ByteView data, Compression compression, int level, std::string_view what) {
    Bytes out;
    const std::string level_text = std::to_string(level);
    std::vector<std::pair<const char*, const char*>> filter_options{
        {"compression-level", level_text.c_str()}};
    if (compression == Compression::gzip) filter_options.emplace_back("timestamp", nullptr);
    auto a = open_writer(out, archive_write_set_format_raw, what, 0,
                         compression == Compression::gzip ? archive_write_add_filter_gzip
                                                          : archive_write_add_filter_xz,
                         filter_options);
    if (!a) return a.error();
    Entry e(archive_entry_new());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(data.size()));
    if (archive_write_header(a->get(), e.get()) != ARCHIVE_OK) return archive_error(a->get(), what);
    if (!data.empty() && archive_write_data(a->get(), data.data(), data.size()) !=
                             static_cast<la_ssize_t>(data.size()))
        return archive_error(a->get(), what);
    if (archive_write_close(a->get()) != ARCHIVE_OK) return archive_error(a->get(), what);
    return out;
}

void set_owner(archive_entry* e, std::int64_t mtime) {
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    archive_entry_set_uname(e, "root");
    archive_entry_set_gname(e, "root");
    archive_entry_set_mtime(e, static_cast<time_t>(mtime), 0);
}

/// Writes `t` as `name` (its path inside the archive).
Status write_entry(archive* a, const TreeEntry& t, const std::string& name, std::int64_t mtime) {
    Entry e(archive_entry_new());
    set_owner(e.get(), mtime);
    switch (t.kind) {
        case TreeEntry::Kind::directory:
            archive_entry_set_filetype(e.get(), AE_IFDIR);
            break;
        case TreeEntry::Kind::symlink:
            archive_entry_set_filetype(e.get(), AE_IFLNK);
            archive_entry_set_symlink(e.get(), t.link_target.c_str());
            break;
        case TreeEntry::Kind::file:
            archive_entry_set_filetype(e.get(), AE_IFREG);
            archive_entry_set_size(e.get(), static_cast<la_int64_t>(t.content.size()));
            break;
    }
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_perm(e.get(), t.mode);
    if (archive_write_header(a, e.get()) != ARCHIVE_OK) return archive_error(a, "package");
    if (t.kind != TreeEntry::Kind::file) return Ok{};
    return t.content.for_each_piece([a](ByteView piece) -> Status {
        if (archive_write_data(a, piece.data(), piece.size()) !=
            static_cast<la_ssize_t>(piece.size()))
            return archive_error(a, "package");
        return Ok{};
    });
}

}  // namespace

Result<Bytes> write_tar(const PackageTree& tree, const TarOptions& options) {
    Bytes tar;
    auto a = open_writer(tar,
                         options.format == TarFormat::gnu ? archive_write_set_format_gnutar
                                                          : archive_write_set_format_ustar,
                         "package", kTarRecord);
    if (!a) return a.error();
    if (options.root_entry) {
        const TreeEntry root{TreeEntry::Kind::directory, "", 0755, {}, {}};
        if (auto s = write_entry(a->get(), root, options.prefix, options.mtime); !s)
            return s.error();
    }
    for (const TreeEntry* entry : tree.entries()) {
        std::string name = options.prefix + entry->path;
        if (entry->kind == TreeEntry::Kind::directory) name += '/';
        if (auto s = write_entry(a->get(), *entry, name, options.mtime); !s) return s.error();
    }
    if (archive_write_close(a->get()) != ARCHIVE_OK) return archive_error(a->get(), "package");
    return compress(tar, options.compression, options.level, "package");
}

Result<Bytes> write_ar(const std::vector<ArMember>& members, std::int64_t mtime) {
    Bytes out;
    auto a = open_writer(out, archive_write_set_format_ar_bsd, "Debian package", 0);
    if (!a) return a.error();
    for (const auto& m : members) {
        Entry e(archive_entry_new());
        set_owner(e.get(), mtime);
        archive_entry_set_pathname(e.get(), m.name.c_str());
        archive_entry_set_filetype(e.get(), AE_IFREG);
        archive_entry_set_perm(e.get(), 0644);
        archive_entry_set_size(e.get(), static_cast<la_int64_t>(m.data->size()));
        if (archive_write_header(a->get(), e.get()) != ARCHIVE_OK)
            return archive_error(a->get(), "Debian package");
        if (archive_write_data(a->get(), m.data->data(), m.data->size()) !=
            static_cast<la_ssize_t>(m.data->size()))
            return archive_error(a->get(), "Debian package");
    }
    if (archive_write_close(a->get()) != ARCHIVE_OK)
        return archive_error(a->get(), "Debian package");
    return out;
}

Result<Bytes> gzip_bytes(ByteView data) {
    return compress(data, Compression::gzip, 9, "compressed file");
}

}  // namespace helpline::brand
