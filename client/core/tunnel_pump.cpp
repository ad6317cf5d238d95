#include "client/core/tunnel_pump.h"

#include <fmt/format.h>

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
    net::SocketHandle backend;
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
            const net::IoResult r =
                net::receive(backend, to_server.space(), to_server.space_size());
            if (r.status == net::Io::closed) {
                backend_eof = true;
                return;
            }
            if (r.status != net::Io::done) {
                if (r.status == net::Io::failed) failed = true;
                return;
            }
            to_server.produced(r.bytes);
        }
    }

    void write_backend() {
        while (!failed && !to_backend.empty()) {
            const net::IoResult r = net::send(backend, to_backend.bytes(), to_backend.size());
            if (r.status != net::Io::done) {
                if (r.status != net::Io::would_block) failed = true;
                return;
            }
            to_backend.consumed(r.bytes);
            to_backend_count += r.bytes;
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
    CURL* curl, net::Socket backend, std::string early,
    std::function<void(const TunnelStats&)> on_closed) {
    const auto fail = [&](std::string message) {
        curl_easy_cleanup(curl);
        return make_error(tunnel_error::kProtocol, std::move(message));
    };
    curl_socket_t server_fd = CURL_SOCKET_BAD;
    if (curl_easy_getinfo(curl, CURLINFO_ACTIVESOCKET, &server_fd) != CURLE_OK ||
        server_fd == CURL_SOCKET_BAD)
        return fail("The connection to the support server was lost right after it was opened.");
    if (early.size() > kBufferSize)
        return fail("The support server sent more than expected with its answer.");
    if (auto nonblocking = net::set_nonblocking(backend.get()); !nonblocking)
        return fail(fmt::format("Could not prepare the local screen-sharing connection: {}.",
                                nonblocking.error().message));
    auto wake = net::Wakeup::create();
    if (!wake)
        return fail(
            fmt::format("Could not create the tunnel's wake-up event: {}.", wake.error().message));

    std::unique_ptr<TunnelPump> pump(new TunnelPump(curl, server_fd, std::move(backend),
                                                    std::move(*wake), std::move(on_closed)));
    {
        // on_closed may call stop() on the new thread before this assignment is complete.
        std::lock_guard lock(pump->stop_mutex_);
        pump->thread_ = std::thread(&TunnelPump::run, pump.get(), std::move(early));
    }
    return std::unique_ptr<RelayTunnel>(std::move(pump));
}

TunnelPump::TunnelPump(CURL* curl, net::SocketHandle server, net::Socket backend, net::Wakeup wake,
                       std::function<void(const TunnelStats&)> on_closed)
    : curl_(curl),
      server_(server),
      backend_(std::move(backend)),
      wake_(std::move(wake)),
      on_closed_(std::move(on_closed)) {}

TunnelPump::~TunnelPump() {
    stop();
    // Destroyed from within on_closed: the thread touches nothing of ours after that call.
    if (thread_.joinable()) thread_.detach();
}

void TunnelPump::stop() {
    std::lock_guard lock(stop_mutex_);
    stop_requested_ = true;
    wake_.signal();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void TunnelPump::run(std::string early) {
    Pump p{curl_, backend_.get(), to_server_, to_backend_};
    p.to_backend.append(early);
    p.write_backend();
    std::chrono::steady_clock::time_point drain_deadline{};

    while (!stop_requested_ && !p.finished()) {
        if ((p.server_eof || p.backend_eof) &&
            drain_deadline == std::chrono::steady_clock::time_point{})
            drain_deadline = std::chrono::steady_clock::now() + kDrainTime;

        using namespace net::poll_flag;
        net::PollEntry fds[3] = {
            {wake_.handle(), kReadable, 0}, {server_, 0, 0}, {backend_.get(), 0, 0}};
        const bool server_room = p.reading_server() && p.to_backend.space_size() > 0;
        if (server_room) fds[1].want |= kReadable;
        if (!p.to_server.empty()) fds[1].want |= kWritable;
        if (p.reading_backend() && p.to_server.space_size() > 0) fds[2].want |= kReadable;
        if (!p.to_backend.empty()) fds[2].want |= kWritable;
        // A socket we want nothing from is left out (poll_sockets): its hang-up would wake us
        // in a loop.

        int timeout = -1;
        if (p.server_buffered && server_room) {
            timeout = 0;
        } else if (drain_deadline != std::chrono::steady_clock::time_point{}) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                drain_deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            timeout = static_cast<int>(left.count());
        }
        const int ready = net::poll_sockets(fds, timeout);
        if (ready < 0) break;
        if (fds[0].got != 0) continue;  // stop(): checked at the top

        const unsigned gone = kReadable | kError | kHangup;
        if ((fds[1].got & gone) != 0 || (p.server_buffered && server_room)) p.read_server();
        if ((fds[2].got & gone) != 0) p.read_backend();
        // Writes are tried whenever there is something to write: right after a read this
        // saves a round through poll, and a socket that is not writable just says EAGAIN.
        p.write_backend();
        p.write_server();
    }

    backend_.reset();
    curl_easy_cleanup(curl_);
    curl_ = nullptr;
    auto on_closed = std::move(on_closed_);
    const TunnelStats final_stats = stats();
    running_ = false;
    // Last: the callback may destroy this object.
    if (on_closed) on_closed(final_stats);
}

}  // namespace helpline::client
