#pragma once
// Small pictures of images — a screenshot just taken, an image file the customer attaches, an
// image of the conversation downloaded into the cache — made on a worker thread (decoding a
// 20 MiB picture takes a moment) as plain bytes, and turned into a wxBitmap on the main
// thread. Also: saving a captured screen as a PNG file (mode 0600).

#include <wx/bitmap.h>

#include <filesystem>
#include <optional>
#include <vector>

#include "client/gui/screen_capture.h"
#include "shared/result.h"

namespace helpline::gui {

/// How large a thumbnail is at most (DIPs are applied by the caller).
inline constexpr int kThumbnailSize = 96;

struct Thumbnail {
    int width = 0;
    int height = 0;
    std::vector<unsigned char> rgb;    ///< 3 bytes a pixel
    std::vector<unsigned char> alpha;  ///< empty, or one byte a pixel
    bool empty() const { return width <= 0 || height <= 0; }
};

/// Registers wx's image formats (PNG, JPEG, GIF, WebP where wx has it). Main thread, before
/// any worker decodes an image; harmless when called again.
void ensure_image_handlers();

/// The image in `file` scaled to fit `max` x `max` (never enlarged); nullopt when it is not
/// an image wx can read. Any thread.
std::optional<Thumbnail> thumbnail_of_file(const std::filesystem::path& file, int max);
/// The same for a captured picture.
Thumbnail thumbnail_of(const CapturedImage& image, int max);
/// Main thread.
wxBitmap to_bitmap(const Thumbnail& thumbnail);

/// Writes `image` as a PNG to `file` (atomically, mode 0600). Any thread.
Status save_png(const CapturedImage& image, const std::filesystem::path& file);

}  // namespace helpline::gui
