#include <fmt/format.h>
#include <winsock2.h>
#include <ws2tcpip.h>

#include <algorithm>
#include <array>
#include <climits>

#include "client/core/net_socket.h"
#include "client/core/win32_util.h"

namespace helpline::client::net {

namespace {

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    return address;
}

Error wsa_error(const char* code) {
    return make_error(code, win32::error_text(static_cast<DWORD>(::WSAGetLastError())));
}

/// Not inherited by the programs we start (the equivalent of SOCK_CLOEXEC).
Socket new_socket(int type, int protocol) {
    if (!startup()) return Socket();
    return Socket(::WSASocketW(AF_INET, type, protocol, nullptr, 0,
                               WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT));
}

int io_size(std::size_t size) {
    return static_cast<int>(std::min<std::size_t>(size, INT_MAX));
}

}  // namespace

Status startup() {
    // Never undone with WSACleanup: sockets (and libcurl's, which counts its own startup)
    // may be used until the process exits.
    static const int rc = [] {
        WSADATA data{};
        return ::WSAStartup(MAKEWORD(2, 2), &data);
    }();
    if (rc != 0)
        return make_error("net.startup", fmt::format("Windows sockets could not be started: {}.",
                                                     win32::error_text(static_cast<DWORD>(rc))));
    return Ok{};
}

void close_socket(SocketHandle s) {
    ::closesocket(s);
}

std::string last_error_text() {
    return win32::error_text(static_cast<DWORD>(::WSAGetLastError()));
}

Result<Socket> connect_loopback(std::uint16_t port) {
    if (auto started = startup(); !started) return started.error();
    Socket s = new_socket(SOCK_STREAM, IPPROTO_TCP);
    if (!s.valid()) return wsa_error("net.socket");
    const sockaddr_in address = loopback(port);
    if (::connect(s.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
        return wsa_error("net.connect");
    return s;
}

Result<std::uint16_t> free_loopback_port() {
    if (auto started = startup(); !started) return started.error();
    Socket s = new_socket(SOCK_STREAM, IPPROTO_TCP);
    sockaddr_in address = loopback(0);
    int size = sizeof address;
    if (!s.valid() || ::bind(s.get(), reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&address), &size) != 0)
        return wsa_error("net.port");
    return static_cast<std::uint16_t>(ntohs(address.sin_port));
}

bool loopback_accepts(std::uint16_t port) {
    // Windows answers a refused connection with SYN retries for about two seconds, even on
    // 127.0.0.1: a non-blocking connect given a short while tells "listening" apart quickly.
    Socket s = new_socket(SOCK_STREAM, IPPROTO_TCP);
    if (!s.valid() || !set_nonblocking(s.get())) return false;
    const sockaddr_in address = loopback(port);
    if (::connect(s.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0)
        return true;
    if (::WSAGetLastError() != WSAEWOULDBLOCK) return false;
    // select(), not WSAPoll: older WSAPoll does not report a failed connect.
    fd_set writable;
    fd_set failed;
    FD_ZERO(&writable);
    FD_ZERO(&failed);
    FD_SET(s.get(), &writable);
    FD_SET(s.get(), &failed);
    timeval wait{0, 200'000};
    return ::select(0, nullptr, &writable, &failed, &wait) > 0 && FD_ISSET(s.get(), &writable) &&
           !FD_ISSET(s.get(), &failed);
}

Status set_nonblocking(SocketHandle s) {
    u_long on = 1;
    if (::ioctlsocket(s, static_cast<long>(FIONBIO), &on) != 0) return wsa_error("net.nonblocking");
    return Ok{};
}

IoResult receive(SocketHandle s, char* buffer, std::size_t size) {
    const int n = ::recv(s, buffer, io_size(size), 0);
    if (n > 0) return {Io::done, static_cast<std::size_t>(n)};
    if (n == 0) return {Io::closed, 0};
    return {::WSAGetLastError() == WSAEWOULDBLOCK ? Io::would_block : Io::failed, 0};
}

IoResult send(SocketHandle s, const char* data, std::size_t size) {
    const int n = ::send(s, data, io_size(size), 0);
    if (n >= 0) return {Io::done, static_cast<std::size_t>(n)};
    return {::WSAGetLastError() == WSAEWOULDBLOCK ? Io::would_block : Io::failed, 0};
}

int poll_sockets(std::span<PollEntry> entries, int timeout_ms) {
    if (entries.size() > kMaxPollEntries) return -1;
    // WSAPoll gets only the entries that want something: the others are left out rather
    // than passed as INVALID_SOCKET.
    std::array<WSAPOLLFD, kMaxPollEntries> fds{};
    std::array<std::size_t, kMaxPollEntries> index{};
    ULONG count = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        entries[i].got = 0;
        if (entries[i].want == 0) continue;
        fds[count].fd = entries[i].socket;
        fds[count].events =
            static_cast<SHORT>(((entries[i].want & poll_flag::kReadable) != 0 ? POLLRDNORM : 0) |
                               ((entries[i].want & poll_flag::kWritable) != 0 ? POLLWRNORM : 0));
        index[count++] = i;
    }
    if (count == 0) {
        if (timeout_ms < 0) return -1;  // nothing could ever wake it
        ::Sleep(static_cast<DWORD>(timeout_ms));
        return 0;
    }
    const int ready = ::WSAPoll(fds.data(), count, timeout_ms < 0 ? -1 : timeout_ms);
    if (ready < 0) return -1;
    for (ULONG k = 0; k < count; ++k) {
        const SHORT r = fds[k].revents;
        unsigned got = 0;
        if ((r & (POLLRDNORM | POLLRDBAND)) != 0) got |= poll_flag::kReadable;
        if ((r & POLLWRNORM) != 0) got |= poll_flag::kWritable;
        if ((r & POLLHUP) != 0) got |= poll_flag::kHangup;
        if ((r & (POLLERR | POLLNVAL)) != 0) got |= poll_flag::kError;
        entries[index[k]].got = got;
    }
    return ready;
}

Result<Wakeup> Wakeup::create() {
    if (auto started = startup(); !started) return started.error();
    Socket s = new_socket(SOCK_DGRAM, IPPROTO_UDP);
    sockaddr_in address = loopback(0);
    int size = sizeof address;
    if (!s.valid() || ::bind(s.get(), reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&address), &size) != 0 ||
        ::connect(s.get(), reinterpret_cast<const sockaddr*>(&address), size) != 0)
        return wsa_error("net.wakeup");
    if (auto nonblocking = set_nonblocking(s.get()); !nonblocking) return nonblocking.error();
    return Wakeup(std::move(s));
}

void Wakeup::signal() {
    // A full buffer means a datagram is already waiting: the poller wakes anyway.
    const char byte = 'w';
    ::send(socket_.get(), &byte, 1, 0);
}

}  // namespace helpline::client::net
