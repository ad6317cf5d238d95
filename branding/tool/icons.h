#pragma once
// A brand's icons for the freedesktop hicolor theme, made from its logo: the SVG as the
// scalable icon, PNGs rendered by rsvg-convert (Debian's librsvg2-bin) at the sizes menus
// and launchers ask for.

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "shared/bytes.h"
#include "shared/profile.h"
#include "shared/result.h"
#include "shared/stamp.h"

namespace helpline::brand {

inline constexpr std::array<int, 8> kPngIconSizes{16, 22, 24, 32, 48, 64, 128, 256};

struct Icons {
    std::string svg;                          ///< scalable/apps/X.svg; empty for a PNG logo
    std::vector<std::pair<int, Bytes>> pngs;  ///< NxN/apps/X.png, in kPngIconSizes order
};

/// Renders the icons of the logo `profile.appearance.logo` (found in `assets`), or of the
/// project's own icon when the profile has no logo. `rsvg_convert`: the program to run.
Result<Icons> make_icons(const Profile& profile, const std::vector<Asset>& assets,
                         const std::string& rsvg_convert = "rsvg-convert");

}  // namespace helpline::brand
