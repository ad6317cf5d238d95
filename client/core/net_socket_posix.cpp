#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "client/core/net_socket.h"

namespace helpline::client::net {

namespace {

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    return address;
}

Error errno_error(const char* code, int error) {
    return make_error(code, std::strerror(error));
}

}  // namespace

Status startup() {
    return Ok{};
}

void close_socket(SocketHandle s) {
    ::close(s);
}

std::string last_error_text() {
    return std::strerror(errno);
}

Result<Socket> connect_loopback(std::uint16_t port) {
    Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s.valid()) return errno_error("net.socket", errno);
    const sockaddr_in address = loopback(port);
    if (::connect(s.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
        return errno_error("net.connect", errno);
    return s;
}

Result<std::uint16_t> free_loopback_port() {
    Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address = loopback(0);
    socklen_t size = sizeof address;
    if (!s.valid() || ::bind(s.get(), reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&address), &size) != 0)
        return errno_error("net.port", errno);
    return static_cast<std::uint16_t>(ntohs(address.sin_port));
}

bool loopback_accepts(std::uint16_t port) {
    Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    const sockaddr_in address = loopback(port);
    return s.valid() &&
           ::connect(s.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

Status set_nonblocking(SocketHandle s) {
    const int flags = ::fcntl(s, F_GETFL);
    if (flags < 0 || ::fcntl(s, F_SETFL, flags | O_NONBLOCK) != 0)
        return errno_error("net.nonblocking", errno);
    return Ok{};
}

IoResult receive(SocketHandle s, char* buffer, std::size_t size) {
    while (true) {
        const ssize_t n = ::recv(s, buffer, size, 0);
        if (n > 0) return {Io::done, static_cast<std::size_t>(n)};
        if (n == 0) return {Io::closed, 0};
        if (errno == EINTR) continue;
        return {errno == EAGAIN || errno == EWOULDBLOCK ? Io::would_block : Io::failed, 0};
    }
}

IoResult send(SocketHandle s, const char* data, std::size_t size) {
    while (true) {
        const ssize_t n = ::send(s, data, size, MSG_NOSIGNAL);
        if (n >= 0) return {Io::done, static_cast<std::size_t>(n)};
        if (errno == EINTR) continue;
        return {errno == EAGAIN || errno == EWOULDBLOCK ? Io::would_block : Io::failed, 0};
    }
}

int poll_sockets(std::span<PollEntry> entries, int timeout_ms) {
    std::array<pollfd, kMaxPollEntries> fds{};
    if (entries.size() > fds.size()) return -1;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const PollEntry& e = entries[i];
        // A socket we want nothing from is left out: its POLLHUP would wake us in a loop.
        fds[i].fd = e.want == 0 ? -1 : e.socket;
        fds[i].events = static_cast<short>(((e.want & poll_flag::kReadable) != 0 ? POLLIN : 0) |
                                           ((e.want & poll_flag::kWritable) != 0 ? POLLOUT : 0));
    }
    const int ready = ::poll(fds.data(), entries.size(), timeout_ms);
    if (ready < 0) return errno == EINTR ? 0 : -1;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const short r = fds[i].revents;
        unsigned got = 0;
        if ((r & POLLIN) != 0) got |= poll_flag::kReadable;
        if ((r & POLLOUT) != 0) got |= poll_flag::kWritable;
        if ((r & POLLHUP) != 0) got |= poll_flag::kHangup;
        if ((r & (POLLERR | POLLNVAL)) != 0) got |= poll_flag::kError;
        entries[i].got = got;
    }
    return ready;
}

Result<Wakeup> Wakeup::create() {
    Socket s(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!s.valid()) return errno_error("net.wakeup", errno);
    return Wakeup(std::move(s));
}

void Wakeup::signal() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(socket_.get(), &one, sizeof one);
}

}  // namespace helpline::client::net
