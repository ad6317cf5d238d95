#include "client/vnc_auth/socket_io.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

namespace helpline::client::vnc_auth {

namespace {

int millis_left(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return 0;
    return left > 60'000 ? 60'000 : static_cast<int>(left);
}

/// Waits until `fd` is ready for `events`; Ok, or timeout / cancelled / error.
Status wait_ready(int fd, short events, Clock::time_point deadline, int stop_fd) {
    while (true) {
        pollfd fds[2] = {{fd, events, 0}, {stop_fd, POLLIN, 0}};
        const int rc = ::poll(fds, stop_fd >= 0 ? 2 : 1, millis_left(deadline));
        if (rc < 0 && errno == EINTR) continue;
        if (rc < 0)
            return make_error(io_error::kError,
                              fmt::format("poll failed: {}", std::strerror(errno)));
        if (stop_fd >= 0 && (fds[1].revents & POLLIN) != 0)
            return make_error(io_error::kCancelled, "stopped");
        if (fds[0].revents != 0) return Ok{};
        if (rc == 0 && Clock::now() >= deadline)
            return make_error(io_error::kTimeout, "the peer did not answer in time");
    }
}

}  // namespace

void set_nonblocking(int fd) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

Result<std::string> read_exact(int fd, std::size_t size, Clock::time_point deadline, int stop_fd) {
    std::string out;
    out.reserve(size);
    char buffer[4096];
    while (out.size() < size) {
        const std::size_t want = std::min(sizeof buffer, size - out.size());
        const ssize_t n = ::recv(fd, buffer, want, 0);
        if (n > 0) {
            out.append(buffer, static_cast<std::size_t>(n));
            continue;
        }
        if (n == 0)
            return make_error(io_error::kClosed,
                              fmt::format("the peer closed the connection after {} of {} bytes",
                                          out.size(), size));
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return make_error(io_error::kError,
                              fmt::format("read failed: {}", std::strerror(errno)));
        if (auto ready = wait_ready(fd, POLLIN, deadline, stop_fd); !ready) return ready.error();
    }
    return out;
}

Status write_all(int fd, std::string_view bytes, Clock::time_point deadline, int stop_fd) {
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EPIPE)
            return make_error(io_error::kClosed, "the peer closed the connection");
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return make_error(io_error::kError,
                              fmt::format("write failed: {}", std::strerror(errno)));
        if (auto ready = wait_ready(fd, POLLOUT, deadline, stop_fd); !ready) return ready.error();
    }
    return Ok{};
}

Result<UniqueFd> listen_loopback(std::uint16_t port) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    const int one = 1;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (fd.get() < 0 || ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd.get(), 8) != 0)
        return make_error(io_error::kError,
                          fmt::format("Could not listen on 127.0.0.1:{}: {}. Another program may "
                                      "use the port; the client picks a free one each session.",
                                      port, std::strerror(errno)));
    return fd;
}

UniqueFd accept_connection(int listener) {
    int fd = -1;
    do {
        fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    return UniqueFd(fd);
}

Result<UniqueFd> connect_unix(const std::filesystem::path& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string text = path.string();
    if (text.size() >= sizeof address.sun_path)
        return make_error(io_error::kError,
                          fmt::format("The socket path '{}' is too long for a Unix socket ({} "
                                      "bytes at most); set XDG_RUNTIME_DIR to a shorter folder.",
                                      text, sizeof address.sun_path - 1),
                          text);
    std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    int rc = -1;
    if (fd.get() >= 0) {
        do {
            rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
        } while (rc < 0 && errno == EINTR);
    }
    if (rc != 0)
        return make_error(io_error::kError,
                          fmt::format("Could not connect to '{}': {}", text, std::strerror(errno)),
                          text);
    set_nonblocking(fd.get());
    return fd;
}

std::string be16(unsigned v) {
    return {static_cast<char>((v >> 8) & 0xff), static_cast<char>(v & 0xff)};
}

std::string be32(std::uint32_t v) {
    return {static_cast<char>((v >> 24) & 0xff), static_cast<char>((v >> 16) & 0xff),
            static_cast<char>((v >> 8) & 0xff), static_cast<char>(v & 0xff)};
}

std::uint32_t read_be32(std::string_view bytes, std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4 && at + i < bytes.size(); ++i)
        v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
    return v;
}

}  // namespace helpline::client::vnc_auth
