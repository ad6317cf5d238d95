#pragma once
// Environment variables and the time zone, set by the GUI tests in a way both platforms have
// (setenv on Linux, _putenv_s on Windows): env_vars_posix.cpp, env_vars_win32.cpp.

namespace helpline::gui::test {

void set_env(const char* name, const char* value);
void unset_env(const char* name);
/// Makes localtime follow TZ again after it changed (tzset, _tzset).
void reread_time_zone();

}  // namespace helpline::gui::test
