#include <windows.h>
// DXGI Desktop Duplication; after windows.h.
#include <d3d11.h>
#include <dxgi1_2.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <utility>
#include <vector>

#include "client/core/win32_util.h"
#include "client/win_vnc/screen_capture.h"

namespace helpline::win_vnc {

namespace {

using client::win32::last_error_text;

/// A 32-bit top-down DIB section with a memory DC: the picture a capture hands out, in which
/// GDI can draw (BitBlt copies the screen into it; the cursor is drawn into it).
class DibCanvas {
  public:
    DibCanvas() = default;
    ~DibCanvas() { release(); }
    DibCanvas(const DibCanvas&) = delete;
    DibCanvas& operator=(const DibCanvas&) = delete;

    /// Makes it `width`×`height`, unless it is that size already.
    Status resize(int width, int height) {
        if (width == width_ && height == height_ && bits_ != nullptr) return Ok{};
        release();
        dc_ = ::CreateCompatibleDC(nullptr);
        if (dc_ == nullptr)
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
        bitmap_ = ::CreateDIBSection(dc_, &info, DIB_RGB_COLORS, &bits, nullptr, 0);
        if (bitmap_ == nullptr || bits == nullptr) {
            release();
            return make_error("capture.memory",
                              fmt::format("Could not make room for a {}×{} screen picture: {}.",
                                          width, height, last_error_text()));
        }
        previous_ = ::SelectObject(dc_, bitmap_);
        bits_ = static_cast<std::uint8_t*>(bits);
        width_ = width;
        height_ = height;
        return Ok{};
    }

    HDC dc() const { return dc_; }
    std::uint8_t* bits() const { return bits_; }
    int width() const { return width_; }
    int height() const { return height_; }
    /// The picture, once GDI has finished drawing into it.
    FrameView view() const {
        ::GdiFlush();
        return FrameView{bits_, width_, height_, width_ * 4};
    }

    /// The cursor where it is, as the customer sees it (neither BitBlt nor Desktop
    /// Duplication's picture has it): drawn into the picture rather than sent as a cursor
    /// shape, so that every viewer shows it and its position needs no messages of its own.
    /// (`left`, `top`): the virtual screen's origin.
    void draw_cursor(int left, int top) const {
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
        ::DrawIconEx(dc_, cursor.ptScreenPos.x - left - hotspot.x,
                     cursor.ptScreenPos.y - top - hotspot.y, shape, 0, 0, 0, nullptr, DI_NORMAL);
    }

  private:
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
        if (dc_ != nullptr && previous_ != nullptr) ::SelectObject(dc_, previous_);
        if (bitmap_ != nullptr) ::DeleteObject(bitmap_);
        if (dc_ != nullptr) ::DeleteDC(dc_);
        dc_ = nullptr;
        bitmap_ = nullptr;
        previous_ = nullptr;
        bits_ = nullptr;
        width_ = height_ = 0;
    }

    HDC dc_ = nullptr;
    HBITMAP bitmap_ = nullptr;
    HGDIOBJ previous_ = nullptr;  ///< what dc_ held before bitmap_
    std::uint8_t* bits_ = nullptr;
    int width_ = 0, height_ = 0;
};

/// The virtual screen: the rectangle around every monitor, its origin at the left and top of
/// the leftmost and topmost one (negative when they are left of or above the primary
/// monitor). Read at every capture: monitors come and go, resolutions change.
struct VirtualScreen {
    int left = 0, top = 0, width = 0, height = 0;
    static Result<VirtualScreen> now() {
        VirtualScreen v{::GetSystemMetrics(SM_XVIRTUALSCREEN), ::GetSystemMetrics(SM_YVIRTUALSCREEN),
                        ::GetSystemMetrics(SM_CXVIRTUALSCREEN), ::GetSystemMetrics(SM_CYVIRTUALSCREEN)};
        if (v.width <= 0 || v.height <= 0)
            return make_error("capture.size",
                              "Windows reports no screen in this session (is it a service or a "
                              "session without a desktop?).");
        return v;
    }
    bool operator==(const VirtualScreen&) const = default;
};

/// GDI: BitBlt of the whole virtual screen into the canvas. What every Windows has, and all
/// that Wine has.
class GdiCapture final : public FrameSource {
  public:
    Result<FrameView> capture() override {
        auto screen = VirtualScreen::now();
        if (!screen) return screen.error();
        if (auto grabbed = grab(*screen, canvas_); !grabbed) return grabbed.error();
        canvas_.draw_cursor(screen->left, screen->top);
        return canvas_.view();
    }

    /// The screen's pixels (no cursor) into `canvas`, sized to the virtual screen.
    static Status grab(const VirtualScreen& screen, DibCanvas& canvas) {
        if (auto made = canvas.resize(screen.width, screen.height); !made) return made;
        const auto dc = client::win32::screen_dc();
        if (dc == nullptr)
            return make_error("capture.dc", fmt::format("The screen cannot be opened for reading: "
                                                        "{}.",
                                                        last_error_text()));
        // CAPTUREBLT: windows drawn in layers (menus, tooltips, transparent windows) too.
        if (!::BitBlt(canvas.dc(), 0, 0, screen.width, screen.height, dc.get(), screen.left,
                      screen.top, SRCCOPY | CAPTUREBLT))
            return make_error("capture.read",
                              fmt::format("The screen could not be copied: {}.", last_error_text()));
        ::GdiFlush();
        return Ok{};
    }

  private:
    DibCanvas canvas_;
};

/// A COM pointer, released at scope end.
template <class T>
class Com {
  public:
    Com() = default;
    ~Com() { reset(); }
    Com(Com&& other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
    Com& operator=(Com&& other) noexcept {
        if (this != &other) {
            reset();
            p_ = std::exchange(other.p_, nullptr);
        }
        return *this;
    }
    Com(const Com&) = delete;
    Com& operator=(const Com&) = delete;
    T* get() const { return p_; }
    T* operator->() const { return p_; }
    T** out() {
        reset();
        return &p_;
    }
    void** out_void() { return reinterpret_cast<void**>(out()); }
    explicit operator bool() const { return p_ != nullptr; }
    void reset() {
        if (p_ != nullptr) p_->Release();
        p_ = nullptr;
    }

  private:
    T* p_ = nullptr;
};

using CreateFactory = HRESULT(WINAPI*)(REFIID, void**);
using CreateDevice = HRESULT(WINAPI*)(IDXGIAdapter*, D3D_DRIVER_TYPE, HMODULE, UINT,
                                      const D3D_FEATURE_LEVEL*, UINT, UINT, ID3D11Device**,
                                      D3D_FEATURE_LEVEL*, ID3D11DeviceContext**);

/// A function of a system DLL, looked up: a Windows without Direct3D 11 (or Wine without the
/// duplication API) still gets GDI.
template <class F>
F system_function(const wchar_t* dll, const char* name) {
    HMODULE module = ::LoadLibraryExW(dll, nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (module == nullptr) return nullptr;
    // Through void (*)(), which GCC accepts as a cast to any function type.
    return reinterpret_cast<F>(reinterpret_cast<void (*)()>(::GetProcAddress(module, name)));
}

/// DXGI Desktop Duplication: every monitor's picture as the compositor made it, read only
/// when it changed — far cheaper than BitBlt on a real GPU. Each monitor of the desktop is
/// duplicated on its own adapter and copied to its place in a picture of the virtual screen;
/// the cursor is then drawn in as GDI's capture does. When the duplication is lost (a
/// resolution change, a switch to the secure desktop of UAC or Ctrl+Alt+Del, a full-screen
/// program) it is made again at the next capture; while it cannot be, that capture is GDI's.
class DxgiCapture final : public FrameSource {
  public:
    /// The duplication of every monitor, or why there is none (then GDI serves).
    static Result<std::unique_ptr<DxgiCapture>> open() {
        auto capture = std::unique_ptr<DxgiCapture>(new DxgiCapture());
        if (auto made = capture->duplicate(); !made) return made.error();
        return capture;
    }

    Result<FrameView> capture() override {
        auto screen = VirtualScreen::now();
        if (!screen) return screen.error();
        if (*screen != screen_ || outputs_.empty()) {
            // While it cannot be made (the secure desktop is shown), GDI's capture serves,
            // and the duplication is tried again once a second, not at every frame.
            const auto now = std::chrono::steady_clock::now();
            if (*screen == screen_ && now - last_attempt_ < std::chrono::seconds(1)) return gdi_.capture();
            last_attempt_ = now;
            if (auto made = duplicate(); !made) return gdi_.capture();
        }
        for (Output& output : outputs_) {
            if (auto read = read_changes(output); !read) {
                outputs_.clear();  // made again at the next capture
                return gdi_.capture();
            }
        }
        if (auto sized = canvas_.resize(screen_.width, screen_.height); !sized) return sized.error();
        std::memcpy(canvas_.bits(), desktop_.data(), desktop_.size());
        canvas_.draw_cursor(screen_.left, screen_.top);
        return canvas_.view();
    }

  private:
    struct Output {
        Com<ID3D11Device> device;
        Com<ID3D11DeviceContext> context;
        Com<IDXGIOutputDuplication> duplication;
        Com<ID3D11Texture2D> staging;  ///< CPU-readable copy of the last frame
        RECT place{};                  ///< on the desktop, in desktop coordinates
    };

    DxgiCapture() = default;

    /// Duplicates every monitor attached to the desktop; the picture starts as GDI sees it.
    Status duplicate() {
        outputs_.clear();
        static const auto create_factory = system_function<CreateFactory>(L"dxgi.dll", "CreateDXGIFactory1");
        static const auto create_device = system_function<CreateDevice>(L"d3d11.dll", "D3D11CreateDevice");
        if (create_factory == nullptr || create_device == nullptr)
            return make_error("capture.dxgi", "Direct3D 11 is not available.");
        auto screen = VirtualScreen::now();
        if (!screen) return screen.error();
        Com<IDXGIFactory1> factory;
        if (FAILED(create_factory(__uuidof(IDXGIFactory1), factory.out_void())))
            return make_error("capture.dxgi", "DXGI cannot be used.");
        std::vector<Output> outputs;
        Com<IDXGIAdapter1> adapter;
        for (UINT a = 0; factory->EnumAdapters1(a, adapter.out()) != DXGI_ERROR_NOT_FOUND; ++a) {
            if (!adapter) continue;
            Com<IDXGIOutput> output;
            for (UINT o = 0; adapter->EnumOutputs(o, output.out()) != DXGI_ERROR_NOT_FOUND; ++o) {
                DXGI_OUTPUT_DESC desc{};
                if (!output || FAILED(output->GetDesc(&desc)) || !desc.AttachedToDesktop) continue;
                // A rotated monitor's frames come unrotated: GDI serves such a desktop.
                if (desc.Rotation != DXGI_MODE_ROTATION_IDENTITY &&
                    desc.Rotation != DXGI_MODE_ROTATION_UNSPECIFIED)
                    return make_error("capture.dxgi", "A monitor is rotated.");
                const RECT r = desc.DesktopCoordinates;
                if (r.left < screen->left || r.top < screen->top ||
                    r.right > screen->left + screen->width || r.bottom > screen->top + screen->height)
                    return make_error("capture.dxgi", "A monitor lies outside the virtual screen.");
                Output made;
                made.place = r;
                if (FAILED(create_device(adapter.get(), D3D_DRIVER_TYPE_UNKNOWN, nullptr, 0, nullptr, 0,
                                         D3D11_SDK_VERSION, made.device.out(), nullptr,
                                         made.context.out())))
                    return make_error("capture.dxgi", "No Direct3D 11 device for a monitor.");
                Com<IDXGIOutput1> output1;
                if (FAILED(output->QueryInterface(__uuidof(IDXGIOutput1), output1.out_void())) ||
                    FAILED(output1->DuplicateOutput(made.device.get(), made.duplication.out())))
                    return make_error("capture.dxgi", "A monitor cannot be duplicated.");
                DXGI_OUTDUPL_DESC dup{};
                made.duplication->GetDesc(&dup);
                if (dup.ModeDesc.Format != DXGI_FORMAT_B8G8R8A8_UNORM)
                    return make_error("capture.dxgi", "A monitor's pixels are not 32-bit BGRA.");
                outputs.push_back(std::move(made));
            }
        }
        if (outputs.empty()) return make_error("capture.dxgi", "No monitor could be duplicated.");
        // What no frame has shown yet (a monitor whose picture has not changed since) is as
        // GDI sees it now.
        if (auto grabbed = GdiCapture::grab(*screen, canvas_); !grabbed) return grabbed;
        desktop_.assign(canvas_.bits(), canvas_.bits() + std::size_t(screen->width) * std::size_t(screen->height) * 4);
        screen_ = *screen;
        outputs_ = std::move(outputs);
        return Ok{};
    }

    /// Copies `output`'s new frame, if it has one, to its place in desktop_.
    Status read_changes(Output& output) {
        DXGI_OUTDUPL_FRAME_INFO info{};
        Com<IDXGIResource> resource;
        const HRESULT acquired = output.duplication->AcquireNextFrame(0, &info, resource.out());
        if (acquired == DXGI_ERROR_WAIT_TIMEOUT) return Ok{};  // nothing new
        if (FAILED(acquired)) return make_error("capture.dxgi", "The duplication was lost.");
        Status copied = copy_frame(output, info, resource);
        output.duplication->ReleaseFrame();
        return copied;
    }

    Status copy_frame(Output& output, const DXGI_OUTDUPL_FRAME_INFO& info, Com<IDXGIResource>& resource) {
        if (info.LastPresentTime.QuadPart == 0) return Ok{};  // only the pointer moved
        Com<ID3D11Texture2D> texture;
        if (FAILED(resource->QueryInterface(__uuidof(ID3D11Texture2D), texture.out_void())))
            return make_error("capture.dxgi", "A frame is not a texture.");
        D3D11_TEXTURE2D_DESC desc{};
        texture->GetDesc(&desc);
        if (!output.staging) {
            D3D11_TEXTURE2D_DESC staging = desc;
            staging.Usage = D3D11_USAGE_STAGING;
            staging.BindFlags = 0;
            staging.CPUAccessFlags = D3D11_CPU_ACCESS_READ;
            staging.MiscFlags = 0;
            staging.MipLevels = 1;
            staging.ArraySize = 1;
            staging.SampleDesc = {1, 0};
            if (FAILED(output.device->CreateTexture2D(&staging, nullptr, output.staging.out())))
                return make_error("capture.dxgi", "No room for a copy of a frame.");
        }
        output.context->CopyResource(output.staging.get(), texture.get());
        D3D11_MAPPED_SUBRESOURCE mapped{};
        if (FAILED(output.context->Map(output.staging.get(), 0, D3D11_MAP_READ, 0, &mapped)))
            return make_error("capture.dxgi", "A frame cannot be read.");
        const int x = output.place.left - screen_.left, y = output.place.top - screen_.top;
        const int width = std::min<int>(static_cast<int>(desc.Width), output.place.right - output.place.left);
        const int height = std::min<int>(static_cast<int>(desc.Height), output.place.bottom - output.place.top);
        const auto* from = static_cast<const std::uint8_t*>(mapped.pData);
        const std::size_t stride = std::size_t(screen_.width) * 4;
        for (int row = 0; row < height; ++row)
            std::memcpy(desktop_.data() + std::size_t(y + row) * stride + std::size_t(x) * 4,
                        from + std::size_t(row) * mapped.RowPitch, std::size_t(width) * 4);
        output.context->Unmap(output.staging.get(), 0);
        return Ok{};
    }

    std::vector<Output> outputs_;
    std::chrono::steady_clock::time_point last_attempt_{};
    VirtualScreen screen_;
    std::vector<std::uint8_t> desktop_;  ///< the virtual screen without the cursor
    DibCanvas canvas_;                   ///< desktop_ with the cursor: what capture() hands out
    GdiCapture gdi_;                     ///< while the duplication cannot be made
};

}  // namespace

std::unique_ptr<FrameSource> open_screen_capture(const std::function<void(const std::string&)>& log) {
    auto dxgi = DxgiCapture::open();
    if (dxgi) {
        log("The screen is read through DXGI Desktop Duplication.");
        return std::move(*dxgi);
    }
    log("The screen is read through GDI: " + dxgi.error().message);
    return std::make_unique<GdiCapture>();
}

}  // namespace helpline::win_vnc
