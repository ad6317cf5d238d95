#pragma once
// What the GUI does differently on Linux and on Windows, behind one header (STYLE.md §6):
// platform_posix.cpp and platform_win32.cpp, chosen by CMake. The screen capture has its own
// pair (screen_capture.h); the single-instance channel and the folders are the core's
// (client/core/instance_channel.h, paths.h).

#include <ctime>
#include <filesystem>
#include <string>

class wxTopLevelWindow;

namespace helpline::gui::platform {

/// The language the customer's system is in, not normalised ("pt_BR.UTF-8", "it-IT"): Linux
/// reads LANGUAGE (its first entry), LC_ALL, LC_MESSAGES and LANG as gettext does, "C" and
/// "POSIX" being English; Windows asks for the user's UI language (wxLocale). Empty: English.
std::string system_language();

/// Makes what the program prints (--version, --check-brand, errors) reach the console it was
/// started from. Nothing on Linux. Windows: a GUI program gets no console; when its output
/// is not redirected to a file or pipe, it writes to its parent's console (AttachConsole).
void use_parent_console();

/// Gives `window` the program's icon (title bar, taskbar, Alt+Tab): on Windows the one of
/// helpline.rc, when the program has it (a test program does not). Nothing on Linux, where the
/// brand's .desktop file names the icon.
void set_program_icon(wxTopLevelWindow* window);

/// Whether a window can be shown at all: Linux needs an X11 or Wayland display; Windows
/// always has a desktop.
bool has_display();

/// Makes SIGTERM, SIGINT and SIGHUP close the client as its window does, so that a session
/// ends properly. Nothing on Windows, whose "close" reaches the windows as messages that wx
/// handles (WM_CLOSE, WM_ENDSESSION).
void close_on_signals();

/// The name of the single-instance lock of a brand's client (wxSingleInstanceChecker):
/// "helpline.lock", a file in the brand's runtime folder, on Linux; on Windows a mutex of the
/// user's log-on session, whose name must tell the brands apart itself.
std::string instance_lock_name(const std::string& profile_id);

/// `t` in the computer's time zone (localtime_r, localtime_s).
std::tm local_time(std::time_t t);

/// The client's cache folder for a brand: $XDG_CACHE_HOME/helpline/<profile id> (else
/// ~/.cache/..., else the temporary folder) on Linux, %LOCALAPPDATA%\<profile id>\cache on
/// Windows (beside the state folder of ClientPaths).
std::filesystem::path cache_base(const std::string& profile_id);

/// Makes `dir` and the folders above it that are missing. Linux: mode 0700, and `dir` itself
/// set to 0700 if it existed; Windows: private by the ACL the per-user profile folder passes on.
bool make_private_folder(const std::filesystem::path& dir);

}  // namespace helpline::gui::platform
