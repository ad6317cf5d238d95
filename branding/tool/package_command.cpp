// helpline-brand package: a brand's .deb and .tar.gz from a profile, the team's key and the
// client base bundle, with no compiler (docs/installer.md); its Windows installer is made by
// package_nsis() (nsis_installer.h) from the Windows base.

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <cstdlib>
#include <future>

#include "branding/tool/appstream.h"
#include "branding/tool/archive_writer.h"
#include "branding/tool/client_base.h"
#include "branding/tool/commands.h"
#include "branding/tool/deb_writer.h"
#include "branding/tool/debian_docs.h"
#include "branding/tool/desktop_entry.h"
#include "branding/tool/install_script.h"
#include "branding/tool/man_pages.h"
#include "branding/tool/nsis_installer.h"
#include "branding/tool/package_output.h"
#include "branding/tool/package_layout.h"
#include "branding/tool/profile_source.h"
#include "branding/tool/readme.h"
#include "shared/atomic_file.h"

namespace helpline::brand {
namespace {

namespace fs = std::filesystem;

/// Files and dates in a package carry this time unless SOURCE_DATE_EPOCH says otherwise:
/// 2026-01-01 00:00:00 UTC. Fixed, so that the same inputs give the same bytes; not 0,
/// because lintian calls files from before 1975 ancient.
constexpr std::int64_t kDefaultPackageTime = 1767225600;

/// A translation catalogue is tens of KiB.
constexpr std::uint64_t kMaxTranslation = std::uint64_t{64} * 1024 * 1024;

struct Formats {
    bool deb = false;
    bool tgz = false;
    bool nsis = false;  ///< from the Windows client base, so never with deb or tgz
};

Result<Formats> parse_formats(const std::string& text) {
    Formats f;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find(',', start);
        if (end == std::string::npos) end = text.size();
        std::string item = text.substr(start, end - start);
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (item == "deb")
            f.deb = true;
        else if (item == "tgz" || item == "tar.gz")
            f.tgz = true;
        else if (item == "nsis")
            f.nsis = true;
        else
            return make_error(
                "usage.format",
                fmt::format("unknown package format \"{}\" in --format \"{}\": use deb, tgz or "
                            "both, as in --format deb,tgz, or nsis for the Windows installer.",
                            item, text));
        start = end + 1;
    }
    // One --client names one base: the Linux one for deb and tgz, the Windows one for nsis.
    if (f.nsis && (f.deb || f.tgz))
        return make_error(
            "usage.format",
            fmt::format("--format \"{}\" mixes the Windows installer (nsis), made from the Windows "
                        "client base, with Linux packages, made from the Linux one, and --client "
                        "names one base. Run package twice: --format nsis --client <Windows base>, "
                        "then --format deb,tgz --client <Linux base>.",
                        text));
    return f;
}

/// SOURCE_DATE_EPOCH (reproducible-builds.org) when set, else kDefaultPackageTime.
Result<std::int64_t> package_time() {
    const char* env = std::getenv("SOURCE_DATE_EPOCH");
    if (env == nullptr || *env == '\0') return kDefaultPackageTime;
    const std::string text = env;
    if (text.size() > 12 || text.find_first_not_of("0123456789") != std::string::npos)
        return make_error(
            "env.source_date_epoch",
            fmt::format("SOURCE_DATE_EPOCH is \"{}\", not a number of seconds since 1970 such as "
                        "1767225600; set it to one, or unset it.",
                        text));
    return static_cast<std::int64_t>(std::stoll(text));
}

Result<BrandFiles> make_files(const PackageInfo& info, const ClientBase& base,
                              const ProfileSource& src, const Bytes& trailer) {
    BrandFiles f;
    f.gui = FileContent{base.gui.path, base.gui.program_size, trailer};
    f.cli = FileContent{base.cli.path, base.cli.program_size, trailer};
    for (const auto& b : base.backends)
        f.backends.emplace_back(b.name, FileContent{b.path, b.size, {}});
    for (const auto& rel : base.locale_files) {
        auto data = read_file(base.dir / rel, kMaxTranslation);
        if (!data) return data.error();
        f.locale.emplace_back(rel, std::move(*data));
    }
    f.desktop = desktop_entry(info);
    f.metainfo = appstream_metainfo(info);
    auto icons = make_icons(src.profile, src.assets);
    if (!icons) return icons.error();
    f.icons = std::move(*icons);
    auto gui_man = gzip_bytes(as_bytes(gui_man_page(info)));
    auto cli_man = gzip_bytes(as_bytes(cli_man_page(info)));
    auto changes = gzip_bytes(as_bytes(changelog(info)));
    if (!gui_man) return gui_man.error();
    if (!cli_man) return cli_man.error();
    if (!changes) return changes.error();
    f.gui_man_gz = std::move(*gui_man);
    f.cli_man_gz = std::move(*cli_man);
    f.changelog_gz = std::move(*changes);
    f.copyright = copyright_file(info);
    f.install_sh = install_script(info);
    f.readmes = readmes(info);
    return f;
}

Result<Bytes> build_tgz(const PackageInfo& info, const BrandFiles& files) {
    TarOptions options;
    options.format = TarFormat::ustar;  // POSIX: every tar reads it
    options.compression = Compression::gzip;
    // gzip's default: on the clients, level 9 takes 2.4 times as long for 0.6 % fewer bytes.
    options.level = 6;
    options.mtime = info.mtime;
    options.prefix = tgz_folder(info) + "/";
    options.root_entry = true;
    return write_tar(tgz_tree(info, files), options);
}

}  // namespace

int package(const PackageOptions& options, Io io) {
    auto fail = [&io](const Error& e) {
        fmt::print(io.err, "error: {}\n", e.message);
        return kExitInvalid;
    };
    auto formats = parse_formats(options.formats);
    if (!formats) {
        fmt::print(io.err, "error: {}\n", formats.error().message);
        return kExitUsage;
    }
    auto mtime = package_time();
    if (!mtime) return fail(mtime.error());
    auto inputs = load_signing_inputs(options.profile, options.key, io.err);
    if (!inputs) return kExitInvalid;
    if (formats->nsis) return package_nsis(options, *inputs, *mtime, io);
    const ProfileSource& src = inputs->source;

    const bool base_given = !options.base.empty();
    auto base = load_client_base(base_given ? options.base : default_client_base_dir(), base_given);
    if (!base) return fail(base.error());
    auto info = make_package_info(src.profile, *base, *mtime);
    if (!info) return fail(info.error());
    const fs::path out_dir = options.out.empty() ? fs::path(".") : options.out;
    if (auto s = prepare_out_dir(out_dir); !s) return fail(s.error());
    auto trailer = build_stamp(src.compact_json, src.assets, inputs->key);
    if (!trailer) return fail(trailer.error());
    auto files = make_files(*info, *base, src, *trailer);
    if (!files) return fail(files.error());

    // The two archives are independent and each mostly compression: one thread each.
    std::future<Result<Bytes>> tgz;
    if (formats->tgz)
        tgz = std::async(std::launch::async, [&] { return build_tgz(*info, *files); });
    std::vector<std::pair<fs::path, Result<Bytes>>> written;
    if (formats->deb)
        written.emplace_back(out_dir / deb_file_name(*info),
                             build_deb(*info, deb_tree(*info, *files)));
    if (formats->tgz) written.emplace_back(out_dir / (tgz_folder(*info) + ".tar.gz"), tgz.get());
    for (auto& [path, bytes] : written) {
        if (!bytes) return fail(bytes.error());
        if (auto s = write_file_atomic(path, *bytes, 0644); !s) {
            fmt::print(io.err, "error: {} Pass --out with a folder you can write to.\n",
                       s.error().message);
            return kExitInvalid;
        }
    }

    const PublicKey public_key = inputs->key.public_key();
    fmt::print(io.out, "Packaged {} {} ({}) for {}\n", info->id, info->version, info->architecture,
               info->name);
    for (const auto& [path, bytes] : written)
        fmt::print(io.out, "  {} ({} bytes)\n", path.string(), bytes->size());
    fmt::print(io.out,
               "  Base:       {} (version {})\n"
               "  Depends:    {}\n",
               base->dir.string(), base->version, info->depends);
    if (!info->recommends.empty()) fmt::print(io.out, "  Recommends: {}\n", info->recommends);
    if (!info->suggests.empty()) fmt::print(io.out, "  Suggests:   {}\n", info->suggests);
    if (!base->backends.empty()) {
        std::string names;
        for (const auto& b : base->backends) names += (names.empty() ? "" : ", ") + b.name;
        fmt::print(io.out, "  Backends:   {}\n", names);
    }
    fmt::print(io.out,
               "  Maintainer: {}\n"
               "  Signed by:  {} ({})\n",
               info->maintainer, fingerprint(public_key), short_fingerprint(public_key));
    // Commands to copy as they are, from where the admin is: apt takes a local file only
    // with a slash in its path, hence ./ in front of a relative one.
    const auto shown = [](const fs::path& p) {
        return p.is_absolute() ? p.string() : (fs::path(".") / p.lexically_normal()).string();
    };
    if (formats->deb)
        fmt::print(io.out, "Install: sudo apt install {}\n", shown(out_dir / deb_file_name(*info)));
    if (formats->tgz)
        fmt::print(io.out, "{} tar xzf {} && {}/install.sh   (no root; into ~/.local)\n",
                   formats->deb ? "     or:" : "Install:",
                   shown(out_dir / (tgz_folder(*info) + ".tar.gz")), tgz_folder(*info));
    if (auto trusted = verify_trusted(public_key, trusted_stamp_keys()); !trusted)
        fmt::print(io.err, "warning: {}\n", trusted.error().message);
    return kExitOk;
}

}  // namespace helpline::brand
