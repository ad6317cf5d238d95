#pragma once
// Small pieces the client core's Windows files share (built on Windows only): UTF-8 <->
// UTF-16 at the edges of the wide-character API, the system's text for an error code, a
// handle closed at scope end, the user's SID, and GDI resources released at scope end.

#include <windows.h>

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "shared/win32_text.h"

namespace helpline::client::win32 {

using helpline::win32::error_text;
using helpline::win32::to_utf8;
using helpline::win32::to_wide;
/// error_text(GetLastError()).
std::string last_error_text();

/// The SID of the user this process runs as, as text ("S-1-5-21-..."); empty if unreadable.
std::wstring current_user_sid();

/// A kernel handle closed at scope end; null and INVALID_HANDLE_VALUE both mean none.
class UniqueHandle {
  public:
    explicit UniqueHandle(HANDLE h = nullptr) : h_(h) {}
    ~UniqueHandle() { reset(); }
    UniqueHandle(const UniqueHandle&) = delete;
    UniqueHandle& operator=(const UniqueHandle&) = delete;
    UniqueHandle(UniqueHandle&& other) noexcept : h_(std::exchange(other.h_, nullptr)) {}
    UniqueHandle& operator=(UniqueHandle&& other) noexcept {
        if (this != &other) {
            reset();
            h_ = std::exchange(other.h_, nullptr);
        }
        return *this;
    }
    HANDLE get() const { return h_; }
    bool valid() const { return h_ != nullptr && h_ != INVALID_HANDLE_VALUE; }
    void reset(HANDLE h = nullptr) {
        if (valid()) ::CloseHandle(h_);
        h_ = h;
    }

  private:
    HANDLE h_;
};

/// GDI and USER resources released at scope end: the screen's device context (from
/// screen_dc()), a memory DC (CreateCompatibleDC), a GDI object (a bitmap, a pen).
struct ScreenDcRelease {
    void operator()(HDC dc) const { ::ReleaseDC(nullptr, dc); }
};
struct MemoryDcDelete {
    void operator()(HDC dc) const { ::DeleteDC(dc); }
};
struct GdiObjectDelete {
    void operator()(HGDIOBJ object) const { ::DeleteObject(object); }
};
using ScreenDc = std::unique_ptr<std::remove_pointer_t<HDC>, ScreenDcRelease>;
using MemoryDc = std::unique_ptr<std::remove_pointer_t<HDC>, MemoryDcDelete>;
using GdiObject = std::unique_ptr<std::remove_pointer_t<HGDIOBJ>, GdiObjectDelete>;
/// The whole screen's device context (null when the session has no desktop to read).
inline ScreenDc screen_dc() { return ScreenDc(::GetDC(nullptr)); }

}  // namespace helpline::client::win32
