#include "client/gui/thumbnail.h"

#include <wx/image.h>
#include <wx/log.h>
#include <wx/mstream.h>

#include <algorithm>
#include <cstring>

#include "shared/atomic_file.h"

namespace helpline::gui {
namespace {

Thumbnail from_image(wxImage image, int max) {
    const int w = image.GetWidth();
    const int h = image.GetHeight();
    if (w > max || h > max) {
        const double scale = std::min(static_cast<double>(max) / w, static_cast<double>(max) / h);
        image.Rescale(std::max(1, static_cast<int>(w * scale)),
                      std::max(1, static_cast<int>(h * scale)), wxIMAGE_QUALITY_HIGH);
    }
    Thumbnail t;
    t.width = image.GetWidth();
    t.height = image.GetHeight();
    const auto pixels = static_cast<std::size_t>(t.width) * t.height;
    t.rgb.assign(image.GetData(), image.GetData() + pixels * 3);
    if (image.HasAlpha()) t.alpha.assign(image.GetAlpha(), image.GetAlpha() + pixels);
    return t;
}

/// A wxImage owning a copy of `image`'s bytes.
wxImage to_image(const CapturedImage& image) {
    wxImage out(image.width, image.height, /*clear=*/false);
    std::memcpy(out.GetData(), image.rgb.data(), image.rgb.size());
    return out;
}

}  // namespace

void ensure_image_handlers() {
    if (wxImage::FindHandler(wxBITMAP_TYPE_PNG) == nullptr) wxInitAllImageHandlers();
}

std::optional<Thumbnail> thumbnail_of_file(const std::filesystem::path& file, int max) {
    wxLogNull quiet;  // a file that is not an image is not an error here
    wxImage image;
    if (!image.LoadFile(wxString::FromUTF8(file.string())) || !image.IsOk()) return std::nullopt;
    return from_image(std::move(image), max);
}

Thumbnail thumbnail_of(const CapturedImage& image, int max) {
    if (image.empty()) return {};
    return from_image(to_image(image), max);
}

wxBitmap to_bitmap(const Thumbnail& t) {
    if (t.empty()) return {};
    wxImage image(t.width, t.height, /*clear=*/false);
    std::memcpy(image.GetData(), t.rgb.data(), t.rgb.size());
    if (!t.alpha.empty()) {
        image.SetAlpha();
        std::memcpy(image.GetAlpha(), t.alpha.data(), t.alpha.size());
    }
    return wxBitmap(image);
}

Status save_png(const CapturedImage& image, const std::filesystem::path& file) {
    if (image.empty())
        return make_error("capture.empty", "The screenshot is empty.", file.string());
    wxLogNull quiet;
    wxMemoryOutputStream png;
    if (!to_image(image).SaveFile(png, wxBITMAP_TYPE_PNG))
        return make_error("capture.encode", "The screenshot could not be encoded as PNG.",
                          file.string());
    Bytes bytes(png.GetLength());
    png.CopyTo(bytes.data(), bytes.size());
    return write_file_atomic(file, ByteView(bytes.data(), bytes.size()), 0600);
}

}  // namespace helpline::gui
