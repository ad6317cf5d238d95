#include "branding/tool/icons.h"

#include <fmt/format.h>

#include <cctype>
#include <filesystem>

#include "branding/tool/embedded_files.h"
#include "branding/tool/run_process.h"
#include "branding/tool/scratch_dir.h"
#include "shared/atomic_file.h"

namespace helpline::brand {
namespace {

namespace fs = std::filesystem;

/// A 256x256 RGBA PNG is at most 256 KiB uncompressed; anything far larger is not an icon.
constexpr std::uint64_t kMaxPng = std::uint64_t{16} * 1024 * 1024;

/// The profile rules allow .png in any case.
bool is_png(std::string_view name) {
    if (name.size() < 4) return false;
    std::string ext(name.substr(name.size() - 4));
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext == ".png";
}

/// A square 256x256 SVG showing the logo centred and scaled to fit: a logo of any shape
/// renders to exactly NxN, and a PNG logo renders through the same path.
std::string square_wrapper(std::string_view mime, ByteView logo) {
    return fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
        "width=\"256\" height=\"256\" viewBox=\"0 0 256 256\">"
        "<image width=\"256\" height=\"256\" preserveAspectRatio=\"xMidYMid meet\" "
        "xlink:href=\"data:{};base64,{}\"/></svg>\n",
        mime, base64_encode(logo));
}

}  // namespace

Result<Icons> make_icons(const Profile& profile, const std::vector<Asset>& assets,
                         const std::string& rsvg_convert) {
    Icons icons;
    std::string wrapper;
    const std::string& logo_name = profile.appearance.logo;
    const Asset* logo = nullptr;
    for (const auto& a : assets)
        if (a.name == logo_name) logo = &a;
    if (logo_name.empty() || logo == nullptr) {
        icons.svg = std::string(default_icon_svg());
        wrapper = square_wrapper("image/svg+xml", as_bytes(icons.svg));
    } else if (is_png(logo_name)) {
        wrapper = square_wrapper("image/png", logo->data);  // a bitmap has no scalable icon
    } else {
        icons.svg = std::string(as_string(logo->data));
        wrapper = square_wrapper("image/svg+xml", logo->data);
    }

    const ScratchDir scratch;
    if (scratch.path().empty())
        return make_error(
            "io.temp", "Could not create a temporary folder to render the icons in; check TMPDIR.");
    const fs::path source = scratch.path() / "logo.svg";
    if (auto s = write_file_atomic(source, as_bytes(wrapper)); !s) return s.error();
    std::vector<std::vector<std::string>> commands;
    commands.reserve(kPngIconSizes.size());
    for (int size : kPngIconSizes)
        commands.push_back({rsvg_convert, "--width", std::to_string(size), "--height",
                            std::to_string(size), "--format", "png", "--output",
                            (scratch.path() / fmt::format("{}.png", size)).string(),
                            source.string()});
    auto outcomes = run_all(commands, scratch.path());
    if (!outcomes) {
        if (outcomes.error().code == "process.not_found")
            return make_error(
                "icons.rsvg_missing",
                fmt::format("{} was not found; it renders the brand's icons. Install Debian's "
                            "librsvg2-bin (sudo apt-get install librsvg2-bin).",
                            rsvg_convert));
        return outcomes.error();
    }
    for (std::size_t i = 0; i < kPngIconSizes.size(); ++i) {
        const int size = kPngIconSizes[i];
        const auto& outcome = (*outcomes)[i];
        if (outcome.exit_code != 0)
            return make_error(
                "icons.render",
                fmt::format("{} could not render the logo '{}' at {}x{} (exit code {}): {}",
                            rsvg_convert, logo_name.empty() ? "(default icon)" : logo_name, size,
                            size, outcome.exit_code, outcome.err));
        auto png = read_file(scratch.path() / fmt::format("{}.png", size), kMaxPng);
        if (!png) return png.error();
        icons.pngs.emplace_back(size, std::move(*png));
    }
    return icons;
}

}  // namespace helpline::brand
