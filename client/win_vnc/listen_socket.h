#pragma once
// The VNC port: a TCP socket listening on 127.0.0.1 only, made here rather than by
// libvncserver so that how it is bound is ours to choose (Windows: SO_EXCLUSIVEADDRUSE, so no
// other program can bind the port beside it and take the viewer's connection) and a failure
// says why. libvncserver is handed the socket and accepts on it. Platform code in
// listen_socket_posix.cpp and listen_socket_win32.cpp.

#include <rfb/rfb.h>

#include <cstdint>

#include "shared/result.h"

namespace helpline::win_vnc {

/// A socket listening on 127.0.0.1:`port`, not inherited by child processes. The error
/// (code "rfb.listen") names the port and gives the system's reason.
Result<rfbSocket> listen_on_loopback(std::uint16_t port);

}  // namespace helpline::win_vnc
