#include "client/gui/logo.h"

#include <wx/image.h>
#include <wx/mstream.h>

namespace helpline::gui {

wxBitmapBundle logo_bundle(const Asset& asset, const wxSize& size) {
    if (asset.name.ends_with(".svg") || asset.name.ends_with(".SVG")) {
        // FromSVG needs a NUL-terminated, writable copy of the document.
        std::string svg(asset.data.begin(), asset.data.end());
        return wxBitmapBundle::FromSVG(svg.data(), size);
    }
    wxMemoryInputStream stream(asset.data.data(), asset.data.size());
    wxImage image;
    if (!image.LoadFile(stream, wxBITMAP_TYPE_PNG)) return {};
    return wxBitmapBundle::FromImage(image.Scale(size.x, size.y, wxIMAGE_QUALITY_HIGH));
}

}  // namespace helpline::gui
