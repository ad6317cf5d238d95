#include "client/core/tunnel_pump.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

namespace helpline::client {

namespace {

/// After one side has closed, what it sent is still delivered to the other side, for at
/// most this long (a peer that stops reading must not keep the tunnel alive).
constexpr std::chrono::milliseconds kDrainTime{2000};

/// A linear buffer: bytes are appended at the tail and taken from the head. It compacts
/// only when told it may — a TLS write that returned CURLE_AGAIN must be retried with the
/// same bytes at the same address, so the head must not move until it succeeds.
class PumpBuffer {
  public:
    explicit PumpBuffer(std::size_t capacity) : data_(capacity) {}

    bool empty() const { return head_ == tail_; }
    char* space() { return data_.data() + tail_; }
    std::size_t space_size() const { return data_.size() - tail_; }
    const char* bytes() const { return data_.data() + head_; }
    std::size_t size() const { return tail_ - head_; }

    void produced(std::size_t n) { tail_ += n; }
    void consumed(std::size_t n) {
        head_ += n;
        if (head_ == tail_) head_ = tail_ = 0;
    }
    void compact_if_useful() {
        if (head_ == 0 || space_size() >= data_.size() / 2) return;
        std::memmove(data_.data(), data_.data() + head_, size());
        tail_ -= head_;
        head_ = 0;
    }
    void append(std::string_view bytes) {
        std::memcpy(space(), bytes.data(), bytes.size());
        produced(bytes.size());
    }

  private:
    std::vector<char> data_;
    std::size_t head_ = 0;
    std::size_t tail_ = 0;
};

/// The state of one pumping session; lives on the pump thread.
struct Pump {
    CURL* curl;
    int server_fd;
    int backend_fd;
    std::atomic<std::uint64_t>& to_server_count;
    std::atomic<std::uint64_t>& to_backend_count;

    PumpBuffer to_backend{TunnelPump::kBufferSize};  ///< read from the server
    PumpBuffer to_server{TunnelPump::kBufferSize};   ///< read from the backend
    bool server_eof = false;
    bool backend_eof = false;
    bool failed = false;
    /// curl may hold decrypted bytes that the socket no longer signals: after a read that
    /// stopped because our buffer was full, curl is read again without waiting for POLLIN.
    bool server_buffered = false;
    bool server_send_blocked = false;  ///< last curl_easy_send said CURLE_AGAIN

    bool reading_server() const { return !server_eof && !backend_eof && !failed; }
    bool reading_backend() const { return !backend_eof && !server_eof && !failed; }

    void read_server() {
        to_backend.compact_if_useful();
        while (reading_server() && to_backend.space_size() > 0) {
            std::size_t n = 0;
            const CURLcode rc =
                curl_easy_recv(curl, to_backend.space(), to_backend.space_size(), &n);
            if (rc == CURLE_AGAIN) {
                server_buffered = false;
                return;
            }
            if (rc != CURLE_OK) {
                failed = true;
                return;
            }
            if (n == 0) {
                server_eof = true;
                return;
            }
            to_backend.produced(n);
        }
        server_buffered = reading_server();
    }

    void read_backend() {
        if (!server_send_blocked)
            to_server.compact_if_useful();  // a pending TLS write must not move
        while (reading_backend() && to_server.space_size() > 0) {
            const ssize_t n = ::recv(backend_fd, to_server.space(), to_server.space_size(), 0);
            if (n < 0) {
                if (errno == EINTR) continue;
                if (errno != EAGAIN && errno != EWOULDBLOCK) failed = true;
                return;
            }
            if (n == 0) {
                backend_eof = true;
                return;
            }
            to_server.produced(static_cast<std::size_t>(n));
        }
    }

    void write_backend() {
        while (!failed && !to_backend.empty()) {
            const ssize_t n =
                ::send(backend_fd, to_backend.bytes(), to_backend.size(), MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR) continue;
                if (errno != EAGAIN && errno != EWOULDBLOCK) failed = true;
                return;
            }
            to_backend.consumed(static_cast<std::size_t>(n));
            to_backend_count += static_cast<std::uint64_t>(n);
        }
    }

    void write_server() {
        while (!failed && !to_server.empty()) {
            std::size_t n = 0;
            const CURLcode rc = curl_easy_send(curl, to_server.bytes(), to_server.size(), &n);
            if (rc == CURLE_AGAIN || (rc == CURLE_OK && n == 0)) {
                server_send_blocked = true;
                return;
            }
            if (rc != CURLE_OK) {
                failed = true;
                return;
            }
            server_send_blocked = false;
            to_server.consumed(n);
            to_server_count += n;
        }
        server_send_blocked = false;
    }

    /// Whether pumping is over: an error, or a side closed and what it sent is delivered.
    bool finished() const {
        if (failed) return true;
        if (server_eof && to_backend.empty()) return true;
        if (backend_eof && to_server.empty()) return true;
        return false;
    }
};

}  // namespace

Result<std::unique_ptr<RelayTunnel>> TunnelPump::start(
    CURL* curl, int backend_fd, std::string early,
    std::function<void(const TunnelStats&)> on_closed) {
    const auto fail = [&](std::string message) {
        curl_easy_cleanup(curl);
        ::close(backend_fd);
        return make_error(tunnel_error::kProtocol, std::move(message));
    };
    curl_socket_t server_fd = CURL_SOCKET_BAD;
    if (curl_easy_getinfo(curl, CURLINFO_ACTIVESOCKET, &server_fd) != CURLE_OK ||
        server_fd == CURL_SOCKET_BAD)
        return fail("The connection to the support server was lost right after it was opened.");
    if (early.size() > kBufferSize)
        return fail("The support server sent more than expected with its answer.");
    const int flags = ::fcntl(backend_fd, F_GETFL);
    if (flags < 0 || ::fcntl(backend_fd, F_SETFL, flags | O_NONBLOCK) != 0)
        return fail(fmt::format("Could not prepare the local screen-sharing connection: {}.",
                                std::strerror(errno)));
    const int wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd < 0)
        return fail(
            fmt::format("Could not create the tunnel's wake-up event: {}.", std::strerror(errno)));

    std::unique_ptr<TunnelPump> pump(new TunnelPump(curl, static_cast<int>(server_fd), backend_fd,
                                                    wake_fd, std::move(on_closed)));
    {
        // on_closed may call stop() on the new thread before this assignment is complete.
        std::lock_guard lock(pump->stop_mutex_);
        pump->thread_ = std::thread(&TunnelPump::run, pump.get(), std::move(early));
    }
    return std::unique_ptr<RelayTunnel>(std::move(pump));
}

TunnelPump::TunnelPump(CURL* curl, int server_fd, int backend_fd, int wake_fd,
                       std::function<void(const TunnelStats&)> on_closed)
    : curl_(curl),
      server_fd_(server_fd),
      backend_fd_(backend_fd),
      wake_fd_(wake_fd),
      on_closed_(std::move(on_closed)) {}

TunnelPump::~TunnelPump() {
    stop();
    // Destroyed from within on_closed: the thread touches nothing of ours after that call.
    if (thread_.joinable()) thread_.detach();
    ::close(wake_fd_);
}

void TunnelPump::stop() {
    std::lock_guard lock(stop_mutex_);
    stop_requested_ = true;
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof one);
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void TunnelPump::run(std::string early) {
    Pump p{curl_, server_fd_, backend_fd_, to_server_, to_backend_};
    p.to_backend.append(early);
    p.write_backend();
    std::chrono::steady_clock::time_point drain_deadline{};

    while (!stop_requested_ && !p.finished()) {
        if ((p.server_eof || p.backend_eof) &&
            drain_deadline == std::chrono::steady_clock::time_point{})
            drain_deadline = std::chrono::steady_clock::now() + kDrainTime;

        pollfd fds[3] = {{wake_fd_, POLLIN, 0}, {server_fd_, 0, 0}, {backend_fd_, 0, 0}};
        const bool server_room = p.reading_server() && p.to_backend.space_size() > 0;
        if (server_room) fds[1].events |= POLLIN;
        if (!p.to_server.empty()) fds[1].events |= POLLOUT;
        if (p.reading_backend() && p.to_server.space_size() > 0) fds[2].events |= POLLIN;
        if (!p.to_backend.empty()) fds[2].events |= POLLOUT;
        // A socket we want nothing from is left out: its POLLHUP would wake us in a loop.
        for (auto& fd : fds)
            if (fd.events == 0) fd.fd = -1;

        int timeout = -1;
        if (p.server_buffered && server_room) {
            timeout = 0;
        } else if (drain_deadline != std::chrono::steady_clock::time_point{}) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                drain_deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            timeout = static_cast<int>(left.count());
        }
        const int ready = ::poll(fds, 3, timeout);
        if (ready < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[0].revents != 0) continue;  // stop(): checked at the top

        const short gone = POLLIN | POLLERR | POLLHUP;
        if ((fds[1].revents & gone) != 0 || (p.server_buffered && server_room)) p.read_server();
        if ((fds[2].revents & gone) != 0) p.read_backend();
        // Writes are tried whenever there is something to write: right after a read this
        // saves a round through poll, and a socket that is not writable just says EAGAIN.
        p.write_backend();
        p.write_server();
    }

    ::close(backend_fd_);
    curl_easy_cleanup(curl_);
    curl_ = nullptr;
    auto on_closed = std::move(on_closed_);
    const TunnelStats final_stats = stats();
    running_ = false;
    // Last: the callback may destroy this object.
    if (on_closed) on_closed(final_stats);
}

}  // namespace helpline::client
