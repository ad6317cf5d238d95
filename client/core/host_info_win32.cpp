#include <fmt/format.h>
#include <windows.h>

#include "client/core/host_info.h"
#include "client/core/win32_util.h"

namespace helpline::client {
namespace {

/// A function of ntdll.dll (always loaded) by name, or null.
template <typename Function>
Function ntdll_function(const char* name) {
    const HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
    if (ntdll == nullptr) return nullptr;
    // Through void(*)(): the cast GCC accepts between unrelated function types.
    return reinterpret_cast<Function>(reinterpret_cast<void (*)()>(::GetProcAddress(ntdll, name)));
}

std::string current_version_value(const wchar_t* name) {
    wchar_t buffer[256] = {};
    DWORD size = sizeof buffer;
    if (::RegGetValueW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", name,
                       RRF_RT_REG_SZ, nullptr, buffer, &size) != ERROR_SUCCESS)
        return {};
    return win32::to_utf8(buffer);
}

std::string machine() {
    SYSTEM_INFO info{};
    ::GetNativeSystemInfo(&info);
    switch (info.wProcessorArchitecture) {
        case PROCESSOR_ARCHITECTURE_AMD64:
            return "x86_64";
        case PROCESSOR_ARCHITECTURE_ARM64:
            return "arm64";
        case PROCESSOR_ARCHITECTURE_INTEL:
            return "x86";
        default:
            return "unknown";
    }
}

}  // namespace

std::string host_name() {
    DWORD size = 0;
    ::GetComputerNameExW(ComputerNameDnsHostname, nullptr, &size);
    if (size == 0) return {};
    std::wstring name(size, L'\0');
    if (!::GetComputerNameExW(ComputerNameDnsHostname, name.data(), &size)) return {};
    name.resize(size);
    return win32::to_utf8(name);
}

std::string os_description() {
    // GetVersionEx reports what the program's manifest claims to support; RtlGetVersion the
    // version that runs.
    using RtlGetVersion = LONG(WINAPI*)(OSVERSIONINFOW*);
    OSVERSIONINFOW version{};
    version.dwOSVersionInfoSize = sizeof version;
    std::string kernel;
    if (auto get = ntdll_function<RtlGetVersion>("RtlGetVersion");
        get != nullptr && get(&version) == 0)
        kernel = fmt::format("Windows NT {}.{}.{} {}", version.dwMajorVersion,
                             version.dwMinorVersion, version.dwBuildNumber, machine());

    std::string product = current_version_value(L"ProductName");
    // Windows 11 kept "Windows 10" in ProductName; its builds start at 22000.
    if (version.dwBuildNumber >= 22000 && product.rfind("Windows 10", 0) == 0)
        product.replace(8, 2, "11");
    if (const std::string release = current_version_value(L"DisplayVersion");
        !product.empty() && !release.empty())
        product += " " + release;
    if (auto wine = ntdll_function<const char*(CDECL*)()>("wine_get_version"); wine != nullptr)
        kernel += fmt::format(" (Wine {})", wine());

    std::string out =
        product.empty() ? kernel : (kernel.empty() ? product : product + "; " + kernel);
    if (out.size() > 255) out.resize(255);
    return out;
}

}  // namespace helpline::client
