#pragma once
// A brand's Windows icon (.ico) for its installer, its shortcut and Windows' list of
// installed apps, made from the PNGs make_icons() renders (icons.h).

#include <array>
#include <string>

#include "branding/tool/icons.h"
#include "shared/bytes.h"
#include "shared/result.h"

namespace helpline::brand {

/// The sizes an .ico carries: the shell's small and large icons, and the 256 px one Windows
/// scales down for everything else.
inline constexpr std::array<int, 4> kIcoSizes{16, 32, 48, 256};

/// The .ico of `icons` (which must hold kIcoSizes' PNGs), made by `icotool -c` (Debian's
/// icoutils): 16, 32 and 48 px as 32-bit bitmaps, which every Windows reads, and 256 px as
/// PNG (`--raw`), as Windows Vista and later read it: 20 KiB instead of 270.
Result<Bytes> make_ico(const Icons& icons, const std::string& icotool = "icotool");

}  // namespace helpline::brand
