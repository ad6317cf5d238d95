#include <windows.h>
// CommandLineToArgvW; after windows.h.
#include <shellapi.h>

#include "client/core/win32_util.h"
#include "client/win_vnc/process_setup.h"

namespace helpline::win_vnc {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_finished{false};

BOOL WINAPI on_console_event(DWORD event) {
    switch (event) {
        case CTRL_C_EVENT:
        case CTRL_BREAK_EVENT:
            g_stop = true;
            return TRUE;
        case CTRL_CLOSE_EVENT:
        case CTRL_LOGOFF_EVENT:
        case CTRL_SHUTDOWN_EVENT:
            // Windows ends the process once this returns: the session loop gets its moment
            // to release the keys and buttons the viewer held.
            g_stop = true;
            for (int waited = 0; waited < 2000 && !g_finished; waited += 10) ::Sleep(10);
            return TRUE;
        default:
            return FALSE;
    }
}

/// SetProcessDpiAwarenessContext came with Windows 10 1703: looked up, so that the program
/// still starts (system-DPI aware) on an older Windows.
void become_dpi_aware() {
    using SetContext = BOOL(WINAPI*)(DPI_AWARENESS_CONTEXT);
    if (HMODULE user32 = ::GetModuleHandleW(L"user32.dll")) {
        // Through void (*)(), which GCC accepts as a cast to any function type.
        const auto set_context = reinterpret_cast<SetContext>(reinterpret_cast<void (*)()>(
            ::GetProcAddress(user32, "SetProcessDpiAwarenessContext")));
        if (set_context != nullptr &&
            set_context(DPI_AWARENESS_CONTEXT_PER_MONITOR_AWARE_V2))
            return;
    }
    ::SetProcessDPIAware();
}

}  // namespace

void prepare_process() {
    become_dpi_aware();
    ::SetConsoleCtrlHandler(on_console_event, TRUE);
}

const std::atomic<bool>& stop_requested() { return g_stop; }

void session_finished() { g_finished = true; }

std::vector<std::string> utf8_arguments(int argc, char** argv) {
    int count = 0;
    wchar_t** wide = ::CommandLineToArgvW(::GetCommandLineW(), &count);
    if (wide == nullptr) return std::vector<std::string>(argv, argv + argc);
    std::vector<std::string> arguments;
    for (int i = 0; i < count; ++i) arguments.push_back(client::win32::to_utf8(wide[i]));
    ::LocalFree(wide);
    return arguments;
}

}  // namespace helpline::win_vnc
