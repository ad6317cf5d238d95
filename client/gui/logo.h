#pragma once
// The brand's logo as a wx bitmap bundle: SVG stays crisp at any scale, PNG is scaled.

#include <wx/bmpbndl.h>

#include "shared/stamp.h"

namespace helpline::gui {

/// A bundle for `asset` at `size` logical pixels, or an empty bundle if it cannot be read.
wxBitmapBundle logo_bundle(const Asset& asset, const wxSize& size);

}  // namespace helpline::gui
