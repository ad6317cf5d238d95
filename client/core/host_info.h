#pragma once
// What the client tells its server about the computer when it registers (identity.cpp):
// its name and a one-line description of the system, for operators only. Platform code in
// host_info_posix.cpp (gethostname, /etc/os-release, uname) and host_info_win32.cpp
// (GetComputerNameExW, the registry's product name, RtlGetVersion).

#include <string>

namespace helpline::client {

/// The computer's host name; empty if it cannot be read.
std::string host_name();

/// "Debian GNU/Linux 12 (bookworm); Linux 6.1.0-18-amd64 x86_64",
/// "Windows 11 Pro 23H2; Windows NT 10.0.22631 x86_64"; at most 255 bytes.
std::string os_description();

}  // namespace helpline::client
