// ScreenCapture on Windows: the picture is a GDI BitBlt of the virtual screen (every monitor;
// physical pixels, the client being per-monitor DPI aware by its manifest). The window the
// customer chooses is found from their next click, seen by low-level mouse and keyboard hooks
// that keep that click (and Esc, and the right button) from reaching any program: the
// window under the point (WindowFromPoint, which skips the client's hidden windows), its
// top-level ancestor, and that one's rectangle as the desktop draws it.
// clang-format off
#include <windows.h>
#include <dwmapi.h>
// clang-format on

#include <wx/timer.h>
#include <wx/toplevel.h>
#include <wx/weakref.h>

#include <algorithm>
#include <optional>
#include <string>

#include "client/core/win32_util.h"
#include "client/gui/screen_capture_flow.h"
#include "shared/win32_text.h"

namespace helpline::gui {
namespace {

class Win32Capture final : public ScreenCapture::Impl {
  public:
    std::vector<HWND> handles;  ///< the hidden windows'

    // Low-level hooks have no user data: the one capture choosing a window is found here.
    // Hooks run on the thread that installed them (the main one), from its message loop.
    static inline Win32Capture* choosing_now = nullptr;
    HHOOK mouse_hook = nullptr;
    HHOOK keyboard_hook = nullptr;
    std::optional<CaptureOutcome::State> chose;  ///< set by the hooks: cancelled or captured
    POINT chosen_at{};
    bool button_down = false;  ///< the chosen click's button is still down: its "up" is kept too
    Clock::time_point chose_at;

    explicit Win32Capture(ScreenCapture* o) : Impl(o) {}

    std::optional<CapturedImage> grab() const override {
        const auto screen = client::win32::screen_dc();
        if (screen == nullptr) return std::nullopt;
        const client::win32::MemoryDc memory(::CreateCompatibleDC(screen.get()));
        BITMAPINFO info{};
        info.bmiHeader.biSize = sizeof(BITMAPINFOHEADER);
        info.bmiHeader.biWidth = width;
        info.bmiHeader.biHeight = -height;  // rows top to bottom
        info.bmiHeader.biPlanes = 1;
        info.bmiHeader.biBitCount = 32;
        info.bmiHeader.biCompression = BI_RGB;
        void* bits = nullptr;
        const client::win32::GdiObject bitmap(
            ::CreateDIBSection(screen.get(), &info, DIB_RGB_COLORS, &bits, nullptr, 0));
        if (memory.get() == nullptr || bitmap.get() == nullptr || bits == nullptr)
            return std::nullopt;
        const HGDIOBJ before = ::SelectObject(memory.get(), bitmap.get());
        // CAPTUREBLT: layered windows (tooltips, other programs' translucent windows) too.
        const BOOL copied =
            ::BitBlt(memory.get(), 0, 0, width, height, screen.get(), x, y, SRCCOPY | CAPTUREBLT);
        ::GdiFlush();
        ::SelectObject(memory.get(), before);
        if (!copied) return std::nullopt;
        CapturedImage image;
        image.width = width;
        image.height = height;
        const auto count = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
        image.rgb.resize(count * 3);
        const auto* in = static_cast<const unsigned char*>(bits);  // B, G, R, unused
        unsigned char* out = image.rgb.data();
        for (std::size_t i = 0; i < count; ++i, in += 4) {
            *out++ = in[2];
            *out++ = in[1];
            *out++ = in[0];
        }
        return image;
    }

    std::string grab_problem() const override {
        return "Windows did not give the screen's picture (BitBlt).";
    }

    void forget_hidden() override { handles.clear(); }

    void start() override {
        x = ::GetSystemMetrics(SM_XVIRTUALSCREEN);
        y = ::GetSystemMetrics(SM_YVIRTUALSCREEN);
        width = ::GetSystemMetrics(SM_CXVIRTUALSCREEN);
        height = ::GetSystemMetrics(SM_CYVIRTUALSCREEN);
        if (width <= 0 || height <= 0)
            return fail("The screen cannot be captured: Windows reports no screen.");

        std::erase_if(hidden, [](const auto& w) { return !w || !w->IsShown(); });
        for (auto& window : hidden) {
            if (window->IsActive()) active = window.get();
            if (auto* hwnd = static_cast<HWND>(window->GetHWND())) handles.push_back(hwnd);
        }
        for (auto& window : hidden) window->Hide();
        phase = Phase::hiding;
        deadline = Clock::now() + timing.hide_deadline;
        tick();
    }

    bool all_hidden() const {
        return std::none_of(handles.begin(), handles.end(),
                            [](HWND w) { return ::IsWindow(w) && ::IsWindowVisible(w); });
    }

    void tick() override {
        switch (phase) {
            case Phase::hiding:
                if (all_hidden()) {
                    if (mode == CaptureMode::window) {
                        if (!hook_input())
                            return fail("The click that chooses a window cannot be watched: " +
                                        win32::error_text(::GetLastError()));
                        return begin_choosing();
                    }
                    begin_settling();
                    return tick();
                }
                return still_hiding();
            case Phase::choosing:
                // The button's release is kept from the window under it as its press was,
                // for a moment at most.
                if (chose && (!button_down || Clock::now() - chose_at > std::chrono::seconds(1)))
                    return take_choice(*chose);
                if (!chose && Clock::now() >= deadline) return finish_cancelled();  // the input goes too
                return schedule(timing.poll);
            case Phase::settling:
                return settle();
            case Phase::idle:
            case Phase::grabbing:  // X11's: the hooks are set at once or not at all
            case Phase::finished:
                return;
        }
    }

    bool hook_input() {
        if (choosing_now != nullptr && choosing_now != this) return false;
        choosing_now = this;
        const HINSTANCE module = ::GetModuleHandleW(nullptr);
        if (mouse_hook == nullptr)
            mouse_hook = ::SetWindowsHookExW(WH_MOUSE_LL, &Win32Capture::on_mouse, module, 0);
        // Esc cancels; without the keyboard hook the right button still does.
        if (keyboard_hook == nullptr)
            keyboard_hook = ::SetWindowsHookExW(WH_KEYBOARD_LL, &Win32Capture::on_key, module, 0);
        if (mouse_hook == nullptr) release_input();
        return mouse_hook != nullptr;
    }

    void release_input() override {
        if (mouse_hook != nullptr) ::UnhookWindowsHookEx(mouse_hook);
        if (keyboard_hook != nullptr) ::UnhookWindowsHookEx(keyboard_hook);
        mouse_hook = keyboard_hook = nullptr;
        if (choosing_now == this) choosing_now = nullptr;
    }

    static LRESULT CALLBACK on_mouse(int code, WPARAM message, LPARAM data) {
        Win32Capture* self = choosing_now;
        if (code != HC_ACTION || self == nullptr || self->phase != Phase::choosing)
            return ::CallNextHookEx(nullptr, code, message, data);
        const auto* event = reinterpret_cast<const MSLLHOOKSTRUCT*>(data);
        switch (message) {
            case WM_LBUTTONDOWN:
            case WM_RBUTTONDOWN:
                if (!self->chose) {
                    self->chose = message == WM_LBUTTONDOWN ? CaptureOutcome::State::captured
                                                            : CaptureOutcome::State::cancelled;
                    self->chosen_at = event->pt;
                    self->chose_at = Clock::now();
                    self->button_down = true;
                }
                return 1;  // kept from the window under the pointer
            case WM_LBUTTONUP:
            case WM_RBUTTONUP:
                self->button_down = false;
                return 1;
            default:
                return ::CallNextHookEx(nullptr, code, message, data);
        }
    }

    static LRESULT CALLBACK on_key(int code, WPARAM message, LPARAM data) {
        Win32Capture* self = choosing_now;
        if (code != HC_ACTION || self == nullptr || self->phase != Phase::choosing)
            return ::CallNextHookEx(nullptr, code, message, data);
        const auto* event = reinterpret_cast<const KBDLLHOOKSTRUCT*>(data);
        if (event->vkCode != VK_ESCAPE) return ::CallNextHookEx(nullptr, code, message, data);
        if ((message == WM_KEYDOWN || message == WM_SYSKEYDOWN) && !self->chose) {
            self->chose = CaptureOutcome::State::cancelled;
            self->chose_at = Clock::now();
        }
        return 1;
    }

    /// The chosen window's rectangle on the screen, cut to the screen; the bare desktop
    /// (or the shell's wallpaper window) stands for the whole screen.
    bool region_of_chosen() override {
        const HWND under = ::WindowFromPoint(chosen_at);
        const HWND top = under != nullptr ? ::GetAncestor(under, GA_ROOT) : nullptr;
        if (top == nullptr || top == ::GetDesktopWindow() || top == ::GetShellWindow()) return true;
        RECT r{};
        // Without the invisible resize borders that GetWindowRect counts on Windows 10.
        if (FAILED(::DwmGetWindowAttribute(top, DWMWA_EXTENDED_FRAME_BOUNDS, &r, sizeof r)) &&
            !::GetWindowRect(top, &r))
            return false;
        return crop(r.left, r.top, r.right, r.bottom);
    }
};

}  // namespace

std::unique_ptr<ScreenCapture::Impl> make_capture_impl(ScreenCapture* owner) {
    return std::make_unique<Win32Capture>(owner);
}

bool ScreenCapture::available() {
    return true;  // a program on the interactive desktop may read it
}

}  // namespace helpline::gui
