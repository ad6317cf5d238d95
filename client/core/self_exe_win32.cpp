#include <fmt/format.h>
#include <windows.h>

#include <string>

#include "client/core/self_exe.h"
#include "client/core/win32_util.h"

namespace helpline::client {

Result<std::filesystem::path> self_executable_path() {
    // Past MAX_PATH (a long-path folder), GetModuleFileNameW truncates and says
    // ERROR_INSUFFICIENT_BUFFER: grow up to the 32767 characters a path can have.
    std::wstring buffer(MAX_PATH, L'\0');
    while (true) {
        const DWORD n =
            ::GetModuleFileNameW(nullptr, buffer.data(), static_cast<DWORD>(buffer.size()));
        if (n == 0)
            return make_error("self.path",
                              fmt::format("Could not find this program's own file: {}.",
                                          win32::last_error_text()));
        if (n < buffer.size()) {
            buffer.resize(n);
            return std::filesystem::path(buffer);
        }
        if (buffer.size() >= 32768)
            return make_error("self.path",
                              "Could not find this program's own file: its path is too long.");
        buffer.resize(buffer.size() * 2);
    }
}

}  // namespace helpline::client
