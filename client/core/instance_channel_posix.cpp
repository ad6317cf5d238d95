#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "client/core/instance_channel.h"

namespace helpline::client {
namespace {

constexpr char kRaise[] = "raise\n";
constexpr char kDone[] = "ok\n";

Result<sockaddr_un> address_of(const std::filesystem::path& socket) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string path = socket.string();
    if (path.size() >= sizeof addr.sun_path)
        return make_error("instance.path", fmt::format("The socket path {} is too long.", path));
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    return addr;
}

/// Reads up to `max` bytes until a newline or `timeout`; what was read.
std::string read_line(int fd, std::size_t max, std::chrono::milliseconds timeout) {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (line.size() < max && line.find('\n') == std::string::npos) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        char buffer[32];
        const ssize_t n = ::read(fd, buffer, std::min(sizeof buffer, max - line.size()));
        if (n <= 0) break;
        line.append(buffer, static_cast<std::size_t>(n));
    }
    return line;
}

}  // namespace

struct InstanceChannel::Listener {
    std::filesystem::path socket;
    int fd = -1;
    int wake[2] = {-1, -1};
};

Result<std::unique_ptr<InstanceChannel>> InstanceChannel::listen(
    const std::filesystem::path& socket, std::function<void()> on_raise) {
    auto addr = address_of(socket);
    if (!addr) return addr.error();
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return make_error("instance.socket", std::strerror(errno));
    // The caller holds the single-instance lock: a file left here is from a crashed run.
    ::unlink(socket.c_str());
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) != 0 ||
        ::listen(fd, 4) != 0) {
        const int e = errno;
        ::close(fd);
        return make_error("instance.socket", fmt::format("Cannot listen on {}: {}", socket.string(),
                                                         std::strerror(e)));
    }
    auto listener = std::make_unique<Listener>();
    listener->socket = socket;
    listener->fd = fd;
    if (::pipe2(listener->wake, O_CLOEXEC | O_NONBLOCK) != 0)
        listener->wake[0] = listener->wake[1] = -1;
    return std::unique_ptr<InstanceChannel>(
        new InstanceChannel(std::move(listener), std::move(on_raise)));
}

InstanceChannel::InstanceChannel(std::unique_ptr<Listener> listener, std::function<void()> on_raise)
    : listener_(std::move(listener)), on_raise_(std::move(on_raise)) {
    thread_ = std::thread([this] { serve(); });
}

InstanceChannel::~InstanceChannel() {
    const char byte = 'q';
    (void)!::write(listener_->wake[1], &byte, 1);
    if (thread_.joinable()) thread_.join();
    ::close(listener_->fd);
    for (int f : listener_->wake)
        if (f >= 0) ::close(f);
    ::unlink(listener_->socket.c_str());
}

void InstanceChannel::serve() {
    while (true) {
        pollfd fds[2] = {{listener_->fd, POLLIN, 0}, {listener_->wake[0], POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (fds[1].revents != 0) return;
        const int client = ::accept4(listener_->fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        // Bounded: a client that sends nothing cannot hold the channel for long.
        const std::string line = read_line(client, 64, std::chrono::seconds(1));
        if (line == kRaise) {
            if (on_raise_) on_raise_();
            (void)!::write(client, kDone, sizeof kDone - 1);
        }
        ::close(client);
    }
}

Status InstanceChannel::send_raise(const std::filesystem::path& socket,
                                   std::chrono::milliseconds timeout) {
    auto addr = address_of(socket);
    if (!addr) return addr.error();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string last_error;
    while (std::chrono::steady_clock::now() < deadline) {
        const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return make_error("instance.socket", std::strerror(errno));
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) == 0) {
            const bool sent = ::write(fd, kRaise, sizeof kRaise - 1) == sizeof kRaise - 1;
            const std::string answer = sent ? read_line(fd, 16, std::chrono::seconds(2)) : "";
            ::close(fd);
            if (answer == kDone) return Ok{};
            last_error = "no answer";
        } else {
            last_error = std::strerror(errno);
            ::close(fd);
        }
        // The first instance may still be starting: it takes the lock before it listens.
        ::usleep(50'000);
    }
    return make_error(
        "instance.unreachable",
        fmt::format("The running client did not answer on {}: {}", socket.string(), last_error));
}

}  // namespace helpline::client
