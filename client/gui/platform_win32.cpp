#include <windows.h>
#include <wx/iconbndl.h>
#include <wx/intl.h>
#include <wx/toplevel.h>

#include <cstdio>
#include <system_error>

#include "client/core/paths.h"
#include "client/gui/platform.h"

namespace helpline::gui::platform {

namespace fs = std::filesystem;

std::string system_language() {
    // The user's UI language as Windows has it (Wine takes it from LANG and LC_ALL).
    const int language = wxLocale::GetSystemLanguage();
    if (language == wxLANGUAGE_UNKNOWN || language == wxLANGUAGE_DEFAULT) return "en";
    const wxString name = wxLocale::GetLanguageCanonicalName(language);
    return name.empty() ? std::string("en") : std::string(name.utf8_str());
}

void use_parent_console() {
    const auto missing = [](DWORD which) {
        const HANDLE h = ::GetStdHandle(which);
        return h == nullptr || h == INVALID_HANDLE_VALUE;
    };
    const bool no_out = missing(STD_OUTPUT_HANDLE), no_err = missing(STD_ERROR_HANDLE);
    if (!no_out && !no_err) return;                       // redirected: it goes there
    if (!::AttachConsole(ATTACH_PARENT_PROCESS)) return;  // started from Explorer: no console
    FILE* reopened = nullptr;
    if (no_out) (void)::freopen_s(&reopened, "CONOUT$", "w", stdout);
    if (no_err) (void)::freopen_s(&reopened, "CONOUT$", "w", stderr);
}

void set_program_icon(wxTopLevelWindow* window) {
    constexpr const wchar_t* kIcon = L"aaaa";  // helpline.rc
    const HMODULE program = ::GetModuleHandleW(nullptr);
    if (::FindResourceW(program, kIcon, RT_GROUP_ICON) == nullptr) return;
    window->SetIcons(wxIconBundle(kIcon, program));
}

bool has_display() {
    return true;
}

void close_on_signals() {}

std::string instance_lock_name(const std::string& profile_id) {
    return "helpline-" + profile_id;
}

std::tm local_time(std::time_t t) {
    std::tm tm{};
    ::localtime_s(&tm, &t);
    return tm;
}

fs::path cache_base(const std::string& profile_id) {
    // Beside the brand's state folder (%LOCALAPPDATA%\<profile id>), which ClientPaths
    // finds and makes as the rest of the client does.
    if (auto paths = client::ClientPaths::for_profile(profile_id)) return paths->state / "cache";
    return fs::temp_directory_path() / "helpline" / profile_id;
}

bool make_private_folder(const fs::path& dir) {
    std::error_code error;
    fs::create_directories(dir, error);
    return !error && fs::is_directory(dir, error);
}

}  // namespace helpline::gui::platform
