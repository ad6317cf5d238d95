#include "client/core/win32_util.h"

// windows.h first: the headers after it need its types.
// clang-format off
#include <windows.h>
#include <sddl.h>
// clang-format on

#include <string>
#include <vector>

namespace helpline::client::win32 {

std::string last_error_text() {
    return error_text(::GetLastError());
}

std::wstring current_user_sid() {
    HANDLE raw = nullptr;
    if (!::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &raw)) return {};
    const UniqueHandle token(raw);
    DWORD size = 0;
    ::GetTokenInformation(token.get(), TokenUser, nullptr, 0, &size);
    if (size == 0) return {};
    std::vector<unsigned char> buffer(size);
    wchar_t* sid = nullptr;
    if (!::GetTokenInformation(token.get(), TokenUser, buffer.data(), size, &size) ||
        !::ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid, &sid))
        return {};
    std::wstring text(sid);
    ::LocalFree(sid);
    return text;
}

}  // namespace helpline::client::win32
