#include "branding/tool/client_base.h"

#include <fmt/format.h>

#include <algorithm>

#include "branding/tool/debian_names.h"
#include "branding/tool/elf_arch.h"
#include "shared/atomic_file.h"

namespace helpline::brand {
namespace {

namespace fs = std::filesystem;

/// version and depends are one line each.
constexpr std::uint64_t kMaxLineFile = std::uint64_t{64} * 1024;

std::string trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(first, last - first + 1));
}

Result<std::string> read_line_file(const fs::path& dir, const char* name, const char* what) {
    auto text = read_file(dir / name, kMaxLineFile);
    if (!text)
        return make_error(
            "base.incomplete",
            fmt::format("the client base '{}' has no readable '{}' file ({}): {}. Use a client "
                        "base as the build makes it (build/<preset>/client-base).",
                        dir.string(), name, what, text.error().message),
            (dir / name).string());
    return trim(as_string(*text));
}

/// libexec/'s programs: regular executable files built for the clients' architecture, since
/// a package carries them to the same machines.
Result<std::vector<BaseBackend>> load_backends(const fs::path& dir, const std::string& arch) {
    return list_base_backends(dir, [&](const fs::path& path, const std::string& rel) -> Status {
        std::error_code ec;
        const auto status = fs::status(path, ec);
        if (ec || !fs::is_regular_file(status) ||
            (status.permissions() & fs::perms::owner_exec) == fs::perms::none)
            return make_error(
                "base.backend",
                fmt::format("the client base's {} ('{}') is not an executable file; libexec/ "
                            "holds only the backend programs the build makes. Use a client base "
                            "as the build makes it (build/<preset>/client-base).",
                            rel, path.string()),
                path.string());
        auto backend_arch = debian_architecture(path);
        if (!backend_arch) return backend_arch.error();
        if (*backend_arch != arch)
            return make_error(
                "base.mixed_arch",
                fmt::format("the client base's {} is built for {}, its programs for {}; "
                            "rebuild the base.",
                            rel, *backend_arch, arch),
                path.string());
        return Ok{};
    });
}

}  // namespace

Result<std::vector<BaseBackend>> list_base_backends(
    const fs::path& dir, const std::function<Status(const fs::path&, const std::string&)>& check) {
    std::vector<BaseBackend> backends;
    const fs::path libexec = dir / "libexec";
    std::error_code ec;
    if (!fs::exists(libexec, ec)) return backends;
    for (auto it = fs::directory_iterator(libexec, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
        const fs::path path = it->path();
        if (auto checked = check(path, "libexec/" + path.filename().string()); !checked)
            return checked.error();
        const auto size = fs::file_size(path, ec);
        if (ec) break;
        backends.push_back(BaseBackend{path.filename().string(), path, size});
    }
    if (ec)
        return make_error(
            "base.incomplete",
            fmt::format("could not read the backends in '{}': {}", libexec.string(), ec.message()),
            libexec.string());
    std::sort(backends.begin(), backends.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    return backends;
}

fs::path default_client_base_dir() {
    // Linux: the tool's own path; a helpline-brand installed in /usr/bin finds the base the
    // helpline-client-base package installs in /usr/lib/helpline/client-base.
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    return (self.parent_path() / ".." / "lib" / "helpline" / "client-base").lexically_normal();
}

Result<ClientBase> load_client_base(const fs::path& dir, bool given) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        if (given)
            return make_error(
                "base.missing",
                fmt::format("the client base '{}' is not a folder. Pass the folder that holds "
                            "bin/helpline and bin/helpline-cli with --client, e.g. --client "
                            "build/release/client-base.",
                            dir.string()),
                dir.string());
        return make_error(
            "base.missing",
            fmt::format("no client base in '{}' (the helpline-client-base package puts it "
                        "there). Install that package, or pass --client with the folder the "
                        "build makes, e.g. --client build/release/client-base.",
                        dir.string()),
            dir.string());
    }
    ClientBase base;
    base.dir = dir;
    for (const char* program : {"helpline", "helpline-cli"}) {
        auto checked = check_stamp_base(dir / "bin" / program, false);
        if (!checked) {
            Error e = checked.error();
            if (e.code == "base.missing")
                e.message = fmt::format(
                    "the client base '{}' has no bin/{}. Pass the folder that holds "
                    "bin/helpline and bin/helpline-cli with --client, e.g. --client "
                    "build/release/client-base.",
                    dir.string(), program);
            else if (e.code == "base.stamped")
                e.message = fmt::format(
                    "the client base's bin/{} ('{}') is already branded; a client base "
                    "holds the unbranded programs the build makes.",
                    program, e.where);
            return e;
        }
        (std::string_view(program) == "helpline" ? base.gui : base.cli) = *checked;
    }

    auto arch = debian_architecture(base.gui.path);
    if (!arch) return arch.error();
    auto cli_arch = debian_architecture(base.cli.path);
    if (!cli_arch) return cli_arch.error();
    if (*arch != *cli_arch)
        return make_error(
            "base.mixed_arch",
            fmt::format("the client base's programs are built for different architectures "
                        "(helpline: {}, helpline-cli: {}); rebuild the base.",
                        *arch, *cli_arch),
            dir.string());
    base.architecture = *arch;
    auto backends = load_backends(dir, base.architecture);
    if (!backends) return backends.error();
    base.backends = std::move(*backends);

    auto version = read_line_file(dir, "version", "the base version");
    if (!version) return version.error();
    if (auto s = check_base_version(*version); !s) return s.error();
    base.version = *version;
    auto depends = read_line_file(dir, "depends", "the programs' Debian dependencies");
    if (!depends) return depends.error();
    if (depends->empty())
        return make_error(
            "base.depends",
            fmt::format("the client base's depends file ({}) is empty: the base was built "
                        "without dpkg-shlibdeps. Install Debian's dpkg-dev and build the base "
                        "again, so the package can say which libraries it needs.",
                        (dir / "depends").string()),
            (dir / "depends").string());
    base.depends = *depends;

    const fs::path locale = dir / "share" / "locale";
    if (fs::is_directory(locale, ec)) {
        for (auto it = fs::recursive_directory_iterator(locale, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
            if (it->is_regular_file(ec))
                base.locale_files.push_back(it->path().lexically_relative(dir).generic_string());
        if (ec)
            return make_error("base.incomplete",
                              fmt::format("could not list the translations in '{}': {}",
                                          locale.string(), ec.message()),
                              locale.string());
        std::sort(base.locale_files.begin(), base.locale_files.end());
    }
    return base;
}

}  // namespace helpline::brand
