#include "branding/tool/nsis_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "branding/tool/run_process.h"
#include "branding/tool/scratch_dir.h"
#include "shared/atomic_file.h"

namespace helpline::brand {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kHeaderSearch = std::size_t{1} << 20;
constexpr std::size_t kHeaderAlign = 512;
/// No program of ours comes near this; a bigger one is not read into memory.
constexpr std::uint64_t kMaxProgramSize = std::uint64_t{512} * 1024 * 1024;

bool is_pe(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    char magic[2] = {};
    in.read(magic, sizeof magic);
    return in.gcount() == 2 && magic[0] == 'M' && magic[1] == 'Z';
}

/// The regular files under `dir/sub`, sorted, as paths relative to `dir`.
std::vector<std::string> files_under(const fs::path& dir, const std::string& sub) {
    std::vector<std::string> files;
    std::error_code ec;
    if (!fs::is_directory(dir / sub, ec)) return files;
    for (auto it = fs::recursive_directory_iterator(dir / sub, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec))
            files.push_back(it->path().lexically_relative(dir).generic_string());
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

bool is_nsis_installer(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    Bytes head(kHeaderSearch);
    in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    if (head.size() < 2 || head[0] != 'M' || head[1] != 'Z') return false;
    static constexpr unsigned char kSignature[] = {0xEF, 0xBE, 0xAD, 0xDE, 'N', 'u', 'l', 'l',
                                                   's',  'o',  'f',  't',  'I', 'n', 's', 't'};
    for (std::size_t at = kHeaderAlign; at + 4 + sizeof kSignature <= head.size();
         at += kHeaderAlign)
        if (std::memcmp(head.data() + at + 4, kSignature, sizeof kSignature) == 0) return true;
    return false;
}

Result<PackageContents> read_nsis_installer(const fs::path& file, const std::string& seven_zip) {
    const ScratchDir scratch;
    if (scratch.path().empty())
        return make_error("io.temp",
                          "Could not create a temporary folder to open the installer in; check "
                          "TMPDIR.");
    const fs::path out = scratch.path() / "x";
    auto outcomes = run_all(
        {{seven_zip, "x", "-y", "-bd", "-o" + out.string(), "--", file.string()}}, scratch.path());
    if (!outcomes) {
        if (outcomes.error().code == "process.not_found")
            return make_error("nsis.7z_missing",
                              fmt::format("{} was not found; inspect opens a Windows installer "
                                          "with 7-Zip. Install Debian's p7zip-full (sudo apt-get "
                                          "install p7zip-full).",
                                          seven_zip));
        return outcomes.error();
    }
    if (const auto& outcome = outcomes->front(); outcome.exit_code != 0)
        return make_error("archive.read",
                          fmt::format("{} could not open {} as an installer (exit code {}): {}",
                                      seven_zip, file.string(), outcome.exit_code, outcome.err),
                          file.string());
    PackageContents contents;
    contents.kind = PackageKind::nsis;
    for (const auto& rel : files_under(out, "bin")) {
        if (!is_pe(out / rel)) continue;
        auto data = read_file(out / rel, kMaxProgramSize);
        if (!data) return data.error();
        contents.programs.push_back({rel, std::move(*data)});
    }
    for (const auto& rel : files_under(out, "libexec")) {
        std::error_code ec;
        if (is_pe(out / rel)) contents.backends.push_back({rel, fs::file_size(out / rel, ec)});
    }
    return contents;
}

}  // namespace helpline::brand
