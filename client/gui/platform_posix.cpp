#include <sys/stat.h>
#include <sys/types.h>
#include <wx/app.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>

#include "client/gui/platform.h"

namespace helpline::gui::platform {

namespace fs = std::filesystem;

std::string system_language() {
    for (const char* name : {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"}) {
        const char* value = std::getenv(name);
        if (value == nullptr || *value == '\0') continue;
        std::string v(value);
        v = v.substr(0, v.find(':'));  // LANGUAGE may list several
        if (v == "C" || v == "POSIX" || v.rfind("C.", 0) == 0) return "en";
        return v;
    }
    return "en";
}

void use_parent_console() {}

void set_program_icon(wxTopLevelWindow*) {}

bool has_display() {
    const auto set = [](const char* name) {
        const char* value = std::getenv(name);
        return value != nullptr && *value != '\0';
    };
    return set("DISPLAY") || set("WAYLAND_DISPLAY");
}

void close_on_signals() {
    for (int sig : {SIGTERM, SIGINT, SIGHUP})
        wxTheApp->SetSignalHandler(sig, [](int) {
            if (wxTheApp != nullptr) wxTheApp->ExitMainLoop();
        });
}

std::string instance_lock_name(const std::string&) {
    return "helpline.lock";
}

std::tm local_time(std::time_t t) {
    std::tm tm{};
    ::localtime_r(&t, &tm);
    return tm;
}

fs::path cache_base(const std::string& profile_id) {
    fs::path base;
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && xdg[0] == '/')
        base = xdg;  // relative values are ignored, as the specification says
    else if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0')
        base = fs::path(home) / ".cache";
    else
        base = fs::temp_directory_path();
    return base / "helpline" / profile_id;
}

bool make_private_folder(const fs::path& dir) {
    // The folders that are missing are made the user's alone; those that exist are left as
    // they are (the cache, another brand's), except `dir` itself.
    fs::path path;
    for (const auto& part : dir) {
        path /= part;
        if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return false;
    }
    return ::chmod(dir.c_str(), 0700) == 0;
}

}  // namespace helpline::gui::platform
