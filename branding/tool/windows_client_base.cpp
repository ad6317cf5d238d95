#include "branding/tool/windows_client_base.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>

#include "branding/tool/debian_names.h"
#include "shared/atomic_file.h"
#include "shared/pe_image.h"

namespace helpline::brand {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kMaxVersionFile = 4096;
constexpr std::uint32_t kPeHeaderPointer = 0x3C;  // e_lfanew in the DOS header
constexpr std::uint16_t kMachineAmd64 = 0x8664, kMachineI386 = 0x014C, kMachineArm64 = 0xAA64;
constexpr std::uint16_t kPe32PlusMagic = 0x20B;

constexpr const char* kBaseHint =
    "Pass the Windows client base (the folder that holds bin/helpline.exe and "
    "bin/helpline-cli.exe, e.g. --client build/windows/client-base-windows) with --client.";

/// Names the installer script writes into File commands: no wildcards, quotes or '$'.
bool is_plain_name(std::string_view name) {
    if (name.empty() || name == "." || name == "..") return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-' || c == '+' || c == '@';
    });
}

bool ends_with_exe(std::string_view name) {
    if (name.size() < 5) return false;
    std::string ext(name.substr(name.size() - 4));
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext == ".exe";
}

std::string machine_name(std::uint16_t machine) {
    switch (machine) {
        case kMachineI386:
            return "32-bit x86";
        case kMachineArm64:
            return "ARM64";
        default:
            return fmt::format("machine 0x{:04x}", machine);
    }
}

Result<std::string> read_version(const fs::path& dir) {
    auto text = read_file(dir / "version", kMaxVersionFile);
    if (!text)
        return make_error("base.incomplete",
                          fmt::format("the Windows client base '{}' has no readable 'version' "
                                      "file (the base version): {}. {}",
                                      dir.string(), text.error().message, kBaseHint),
                          (dir / "version").string());
    std::string version(as_string(*text));
    const auto first = version.find_first_not_of(" \t\r\n");
    const auto last = version.find_last_not_of(" \t\r\n");
    version = first == std::string::npos ? "" : version.substr(first, last - first + 1);
    if (auto s = check_base_version(version); !s) return s.error();
    return version;
}

Result<std::vector<BaseBackend>> load_backends(const fs::path& dir) {
    return list_base_backends(dir, [](const fs::path& path, const std::string& rel) -> Status {
        const std::string name = path.filename().string();
        std::error_code ec;
        if (!fs::is_regular_file(path, ec) || !ends_with_exe(name) || !is_plain_name(name))
            return make_error(
                "base.backend",
                fmt::format("the Windows client base's {} ('{}') is not a backend program: "
                            "libexec/ holds only the backend programs the build makes, named "
                            "NAME.exe with letters, digits, '.', '_', '+' or '-'. Use the Windows "
                            "client base as the build makes it.",
                            rel, path.string()),
                path.string());
        return check_windows_program(path, "the Windows client base's " + rel);
    });
}

Result<std::vector<std::string>> load_translations(const fs::path& dir) {
    std::vector<std::string> files;
    const fs::path locale = dir / "share" / "locale";
    std::error_code ec;
    if (!fs::is_directory(locale, ec)) return files;
    for (auto it = fs::recursive_directory_iterator(locale, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        const fs::path rel = it->path().lexically_relative(dir);
        for (const auto& part : rel)
            if (!is_plain_name(part.string()))
                return make_error(
                    "base.locale",
                    fmt::format("the Windows client base's translation '{}' has a name an "
                                "installer cannot carry safely (letters, digits, '.', '_', '+', "
                                "'-' and '@' only). Use the Windows client base as the build "
                                "makes it.",
                                it->path().string()),
                    it->path().string());
        files.push_back(rel.generic_string());
    }
    if (ec)
        return make_error("base.incomplete",
                          fmt::format("could not list the translations in '{}': {}",
                                      locale.string(), ec.message()),
                          locale.string());
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

Status check_windows_program(const fs::path& program, const std::string& what) {
    std::ifstream in(program, std::ios::binary);
    Bytes head(kPeHeadSize);
    in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    const bool elf =
        head.size() >= 4 && head[0] == 0x7F && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
    std::uint64_t pe = 0;
    bool is_pe = head.size() >= kPeHeaderPointer + 4 && head[0] == 'M' && head[1] == 'Z';
    if (is_pe) {
        pe = read_u32le(head.data() + kPeHeaderPointer);
        is_pe = pe + 26 <= head.size() && head[pe] == 'P' && head[pe + 1] == 'E' &&
                head[pe + 2] == 0 && head[pe + 3] == 0;
    }
    if (!is_pe)
        return make_error(
            "base.not_windows",
            fmt::format("{} ('{}') is not a Windows program (PE){}: the Windows installer is "
                        "made from the Windows client base. {} For the Linux base use --format "
                        "deb,tgz.",
                        what, program.string(), elf ? " but a Linux (ELF) one" : "", kBaseHint),
            program.string());
    const std::uint16_t machine = read_u16le(head.data() + pe + 4);
    const std::uint16_t magic = read_u16le(head.data() + pe + 24);
    if (machine != kMachineAmd64 || magic != kPe32PlusMagic)
        return make_error(
            "base.windows_arch",
            fmt::format("{} ('{}') is a Windows program for {}, and the Windows client is built "
                        "for x86-64 (64-bit); rebuild the base with the windows preset.",
                        what, program.string(),
                        machine == kMachineAmd64 ? "x86-64 but not PE32+" : machine_name(machine)),
            program.string());
    return Ok{};
}

fs::path default_windows_client_base_dir() {
    const fs::path linux_base = default_client_base_dir();
    if (linux_base.empty()) return {};
    return linux_base.parent_path() / "client-base-windows";
}

Result<WindowsClientBase> load_windows_client_base(const fs::path& dir, bool given) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        if (given)
            return make_error(
                "base.missing",
                fmt::format("the client base '{}' is not a folder. {}", dir.string(), kBaseHint),
                dir.string());
        return make_error(
            "base.missing",
            fmt::format("no Windows client base in '{}', where an installed helpline-brand looks "
                        "for it. {}",
                        dir.string(), kBaseHint),
            dir.string());
    }
    WindowsClientBase base;
    base.dir = dir;
    for (const char* program : {"helpline.exe", "helpline-cli.exe"}) {
        const fs::path path = dir / "bin" / program;
        if (!fs::is_regular_file(path, ec)) {
            const bool linux_base = fs::is_regular_file(dir / "bin" / "helpline", ec);
            return make_error(
                "base.missing",
                fmt::format("the client base '{}' has no bin/{}{}. {}", dir.string(), program,
                            linux_base ? " (it is a Linux client base: --format deb,tgz packages "
                                         "it)"
                                       : "",
                            kBaseHint),
                path.string());
        }
        const std::string what = fmt::format("the Windows client base's bin/{}", program);
        if (auto s = check_windows_program(path, what); !s) return s.error();
        auto checked = check_stamp_base(path, false);
        if (!checked) {
            Error e = checked.error();
            if (e.code == "base.stamped")
                e.message = fmt::format(
                    "{} ('{}') is already branded; a client base holds the unbranded programs "
                    "the build makes.",
                    what, path.string());
            return e;
        }
        (std::string_view(program) == "helpline.exe" ? base.gui : base.cli) = *checked;
    }
    auto backends = load_backends(dir);
    if (!backends) return backends.error();
    base.backends = std::move(*backends);
    auto version = read_version(dir);
    if (!version) return version.error();
    base.version = *version;
    auto translations = load_translations(dir);
    if (!translations) return translations.error();
    base.locale_files = std::move(*translations);
    return base;
}

}  // namespace helpline::brand
