#include "branding/tool/deb_writer.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <memory>

#include "branding/tool/archive_writer.h"
#include "branding/tool/package_texts.h"

namespace helpline::brand {
namespace {

/// dpkg-deb's default for xz (-z6).
constexpr int kXzLevel = 6;

/// Installed-Size in KiB as dpkg-gencontrol counts it: each file rounded up to whole KiB,
/// 1 KiB for every other entry.
std::uint64_t installed_size_kib(const PackageTree& data) {
    std::uint64_t kib = 0;
    for (const TreeEntry* e : data.entries())
        kib += e->kind == TreeEntry::Kind::file ? (e->content.size() + 1023) / 1024 : 1;
    return kib;
}

struct MdDeleter {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

Result<std::string> md5_hex(const FileContent& content) {
    std::unique_ptr<EVP_MD_CTX, MdDeleter> ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr) != 1)
        return make_error("crypto.md5", "MD5 is not available from OpenSSL.");
    auto s = content.for_each_piece([&](ByteView piece) -> Status {
        EVP_DigestUpdate(ctx.get(), piece.data(), piece.size());
        return Ok{};
    });
    if (!s) return s.error();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx.get(), digest, &length);
    return hex_encode(ByteView(digest, length));
}

/// md5sums: "<md5>  <path>" for every regular file, in the archive's order.
Result<std::string> md5sums(const PackageTree& data) {
    std::string out;
    for (const TreeEntry* e : data.entries()) {
        if (e->kind != TreeEntry::Kind::file) continue;
        auto md5 = md5_hex(e->content);
        if (!md5) return md5.error();
        out += *md5 + "  " + e->path + "\n";
    }
    return out;
}

/// The long description: the welcome text, then what the package holds.
std::string long_description(const PackageInfo& info) {
    const Profile& p = *info.profile;
    std::string text;
    auto paragraph = [&text](const std::string& s) {
        if (!text.empty()) text += " .\n";
        for (const auto& line : wrap_words(s, 76))
            if (line != ".") text += " " + line + "\n";  // a lone "." would read as an empty line
    };
    if (!p.appearance.welcome.empty()) paragraph(p.appearance.welcome.get("en"));
    paragraph(
        fmt::format("This is the Helpline client branded for {0}: the window {1} and the terminal "
                    "client {1}-cli, with {0}'s name, logo, texts and server signed into them.",
                    info.name, info.id));
    return text;
}

}  // namespace

std::string deb_file_name(const PackageInfo& info) {
    return fmt::format("{}_{}_{}.deb", info.id, info.version, info.architecture);
}

std::string control_file(const PackageInfo& info, const PackageTree& data) {
    const Profile& p = *info.profile;
    // The synopsis: the brand's name and what the program does, within the 80 columns
    // Debian allows; an overlong name gives way to the id.
    std::string synopsis = fmt::format("{}: remote support client", info.name);
    if (utf8_length(synopsis) > 80 || synopsis.find('\n') != std::string::npos)
        synopsis = fmt::format("remote support client for {}", info.id);
    std::string out = fmt::format(
        "Package: {}\n"
        "Version: {}\n"
        "Architecture: {}\n"
        "Maintainer: {}\n"
        "Installed-Size: {}\n"
        "Depends: {}\n",
        info.id, info.version, info.architecture, info.maintainer, installed_size_kib(data),
        info.depends);
    if (!info.recommends.empty()) out += fmt::format("Recommends: {}\n", info.recommends);
    if (!info.suggests.empty()) out += fmt::format("Suggests: {}\n", info.suggests);
    out += "Section: net\nPriority: optional\n";
    if (!p.support.url.empty()) out += fmt::format("Homepage: {}\n", p.support.url);
    return out + fmt::format("Description: {}\n{}", synopsis, long_description(info));
}

Result<Bytes> build_deb(const PackageInfo& info, const PackageTree& data) {
    auto sums = md5sums(data);
    if (!sums) return sums.error();
    PackageTree control;
    control.add_text("control", control_file(info, data));
    control.add_text("md5sums", *sums);

    TarOptions options;
    options.format = TarFormat::gnu;  // what dpkg-deb writes
    options.compression = Compression::xz;
    options.level = kXzLevel;
    options.mtime = info.mtime;
    options.prefix = "./";
    options.root_entry = true;
    auto control_tar = write_tar(control, options);
    if (!control_tar) return control_tar.error();
    auto data_tar = write_tar(data, options);
    if (!data_tar) return data_tar.error();
    const std::string version_text = "2.0\n";
    const Bytes debian_binary(version_text.begin(), version_text.end());
    return write_ar({{"debian-binary", &debian_binary},
                     {"control.tar.xz", &*control_tar},
                     {"data.tar.xz", &*data_tar}},
                    info.mtime);
}

}  // namespace helpline::brand
