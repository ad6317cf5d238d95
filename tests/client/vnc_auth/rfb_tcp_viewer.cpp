#include "tests/client/vnc_auth/rfb_tcp_viewer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>

#include "client/vnc_auth/socket_io.h"

namespace helpline::test {

using client::vnc_auth::Clock;

std::uint16_t free_loopback_port() {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), size) == 0);
    REQUIRE(::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &size) == 0);
    return ntohs(address.sin_port);
}

RfbTcpViewer::RfbTcpViewer(std::uint16_t port, std::chrono::milliseconds timeout)
    : viewer_(
          [this](std::size_t count,
                 std::chrono::milliseconds wait) -> std::optional<std::string> {
              auto bytes = client::vnc_auth::read_exact(fd_.get(), count, Clock::now() + wait);
              if (!bytes) return std::nullopt;
              return *bytes;
          },
          [this, timeout](const std::string& bytes) {
              return client::vnc_auth::write_all(fd_.get(), bytes, Clock::now() + timeout).ok();
          },
          timeout) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
        return;
    client::vnc_auth::set_nonblocking(fd.get());
    fd_ = std::move(fd);
}

}  // namespace helpline::test
