#pragma once
// Text at the edges of the Windows API (built on Windows only): UTF-8 <-> UTF-16, and the
// system's words for an error code. Shared by the file API (shared/file_io_win32.cpp) and the
// client's Windows files (client/core/win32_util.h).

#include <windows.h>

#include <string>
#include <string_view>

namespace helpline::win32 {

/// UTF-8 to UTF-16; invalid sequences become U+FFFD.
std::wstring to_wide(std::string_view utf8);
/// UTF-16 to UTF-8; unpaired surrogates become U+FFFD (path::string() would throw).
std::string to_utf8(std::wstring_view wide);

/// What the system says about `code` (FormatMessageW), without the trailing newline and full
/// stop (as strerror's texts are), e.g. "Access is denied". Falls back to "error <code>".
std::string error_text(DWORD code);

}  // namespace helpline::win32
