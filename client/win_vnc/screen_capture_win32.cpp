#include <windows.h>

#include <fmt/format.h>

#include <utility>

#include "client/core/win32_util.h"
#include "client/win_vnc/screen_capture.h"

namespace helpline::win_vnc {

namespace {

using client::win32::last_error_text;

/// The screen's device context, released at scope end.
class ScreenDc {
  public:
    ScreenDc() : dc_(::GetDC(nullptr)) {}
    ~ScreenDc() {
        if (dc_ != nullptr) ::ReleaseDC(nullptr, dc_);
    }
    ScreenDc(const ScreenDc&) = delete;
    ScreenDc& operator=(const ScreenDc&) = delete;
    HDC get() const { return dc_; }

  private:
    HDC dc_;
};

class GdiCapture final : public FrameSource {
  public:
    GdiCapture() = default;
    ~GdiCapture() override { release(); }
    GdiCapture(const GdiCapture&) = delete;
    GdiCapture& operator=(const GdiCapture&) = delete;

    Result<FrameView> capture() override {
        // The virtual screen: the rectangle around every monitor, its origin at the left and
        // top of the leftmost and topmost one (negative when they are left of or above the
        // primary monitor). Read every time: monitors come and go, resolutions change.
        const int left = ::GetSystemMetrics(SM_XVIRTUALSCREEN);
        const int top = ::GetSystemMetrics(SM_YVIRTUALSCREEN);
        const int width = ::GetSystemMetrics(SM_CXVIRTUALSCREEN);
        const int height = ::GetSystemMetrics(SM_CYVIRTUALSCREEN);
        if (width <= 0 || height <= 0)
            return make_error("capture.size",
                              "Windows reports no screen in this session (is it a service or a "
                              "session without a desktop?).");
        if (width != width_ || height != height_) {
            if (auto made = make_bitmap(width, height); !made) return made.error();
        }
        const ScreenDc screen;
        if (screen.get() == nullptr)
            return make_error("capture.dc", fmt::format("The screen cannot be opened for reading: "
                                                        "{}.",
                                                        last_error_text()));
        // CAPTUREBLT: windows drawn in layers (menus, tooltips, transparent windows) too.
        if (!::BitBlt(memory_dc_, 0, 0, width, height, screen.get(), left, top,
                      SRCCOPY | CAPTUREBLT))
            return make_error("capture.read",
                              fmt::format("The screen could not be copied: {}.", last_error_text()));
        draw_cursor(left, top);
        ::GdiFlush();  // the DIB section's memory holds the picture now
        return FrameView{bits_, width, height, width * 4};
    }

  private:
    Status make_bitmap(int width, int height) {
        release();
        memory_dc_ = ::CreateCompatibleDC(nullptr);
        if (memory_dc_ == nullptr)
            return make_error("capture.dc", fmt::format("Could not prepare the screen capture: {}.",
                                                        last_error_text()));
        BITMAPINFO info{};
        info.bmiHeader.biSize = sizeof info.bmiHeader;
        info.bmiHeader.biWidth = width;
        info.bmiHeader.biHeight = -height;  // top-down: rows in the order VNC sends them
        info.bmiHeader.biPlanes = 1;
        info.bmiHeader.biBitCount = 32;
        info.bmiHeader.biCompression = BI_RGB;
        void* bits = nullptr;
        bitmap_ = ::CreateDIBSection(memory_dc_, &info, DIB_RGB_COLORS, &bits, nullptr, 0);
        if (bitmap_ == nullptr || bits == nullptr) {
            release();
            return make_error("capture.memory",
                              fmt::format("Could not make room for a {}×{} screen picture: {}.",
                                          width, height, last_error_text()));
        }
        previous_ = ::SelectObject(memory_dc_, bitmap_);
        bits_ = static_cast<const std::uint8_t*>(bits);
        width_ = width;
        height_ = height;
        return Ok{};
    }

    /// The cursor where it is, as the customer sees it (BitBlt leaves it out): drawn into the
    /// picture rather than sent as a cursor shape, so that every viewer shows it and its
    /// position needs no messages of its own.
    void draw_cursor(int left, int top) {
        CURSORINFO cursor{};
        cursor.cbSize = sizeof cursor;
        if (!::GetCursorInfo(&cursor) || (cursor.flags & CURSOR_SHOWING) == 0 ||
            cursor.hCursor == nullptr)
            return;
        HCURSOR shape = cursor.hCursor;
        POINT hotspot{};
        if (!hotspot_of(shape, hotspot)) {
            // Wine keeps a cursor's picture in the process that made it, so another program's
            // cursor cannot be read or drawn there (Windows shares them): the arrow stands in.
            shape = ::LoadCursorW(nullptr, IDC_ARROW);
            if (shape == nullptr || !hotspot_of(shape, hotspot)) return;
        }
        ::DrawIconEx(memory_dc_, cursor.ptScreenPos.x - left - hotspot.x,
                     cursor.ptScreenPos.y - top - hotspot.y, shape, 0, 0, 0, nullptr, DI_NORMAL);
    }

    static bool hotspot_of(HCURSOR shape, POINT& hotspot) {
        ICONINFO icon{};
        if (!::GetIconInfo(shape, &icon)) return false;
        // GetIconInfo hands over copies of the cursor's bitmaps; only the hotspot is wanted.
        if (icon.hbmMask != nullptr) ::DeleteObject(icon.hbmMask);
        if (icon.hbmColor != nullptr) ::DeleteObject(icon.hbmColor);
        hotspot = POINT{static_cast<LONG>(icon.xHotspot), static_cast<LONG>(icon.yHotspot)};
        return true;
    }

    void release() {
        if (memory_dc_ != nullptr && previous_ != nullptr) ::SelectObject(memory_dc_, previous_);
        if (bitmap_ != nullptr) ::DeleteObject(bitmap_);
        if (memory_dc_ != nullptr) ::DeleteDC(memory_dc_);
        memory_dc_ = nullptr;
        bitmap_ = nullptr;
        previous_ = nullptr;
        bits_ = nullptr;
        width_ = height_ = 0;
    }

    HDC memory_dc_ = nullptr;
    HBITMAP bitmap_ = nullptr;
    HGDIOBJ previous_ = nullptr;  ///< what memory_dc_ held before bitmap_
    const std::uint8_t* bits_ = nullptr;
    int width_ = 0, height_ = 0;
};

}  // namespace

std::unique_ptr<FrameSource> open_screen_capture() { return std::make_unique<GdiCapture>(); }

}  // namespace helpline::win_vnc
