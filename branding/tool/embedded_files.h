#pragma once
// Files built into helpline-brand, so that it needs no data files of its own
// (branding/tool/CMakeLists.txt, helpline_embed).

#include <string_view>

namespace helpline::brand {

/// The project's icon (server/console/icon.svg): a brand without a logo gets it.
std::string_view default_icon_svg();

/// The body of a brand's install.sh (branding/tool/install.sh.in), after its settings.
std::string_view install_script_body();

/// The brand's Windows installer script (branding/tool/setup.nsi.in), before nsis_script.cpp
/// fills in its marks.
std::string_view nsis_script_template();

/// The copyright file of the team's own packages (installer/deb/copyright): the programs'
/// part of a brand's copyright file comes from it.
std::string_view helpline_copyright();

}  // namespace helpline::brand
