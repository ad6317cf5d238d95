#include "branding/tool/nsis_installer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "branding/tool/icons.h"
#include "branding/tool/nsis_script.h"
#include "branding/tool/package_output.h"
#include "branding/tool/run_process.h"
#include "branding/tool/scratch_dir.h"
#include "branding/tool/windows_client_base.h"
#include "branding/tool/windows_icon.h"
#include "shared/atomic_file.h"

namespace helpline::brand {
namespace {

namespace fs = std::filesystem;

/// A translation catalogue is tens of KiB.
constexpr std::uint64_t kMaxTranslation = std::uint64_t{64} * 1024 * 1024;
/// The installer holds the programs compressed; far below this.
constexpr std::uint64_t kMaxInstaller = std::uint64_t{1} << 30;
/// What an error shows of makensis' log: its last lines say what failed.
constexpr std::size_t kLogLines = 15;
constexpr std::uint64_t kMaxLog = std::uint64_t{16} * 1024 * 1024;

/// The files of the installed folder, laid out under `root` (the script's files/), each with
/// the package's time (SetDateSave on keeps it in the installer).
class InstallTree {
  public:
    InstallTree(fs::path root, std::int64_t mtime) : root_(std::move(root)), mtime_(mtime) {}

    /// The first `length` bytes of `source`, `patches` written over them, then `tail`: a
    /// stamped program exactly as `stamp` writes it, or a copy (no tail).
    Status add_copy(const std::string& rel, const fs::path& source, std::uint64_t length,
                    ByteView tail, const std::vector<BytePatch>& patches = {}) {
        const fs::path path = prepare(rel);
        if (auto s = copy_and_append_atomic(source, length, tail, path, 0644, patches); !s)
            return s;
        return finish(rel, path, length + tail.size());
    }
    Status add_bytes(const std::string& rel, ByteView data) {
        const fs::path path = prepare(rel);
        if (auto s = write_file_atomic(path, data, 0644); !s) return s;
        return finish(rel, path, data.size());
    }

    /// Relative, '/'-separated, sorted.
    std::vector<std::string> files() const {
        std::vector<std::string> sorted = files_;
        std::sort(sorted.begin(), sorted.end());
        return sorted;
    }
    /// Each file rounded up to whole KiB, as Windows' list of installed apps shows sizes.
    std::uint64_t kib() const { return kib_; }

  private:
    fs::path prepare(const std::string& rel) {
        const fs::path path = root_ / rel;
        std::error_code ec;
        fs::create_directories(path.parent_path(), ec);
        return path;
    }
    Status finish(const std::string& rel, const fs::path& path, std::uint64_t size) {
        const timespec times[2] = {{static_cast<time_t>(mtime_), 0},
                                   {static_cast<time_t>(mtime_), 0}};
        if (::utimensat(AT_FDCWD, path.c_str(), times, 0) != 0)
            return make_error("io.time",
                              fmt::format("Could not set the time of '{}': {}", path.string(),
                                          std::strerror(errno)),
                              path.string());
        files_.push_back(rel);
        kib_ += (size + 1023) / 1024;
        return Ok{};
    }

    fs::path root_;
    std::int64_t mtime_;
    std::vector<std::string> files_;
    std::uint64_t kib_ = 0;
};

/// The last lines of makensis' log.
std::string log_tail(const fs::path& log) {
    auto text = read_file(log, kMaxLog);
    if (!text) return {};
    std::string all(as_string(*text));
    while (!all.empty() && (all.back() == '\n' || all.back() == '\r')) all.pop_back();
    std::size_t start = all.size();
    for (std::size_t lines = 0; start > 0 && lines < kLogLines; ++lines) {
        const auto nl = all.rfind('\n', start - 1);
        start = nl == std::string::npos ? 0 : nl;
    }
    return all.substr(start);
}

/// makensis on `script`; the installer it wrote beside it (OutFile "installer.exe").
Result<Bytes> run_makensis(const fs::path& script) {
    const fs::path dir = script.parent_path();
    const fs::path log = dir / "makensis.log";
    // -NOCONFIG: no local nsisconf.nsh can change the installer; the log holds what makensis
    // prints (errors included), since run_all keeps only stderr.
    auto outcomes = run_all({{"makensis", "-NOCONFIG", "-INPUTCHARSET", "UTF8", "-V2",
                              "-O" + log.string(), script.string()}},
                            dir);
    if (!outcomes) {
        if (outcomes.error().code == "process.not_found")
            return make_error("nsis.makensis_missing",
                              "makensis was not found; it makes the Windows installer. Install "
                              "Debian's nsis (sudo apt install nsis).");
        return outcomes.error();
    }
    if (const auto& outcome = outcomes->front(); outcome.exit_code != 0)
        return make_error("nsis.makensis",
                          fmt::format("makensis could not make the installer (exit code {}):\n{}{}",
                                      outcome.exit_code, log_tail(log), outcome.err));
    return read_file(dir / "installer.exe", kMaxInstaller);
}

/// The profile's support page, else its address as a mailto: link, for Windows' list of apps.
std::string help_link(const Profile& profile) {
    if (!profile.support.url.empty()) return profile.support.url;
    if (!profile.support.email.empty()) return "mailto:" + profile.support.email;
    return {};
}

}  // namespace

std::string nsis_installer_name(const Profile& profile, const std::string& base_version) {
    return fmt::format("{}-{}-{}-setup.exe", profile.id, profile.revision, base_version);
}

int package_nsis(const PackageOptions& options, const SigningInputs& inputs, std::int64_t mtime,
                 Io io) {
    auto fail = [&io](const Error& e) {
        fmt::print(io.err, "error: {}\n", e.message);
        return kExitInvalid;
    };
    const ProfileSource& src = inputs.source;
    const Profile& profile = src.profile;
    const bool base_given = !options.base.empty();
    auto base = load_windows_client_base(
        base_given ? options.base : default_windows_client_base_dir(), base_given);
    if (!base) return fail(base.error());
    const fs::path out_dir = options.out.empty() ? fs::path(".") : options.out;
    if (auto s = prepare_out_dir(out_dir); !s) return fail(s.error());
    auto trailer = build_stamp(src.compact_json, src.assets, inputs.key);
    if (!trailer) return fail(trailer.error());
    auto icons = make_icons(profile, src.assets);
    if (!icons) return fail(icons.error());
    auto ico = make_ico(*icons);
    if (!ico) return fail(ico.error());

    const ScratchDir scratch;
    if (scratch.path().empty())
        return fail(make_error("io.temp",
                               "Could not create a temporary folder for the installer's files; "
                               "check TMPDIR."));
    InstallTree tree(scratch.path() / "files", mtime);
    const std::string id = profile.id;
    Status status = tree.add_copy(fmt::format("bin/{}.exe", id), base->gui.path,
                                  base->gui.program_size, *trailer, base->gui.unsign);
    if (status)
        status = tree.add_copy(fmt::format("bin/{}-cli.exe", id), base->cli.path,
                               base->cli.program_size, *trailer, base->cli.unsign);
    for (const auto& b : base->backends)
        if (status) status = tree.add_copy("libexec/" + b.name, b.path, b.size, {});
    for (const auto& rel : base->locale_files) {
        if (!status) break;
        auto data = read_file(base->dir / rel, kMaxTranslation);
        if (!data) return fail(data.error());
        status = tree.add_bytes(rel, *data);
    }
    if (status) status = tree.add_bytes(id + ".ico", *ico);
    if (!status) return fail(status.error());

    NsisInstaller installer;
    installer.id = id;
    installer.name = one_line(profile.name.get("en"));
    if (installer.name.empty()) installer.name = id;
    installer.version = fmt::format("{}-{}", profile.revision, base->version);
    installer.publisher = installer.name;
    installer.help_link = help_link(profile);
    installer.languages = nsis_languages(profile);
    installer.files = tree.files();
    installer.estimated_size_kib = tree.kib();
    auto script = nsis_script(installer);
    if (!script) return fail(script.error());
    const fs::path script_path = scratch.path() / "setup.nsi";
    if (auto s = write_file_atomic(script_path, as_bytes(*script)); !s) return fail(s.error());
    auto setup = run_makensis(script_path);
    if (!setup) return fail(setup.error());
    const fs::path target = out_dir / nsis_installer_name(profile, base->version);
    if (auto s = write_file_atomic(target, *setup, 0644); !s) {
        fmt::print(io.err, "error: {} Pass --out with a folder you can write to.\n",
                   s.error().message);
        return kExitInvalid;
    }

    const PublicKey public_key = inputs.key.public_key();
    fmt::print(io.out,
               "Packaged {} {} (Windows x86-64) for {}\n"
               "  {} ({} bytes)\n"
               "  Base:       {} (version {})\n",
               id, installer.version, installer.name, target.string(), setup->size(),
               base->dir.string(), base->version);
    if (!base->backends.empty()) {
        std::string names;
        for (const auto& b : base->backends) names += (names.empty() ? "" : ", ") + b.name;
        fmt::print(io.out, "  Backends:   {}\n", names);
    }
    std::string languages;
    for (const auto& l : installer.languages)
        languages += (languages.empty() ? "" : ", ") + l.mui_name;
    fmt::print(io.out,
               "  Languages:  {}\n"
               "  Signed by:  {} ({})\n",
               languages, fingerprint(public_key), short_fingerprint(public_key));
    if (!base->gui.unsign.empty() || !base->cli.unsign.empty())
        fmt::print(io.out,
                   "  Note:       the base programs' Authenticode signature was removed (it "
                   "cannot cover a stamp added after it).\n");
    fmt::print(io.out,
               "  Windows:    not Authenticode-signed: sign it before giving it out, e.g. with "
               "osslsigncode sign.\n"
               "Install: run {} on Windows (for the user alone, no administrator rights; /S "
               "installs silently)\n",
               target.filename().string());
    if (auto trusted = verify_trusted(public_key, trusted_stamp_keys()); !trusted)
        fmt::print(io.err, "warning: {}\n", trusted.error().message);
    return kExitOk;
}

}  // namespace helpline::brand
