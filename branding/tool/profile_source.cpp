#include "branding/tool/profile_source.h"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include "branding/tool/describe.h"
#include "shared/atomic_file.h"

namespace helpline::brand {
namespace {

namespace fs = std::filesystem;

bool ends_with_icase(std::string_view s, std::string_view suffix) {
    if (s.size() < suffix.size()) return false;
    for (std::size_t i = 0; i < suffix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i])
            return false;
    return true;
}

/// Checks that the logo's bytes are what its extension says, so a client never meets a
/// logo it cannot draw.
std::string check_logo_content(const std::string& name, const Bytes& data) {
    static constexpr std::uint8_t kPng[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (ends_with_icase(name, ".png")) {
        if (data.size() < sizeof kPng || !std::equal(std::begin(kPng), std::end(kPng), data.begin()))
            return fmt::format("\"{}\" is not a PNG image", name);
        return {};
    }
    const std::string_view text = as_string(data);
    if (text.find("<svg") == std::string_view::npos)
        return fmt::format("\"{}\" is not an SVG image (no <svg> element)", name);
    return {};
}

}  // namespace

ProfileSource load_profile_source(const fs::path& path) {
    ProfileSource src;
    src.file = fs::is_directory(path) ? path / "profile.json" : path;
    auto text = read_file(src.file, kMaxProfileFile);
    if (!text) {
        src.problems.push_back({"", text.error().message});
        return src;
    }
    src.problems = parse_profile_text(as_string(*text), src.profile);
    if (!src.problems.empty()) return src;
    src.compact_json = nlohmann::ordered_json::parse(as_string(*text)).dump();

    if (!src.profile.appearance.logo.empty()) {
        const std::string& name = src.profile.appearance.logo;
        const fs::path logo = src.file.parent_path() / name;
        auto data = read_file(logo, kMaxLogoFile);
        if (!data) {
            src.problems.push_back(
                {"appearance.logo", data.error().code == "io.open"
                                        ? fmt::format("file \"{}\" not found next to the profile ({})",
                                                      name, logo.string())
                                        : data.error().message});
        } else if (auto bad = check_logo_content(name, *data); !bad.empty()) {
            src.problems.push_back({"appearance.logo", bad});
        } else {
            src.assets.push_back(Asset{name, std::move(*data)});
        }
    }
    return src;
}

std::optional<SigningInputs> load_signing_inputs(const fs::path& profile, const fs::path& key, std::ostream& err) {
    ProfileSource src = load_profile_source(profile);
    if (!src.problems.empty()) {
        print_problems(err, src.file.string(), src.problems);
        return std::nullopt;
    }
    auto loaded = SigningKey::load(key);
    if (!loaded) {
        fmt::print(err, "error: {}\n", loaded.error().message);
        return std::nullopt;
    }
    return SigningInputs{std::move(src), std::move(*loaded)};
}

}  // namespace helpline::brand
