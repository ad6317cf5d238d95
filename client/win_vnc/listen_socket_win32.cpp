#include <winsock2.h>
#include <ws2tcpip.h>

#include <fmt/format.h>

#include "client/core/win32_util.h"
#include "client/win_vnc/listen_socket.h"

namespace helpline::win_vnc {

namespace {

Error listen_error(std::uint16_t port, int code) {
    return make_error("rfb.listen",
                      fmt::format("Could not listen on 127.0.0.1:{}: {}. Is another program using "
                                  "the port?",
                                  port, client::win32::error_text(static_cast<DWORD>(code))));
}

}  // namespace

Result<rfbSocket> listen_on_loopback(std::uint16_t port) {
    // Never undone with WSACleanup: libvncserver's own startup and cleanup pair up around it.
    WSADATA data{};
    if (const int rc = ::WSAStartup(MAKEWORD(2, 2), &data); rc != 0) return listen_error(port, rc);
    // Not inherited by programs started from here (the equivalent of SOCK_CLOEXEC).
    SOCKET s = ::WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0,
                            WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    if (s == INVALID_SOCKET) return listen_error(port, ::WSAGetLastError());
    // SO_EXCLUSIVEADDRUSE: no other socket may bind this port while ours holds it, not even
    // one asking for SO_REUSEADDR — which Windows would otherwise let take over the viewer's
    // connections. (libvncserver sets SO_REUSEADDR, which on Windows invites exactly that.)
    const BOOL exclusive = TRUE;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (::setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, reinterpret_cast<const char*>(&exclusive),
                     sizeof exclusive) != 0 ||
        ::bind(s, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(s, 8) != 0) {
        const int code = ::WSAGetLastError();
        ::closesocket(s);
        return listen_error(port, code);
    }
    return s;
}

}  // namespace helpline::win_vnc
