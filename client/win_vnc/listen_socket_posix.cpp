#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "client/win_vnc/listen_socket.h"

namespace helpline::win_vnc {

Result<rfbSocket> listen_on_loopback(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    // SO_REUSEADDR as libvncserver sets it: a port whose last connections linger in TIME_WAIT
    // can be listened on again; Linux never lets two sockets listen on one port this way.
    const int one = 1;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd, 8) != 0) {
        const int error = errno;
        if (fd >= 0) ::close(fd);
        return make_error("rfb.listen",
                          fmt::format("Could not listen on 127.0.0.1:{}: {}. Is another program "
                                      "using the port?",
                                      port, std::strerror(error)));
    }
    return fd;
}

}  // namespace helpline::win_vnc
