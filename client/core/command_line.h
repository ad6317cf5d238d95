#pragma once
// A Windows command line from an argv vector. Windows passes a program one string, which the
// program splits itself; CommandLineToArgvW and the C runtimes of MSVC and mingw-w64 split it
// by the same rules, which this follows so that every argument arrives exactly as given.
// Portable (plain string work), so that it is tested on every platform; spawn_win32.cpp uses it.

#include <string>
#include <vector>

#include "shared/result.h"

namespace helpline::client {

/// `argv` joined into a command line (UTF-8): argv[0] quoted when it contains a space or a
/// tab (the program's name is split without backslash escapes, so it must not contain '"');
/// every other argument quoted when empty or containing whitespace or '"', with backslashes
/// doubled where they precede a quote. An error for an empty argv or a '"' in argv[0].
Result<std::string> windows_command_line(const std::vector<std::string>& argv);

}  // namespace helpline::client
