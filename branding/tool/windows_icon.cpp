#include "branding/tool/windows_icon.h"

#include <fmt/format.h>

#include <algorithm>

#include "branding/tool/run_process.h"
#include "branding/tool/scratch_dir.h"
#include "shared/atomic_file.h"

namespace helpline::brand {
namespace {

namespace fs = std::filesystem;

/// Four icons, the largest a PNG of at most a few hundred KiB.
constexpr std::uint64_t kMaxIco = std::uint64_t{16} * 1024 * 1024;

}  // namespace

Result<Bytes> make_ico(const Icons& icons, const std::string& icotool) {
    const ScratchDir scratch;
    if (scratch.path().empty())
        return make_error("io.temp",
                          "Could not create a temporary folder to make the .ico in; check TMPDIR.");
    const fs::path ico = scratch.path() / "icon.ico";
    std::vector<std::string> command{icotool, "--create", "--output", ico.string()};
    for (int size : kIcoSizes) {
        const auto png = std::find_if(icons.pngs.begin(), icons.pngs.end(),
                                      [size](const auto& p) { return p.first == size; });
        if (png == icons.pngs.end())
            return make_error("icons.ico",
                              fmt::format("no {}x{} icon to put in the .ico", size, size));
        const fs::path file = scratch.path() / fmt::format("{}.png", size);
        if (auto s = write_file_atomic(file, png->second); !s) return s.error();
        if (size == 256)
            command.push_back("--raw=" + file.string());
        else
            command.push_back(file.string());
    }
    auto outcomes = run_all({command}, scratch.path());
    if (!outcomes) {
        if (outcomes.error().code == "process.not_found")
            return make_error(
                "icons.icotool_missing",
                fmt::format("{} was not found; it makes the Windows installer's icon. Install "
                            "Debian's icoutils (sudo apt-get install icoutils).",
                            icotool));
        return outcomes.error();
    }
    if (const auto& outcome = outcomes->front(); outcome.exit_code != 0)
        return make_error("icons.ico", fmt::format("{} could not make the .ico (exit code {}): {}",
                                                   icotool, outcome.exit_code, outcome.err));
    return read_file(ico, kMaxIco);
}

}  // namespace helpline::brand
