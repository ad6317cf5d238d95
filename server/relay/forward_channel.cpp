#include "server/relay/forward_channel.h"

#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>

#include "server/http/server.h"

namespace helpline::server::relay {

namespace {

constexpr std::size_t kMaxResponseHeader = 16 * 1024;
constexpr std::uint8_t kOpContinuation = 0x0;
constexpr std::uint8_t kOpText = 0x1;
constexpr std::uint8_t kOpBinary = 0x2;
constexpr std::uint8_t kOpClose = 0x8;
constexpr std::uint8_t kOpPing = 0x9;
constexpr std::uint8_t kOpPong = 0xA;

std::string base64(const unsigned char* data, std::size_t size) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < size; i += 3) {
        const std::uint32_t n = (std::uint32_t{data[i]} << 16) | (i + 1 < size ? std::uint32_t{data[i + 1]} << 8 : 0) |
                                (i + 2 < size ? std::uint32_t{data[i + 2]} : 0);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += i + 1 < size ? kAlphabet[(n >> 6) & 63] : '=';
        out += i + 2 < size ? kAlphabet[n & 63] : '=';
    }
    return out;
}

/// A TCP connection to host:port within `timeout`, blocking once made; -1 on failure.
int connect_to(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
    int fd = -1;
    for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
        fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) continue;
        int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            pollfd p{fd, POLLOUT, 0};
            int error = 0;
            socklen_t length = sizeof error;
            rc = ::poll(&p, 1, static_cast<int>(timeout.count())) == 1 &&
                         ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0
                     ? 0
                     : -1;
        }
        if (rc != 0) {
            ::close(fd);
            fd = -1;
        }
    }
    ::freeaddrinfo(found);
    if (fd < 0) return -1;
    // Non-blocking from here: every wait is a poll that also watches the stop flag.
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

class ForwardChannel final : public http::ByteChannel, public std::enable_shared_from_this<ForwardChannel> {
  public:
    ForwardChannel(ForwardTarget target, std::size_t buffer_size, std::chrono::milliseconds connect_timeout)
        : target_(std::move(target)), inbound_(buffer_size), outbound_(buffer_size), timeout_(connect_timeout) {}
    ~ForwardChannel() override {
        if (ssl_ != nullptr) SSL_free(ssl_);
        if (ssl_ctx_ != nullptr) SSL_CTX_free(ssl_ctx_);
        if (fd_ >= 0) ::close(fd_);
    }

    http::BytePipe& inbound() override { return inbound_; }
    http::BytePipe& outbound() override { return outbound_; }

    void opened() override {
        std::weak_ptr<ForwardChannel> weak = shared_from_this();
        const auto wake = [weak] {
            if (auto self = weak.lock()) self->wake();
        };
        inbound_.set_consumer_waker(wake);
        outbound_.set_producer_waker(wake);
        // Detached, each holding the channel: the last to finish frees it.
        std::thread([self = shared_from_this()] { self->upstream(); }).detach();
    }

    void closed() override {
        stop_ = true;
        cut();
        wake();
    }

    http::CloseStatus close_status() const override {
        std::lock_guard lock(mutex_);
        return close_status_;
    }

  private:
    void wake() {
        std::lock_guard lock(mutex_);
        ++generation_;
        changed_.notify_all();
    }
    std::uint64_t generation() const {
        std::lock_guard lock(mutex_);
        return generation_;
    }
    /// Waits until a pipe woke this channel after `seen` was read, or it is stopping.
    void wait_change(std::uint64_t seen) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return generation_ != seen || stop_; });
    }
    /// Ends the internal connection both ways (unblocks both threads).
    void cut() {
        std::lock_guard lock(fd_mutex_);
        if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
    }
    /// Ends everything at once: the local side's connection closes.
    void fail(const std::string& why) {
        if (!stop_) spdlog::warn("relay forwarding to {}: {}", target_.node_url, why);
        {
            std::lock_guard lock(mutex_);
            if (!got_close_) close_status_ = {1011, "The server holding this session could not be reached."};
        }
        outbound_.abort();
        inbound_.abort();
        cut();
    }

    /// Waits until the socket is ready for `events`, or it is stopping (false), or `deadline`
    /// passed (false).
    bool wait_socket(short events, std::chrono::steady_clock::time_point deadline) {
        while (!stop_) {
            pollfd p{fd_, events, 0};
            const int ready = ::poll(&p, 1, 200);
            if (ready > 0) return true;
            if (ready < 0 && errno != EINTR) return false;
            if (std::chrono::steady_clock::now() >= deadline) return false;
        }
        return false;
    }
    static std::chrono::steady_clock::time_point forever() { return std::chrono::steady_clock::time_point::max(); }

    /// What an OpenSSL call that returned `result` wants: the poll events to wait for, 0 to
    /// stop (closed or failed).
    short ssl_wants(int result) const {
        switch (SSL_get_error(ssl_, result)) {
            case SSL_ERROR_WANT_READ: return POLLIN;
            case SSL_ERROR_WANT_WRITE: return POLLOUT;
            default: return 0;
        }
    }

    /// Sends all of `data` (plain or TLS); false when the connection failed or it stops.
    bool send_all(const char* data, std::size_t size) {
        while (size > 0) {
            if (ssl_ != nullptr) {
                int n = 0;
                short wants = 0;
                {
                    std::lock_guard lock(ssl_mutex_);  // one SSL object, two threads: never at once
                    n = SSL_write(ssl_, data, static_cast<int>(std::min<std::size_t>(size, 1 << 20)));
                    if (n <= 0) wants = ssl_wants(n);
                }
                if (n > 0) {
                    data += n;
                    size -= static_cast<std::size_t>(n);
                } else if (wants == 0 || !wait_socket(wants, forever())) {
                    return false;
                }
                continue;
            }
            const ssize_t n = ::send(fd_, data, size, MSG_NOSIGNAL);
            if (n > 0) {
                data += n;
                size -= static_cast<std::size_t>(n);
            } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                if (!wait_socket(POLLOUT, forever())) return false;
            } else {
                return false;
            }
        }
        return true;
    }

    /// Up to `size` bytes (plain or TLS): > 0 read, 0 the home closed, -1 failed or stopping.
    ssize_t receive(char* out, std::size_t size, std::chrono::steady_clock::time_point deadline = forever()) {
        while (true) {
            if (ssl_ != nullptr) {
                int n = 0;
                int error = 0;
                short wants = 0;
                {
                    std::lock_guard lock(ssl_mutex_);
                    n = SSL_read(ssl_, out, static_cast<int>(std::min<std::size_t>(size, 1 << 20)));
                    if (n <= 0) {
                        error = SSL_get_error(ssl_, n);
                        wants = ssl_wants(n);
                    }
                }
                if (n > 0) return n;
                if (error == SSL_ERROR_ZERO_RETURN) return 0;
                if (wants == 0) return -1;
                if (!wait_socket(wants, deadline)) return -1;
                continue;
            }
            const ssize_t n = ::recv(fd_, out, size, 0);
            if (n >= 0) return n;
            if (errno != EAGAIN && errno != EINTR) return -1;
            if (!wait_socket(POLLIN, deadline)) return -1;
        }
    }

    /// TLS to the home, which must show the certificate whose key it announced
    /// (cluster_nodes.tls_pin): the team's servers trust each other through the database.
    bool start_tls(const std::string& host, std::chrono::steady_clock::time_point deadline) {
        ssl_ctx_ = SSL_CTX_new(TLS_client_method());
        if (ssl_ctx_ == nullptr) return false;
        SSL_CTX_set_min_proto_version(ssl_ctx_, TLS1_2_VERSION);
        SSL_CTX_set_mode(ssl_ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
        ssl_ = SSL_new(ssl_ctx_);
        if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1) return false;
        if (host.find(':') == std::string::npos && !std::all_of(host.begin(), host.end(), [](char c) {
                return (c >= '0' && c <= '9') || c == '.';
            }))
            // SSL_set_tlsext_host_name, without the macro's C cast.
            SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(host.c_str()));
        while (true) {
            const int r = SSL_connect(ssl_);
            if (r == 1) break;
            const short wants = ssl_wants(r);
            if (wants == 0 || !wait_socket(wants, deadline)) return false;
        }
        X509* peer = SSL_get1_peer_certificate(ssl_);
        if (peer == nullptr) return false;
        std::string pem;
        if (BIO* bio = BIO_new(BIO_s_mem()); bio != nullptr) {
            if (PEM_write_bio_X509(bio, peer) == 1) {
                char* data = nullptr;
                const long length = BIO_get_mem_data(bio, &data);
                pem.assign(data, static_cast<std::size_t>(length));
            }
            BIO_free(bio);
        }
        X509_free(peer);
        const auto pin = http::public_key_pin(pem);
        return pin && !target_.tls_pin.empty() && *pin == target_.tls_pin;
    }

    /// One masked frame (a client's frames are masked, RFC 6455 §5.3).
    bool send_frame(std::uint8_t opcode, const char* data, std::size_t size) {
        std::lock_guard lock(write_mutex_);
        frame_.clear();
        frame_.push_back(static_cast<char>(0x80 | opcode));
        if (size < 126) {
            frame_.push_back(static_cast<char>(0x80 | size));
        } else if (size <= 0xffff) {
            frame_.push_back(static_cast<char>(0x80 | 126));
            frame_.push_back(static_cast<char>(size >> 8));
            frame_.push_back(static_cast<char>(size & 0xff));
        } else {
            frame_.push_back(static_cast<char>(0x80 | 127));
            for (int shift = 56; shift >= 0; shift -= 8) frame_.push_back(static_cast<char>((size >> shift) & 0xff));
        }
        std::array<char, 4> mask{};
        const auto m = static_cast<std::uint32_t>(random_());
        std::memcpy(mask.data(), &m, 4);
        frame_.append(mask.data(), 4);
        const std::size_t start = frame_.size();
        frame_.append(data, size);
        for (std::size_t i = 0; i < size; ++i) frame_[start + i] = static_cast<char>(frame_[start + i] ^ mask[i % 4]);
        return send_all(frame_.data(), frame_.size());
    }

    bool connect_and_upgrade() {
        std::string host;
        std::uint16_t port = 0;
        bool tls = false;
        if (!parse_node_url(target_.node_url, host, port, &tls)) {
            fail("the node URL is not http(s)://HOST:PORT");
            return false;
        }
        const auto deadline = std::chrono::steady_clock::now() + timeout_;
        const int fd = connect_to(host, port, timeout_);
        if (fd < 0) {
            fail("cannot connect");
            return false;
        }
        {
            std::lock_guard lock(fd_mutex_);
            fd_ = fd;
            if (stop_) ::shutdown(fd_, SHUT_RDWR);
        }
        if (tls && !start_tls(host, deadline)) {
            fail("TLS to the home failed, or it showed another certificate than the one it announced");
            return false;
        }
        std::string request = "GET " + target_.path + " HTTP/1.1\r\nHost: " + host + ":" + std::to_string(port) +
                              "\r\nAuthorization: Bearer " + target_.authorization + "\r\nConnection: Upgrade\r\n";
        if (target_.websocket) {
            std::array<unsigned char, 16> key{};
            for (auto& b : key) b = static_cast<unsigned char>(random_() & 0xff);
            request += "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " +
                       base64(key.data(), key.size()) + "\r\nSec-WebSocket-Protocol: binary\r\n";
        } else {
            request += "Upgrade: helpline-relay/1\r\n";
        }
        request += "\r\n";
        if (!send_all(request.data(), request.size())) {
            fail("the connection closed before the upgrade");
            return false;
        }
        // The answer's header; what follows it is already the stream.
        std::string header;
        std::array<char, 4096> chunk{};
        while (header.find("\r\n\r\n") == std::string::npos) {
            const ssize_t n = receive(chunk.data(), chunk.size(), deadline);
            if (n <= 0 || header.size() + static_cast<std::size_t>(n) > kMaxResponseHeader) {
                fail("no answer to the upgrade");
                return false;
            }
            header.append(chunk.data(), static_cast<std::size_t>(n));
        }
        const auto end = header.find("\r\n\r\n") + 4;
        if (header.rfind("HTTP/1.1 101", 0) != 0) {
            fail("the home refused: " + header.substr(0, header.find("\r\n")));
            return false;
        }
        pending_ = header.substr(end);
        return true;
    }

    /// The local side's bytes to the home (this thread also connects and starts the other).
    void upstream() {
        if (!connect_and_upgrade()) return;
        std::thread([self = shared_from_this()] { self->downstream(); }).detach();
        while (!stop_) {
            const auto seen = generation();
            const auto data = inbound_.data();
            if (!data.empty()) {
                const bool sent = target_.websocket ? send_frame(kOpBinary, data.data(), data.size())
                                                    : send_all(data.data(), data.size());
                if (!sent) return fail("the home closed the connection");
                inbound_.consume(data.size());
                continue;
            }
            if (inbound_.aborted()) return cut();
            if (inbound_.finished()) {
                // The local side is done sending: the home hears it politely and ends the
                // session its way; its answer (and close code) still comes down.
                if (target_.websocket) {
                    const char normal[2] = {0x03, static_cast<char>(0xe8)};  // 1000
                    (void)send_frame(kOpClose, normal, sizeof normal);
                } else {
                    std::lock_guard lock(fd_mutex_);
                    ::shutdown(fd_, SHUT_WR);
                }
                return;
            }
            wait_change(seen);
        }
    }

    /// Reads exactly `size` bytes (what pending_ holds first); false when the connection ends.
    bool read_exact(char* out, std::size_t size) {
        const std::size_t from_pending = std::min(size, pending_.size());
        std::memcpy(out, pending_.data(), from_pending);
        pending_.erase(0, from_pending);
        std::size_t got = from_pending;
        while (got < size) {
            const ssize_t n = receive(out + got, size - got);
            if (n <= 0) return false;
            got += static_cast<std::size_t>(n);
        }
        return true;
    }

    /// Waits for room in outbound; false when it is over.
    std::span<char> room() {
        while (!stop_) {
            const auto seen = generation();
            const auto region = outbound_.prepare();
            if (!region.empty()) return region;
            if (outbound_.aborted() || outbound_.closed()) return {};
            wait_change(seen);
        }
        return {};
    }

    /// The home's bytes to the local side.
    void downstream() {
        if (!target_.websocket) {
            // Raw: what the upgrade's answer already held, then the socket.
            while (!pending_.empty()) {
                const auto region = room();
                if (region.empty()) return cut();
                const std::size_t n = std::min(region.size(), pending_.size());
                std::memcpy(region.data(), pending_.data(), n);
                pending_.erase(0, n);
                outbound_.commit(n);
            }
            while (true) {
                const auto region = room();
                if (region.empty()) return cut();
                const ssize_t n = receive(region.data(), region.size());
                if (n > 0) {
                    outbound_.commit(static_cast<std::size_t>(n));
                } else {
                    if (n == 0) {
                        outbound_.close();  // the home ended it: deliver the rest, then close
                    } else {
                        outbound_.abort();
                    }
                    return;
                }
            }
        }
        while (true) {
            std::array<char, 14> h{};
            if (!read_exact(h.data(), 2)) return ended_without_close();
            const auto opcode = static_cast<std::uint8_t>(h[0] & 0x0f);
            const bool masked = (h[1] & 0x80) != 0;
            std::uint64_t length = static_cast<std::uint8_t>(h[1] & 0x7f);
            if (length == 126 || length == 127) {
                const std::size_t extra = length == 126 ? 2 : 8;
                if (!read_exact(h.data() + 2, extra)) return ended_without_close();
                length = 0;
                for (std::size_t i = 0; i < extra; ++i) length = (length << 8) | static_cast<std::uint8_t>(h[2 + i]);
            }
            std::array<char, 4> mask{};
            if (masked && !read_exact(mask.data(), 4)) return ended_without_close();
            if (opcode == kOpBinary || opcode == kOpText || opcode == kOpContinuation) {
                std::uint64_t left = length;
                std::uint64_t offset = 0;
                while (left > 0) {
                    const auto region = room();
                    if (region.empty()) return cut();
                    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(region.size(), left));
                    if (!read_exact(region.data(), n)) return ended_without_close();
                    if (masked)
                        for (std::size_t i = 0; i < n; ++i) region[i] = static_cast<char>(region[i] ^ mask[(offset + i) % 4]);
                    outbound_.commit(n);
                    left -= n;
                    offset += n;
                }
                continue;
            }
            // A control frame: at most 125 bytes.
            if (length > 125) return fail("a malformed frame from the home");
            std::array<char, 125> payload{};
            if (!read_exact(payload.data(), static_cast<std::size_t>(length))) return ended_without_close();
            if (masked)
                for (std::size_t i = 0; i < length; ++i) payload[i] = static_cast<char>(payload[i] ^ mask[i % 4]);
            if (opcode == kOpPing) {
                (void)send_frame(kOpPong, payload.data(), static_cast<std::size_t>(length));
            } else if (opcode == kOpClose) {
                {
                    // The home's close code is the viewer's (4000 ended, 4001 pair timeout, ...).
                    std::lock_guard lock(mutex_);
                    got_close_ = true;
                    close_status_.code = length >= 2 ? static_cast<std::uint16_t>(
                                                           (static_cast<std::uint8_t>(payload[0]) << 8) |
                                                           static_cast<std::uint8_t>(payload[1]))
                                                     : 1000;
                    close_status_.reason = length > 2 ? std::string(payload.data() + 2, length - 2) : std::string();
                }
                (void)send_frame(kOpClose, payload.data(), std::min<std::size_t>(2, length));
                outbound_.close();
                return;
            } else if (opcode != kOpPong) {
                return fail("an unknown frame from the home");
            }
        }
    }

    void ended_without_close() {
        if (stop_) return;
        fail("the home closed the connection without a close frame");
    }

    const ForwardTarget target_;
    http::BytePipe inbound_;
    http::BytePipe outbound_;
    const std::chrono::milliseconds timeout_;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::uint64_t generation_ = 0;
    http::CloseStatus close_status_{1000, {}};
    bool got_close_ = false;
    std::mutex fd_mutex_;
    int fd_ = -1;
    std::mutex write_mutex_;
    std::mutex ssl_mutex_;  ///< SSL_read and SSL_write never run at once
    SSL_CTX* ssl_ctx_ = nullptr;
    SSL* ssl_ = nullptr;
    std::string frame_;    ///< the frame being sent (under write_mutex_)
    std::string pending_;  ///< bytes read past the upgrade's answer
    std::mt19937 random_{std::random_device{}()};
};

}  // namespace

bool parse_node_url(const std::string& url, std::string& host, std::uint16_t& port, bool* tls) {
    constexpr std::string_view kPlain = "http://";
    constexpr std::string_view kTls = "https://";
    const bool secure = url.rfind(kTls, 0) == 0;
    if (!secure && url.rfind(kPlain, 0) != 0) return false;
    if (tls != nullptr) *tls = secure;
    std::string rest = url.substr(secure ? kTls.size() : kPlain.size());
    while (!rest.empty() && rest.back() == '/') rest.pop_back();
    if (rest.find('/') != std::string::npos) return false;
    std::size_t colon = rest.rfind(':');
    if (colon == std::string::npos) return false;
    host = rest.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    unsigned value = 0;
    const std::string p = rest.substr(colon + 1);
    const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (host.empty() || ec != std::errc() || end != p.data() + p.size() || value == 0 || value > 65535) return false;
    port = static_cast<std::uint16_t>(value);
    return true;
}

std::shared_ptr<http::ByteChannel> make_forward_channel(ForwardTarget target, std::size_t buffer_size,
                                                        std::chrono::milliseconds connect_timeout) {
    return std::make_shared<ForwardChannel>(std::move(target), buffer_size, connect_timeout);
}

}  // namespace helpline::server::relay
