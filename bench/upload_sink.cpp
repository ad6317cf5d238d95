#include "bench/upload_sink.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "bench/relay_ends.h"

namespace helpline::bench {
namespace {

/// Beast's HTTP parser reads the server's sockets 64 KiB at a time; the sink does the same.
constexpr std::size_t kReadSize = 64 * 1024;
/// A request head larger than this is not from the benchmark's client.
constexpr std::size_t kMaxHead = 16 * 1024;

/// One accepted connection, plain or TLS.
class SinkStream {
  public:
    SinkStream(int fd, SSL_CTX* tls) : fd_(fd) {
        if (tls == nullptr) return;
        try {
            tls_ = std::make_unique<Tls>(tls, fd, true);  // owns fd from here
        } catch (...) {
            ::close(fd);  // a failed handshake: Tls never took it
            throw;
        }
    }
    ~SinkStream() {
        if (!tls_) ::close(fd_);
    }
    SinkStream(const SinkStream&) = delete;
    SinkStream& operator=(const SinkStream&) = delete;

    /// 0 when the peer closed (or the connection was shut down).
    std::size_t read_some(char* out, std::size_t size) {
        if (tls_) return tls_->read_some(out, size);
        while (true) {
            const ssize_t n = ::recv(fd_, out, size, 0);
            if (n >= 0) return static_cast<std::size_t>(n);
            if (errno != EINTR) return 0;
        }
    }

    void write_all(const std::string& text) {
        if (tls_) return tls_->write_all(text);
        std::size_t sent = 0;
        while (sent < text.size()) {
            const ssize_t n = ::send(fd_, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0)
                throw std::runtime_error(std::string("sink: send failed: ") + std::strerror(errno));
            sent += static_cast<std::size_t>(n);
        }
    }

  private:
    int fd_;
    std::unique_ptr<Tls> tls_;
};

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

struct Head {
    std::string method;
    std::string path;
    std::uint64_t content_length = 0;
    bool expect_continue = false;
};

Head parse_head(const std::string& head) {
    Head h;
    const auto line_end = head.find("\r\n");
    const std::string request_line = head.substr(0, line_end);
    const auto space = request_line.find(' ');
    h.method = request_line.substr(0, space);
    h.path = request_line.substr(space + 1, request_line.find(' ', space + 1) - space - 1);
    std::size_t at = line_end + 2;
    while (at < head.size()) {
        const auto end = head.find("\r\n", at);
        const std::string line = head.substr(at, end - at);
        at = end + 2;
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        const std::string name = lower(line.substr(0, colon));
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        if (name == "content-length") h.content_length = std::stoull(value);
        if (name == "expect" && lower(value) == "100-continue") h.expect_continue = true;
    }
    return h;
}

}  // namespace

UploadSink::UploadSink(SSL_CTX* tls, std::filesystem::path folder)
    : tls_(tls), folder_(std::move(folder)) {
    listener_ = listen_loopback(port_);
    thread_ = std::thread([this] {
        try {
            serve();
        } catch (const std::exception& e) {
            error_ = e.what();
            failed_ = true;
        }
    });
}

UploadSink::~UploadSink() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    if (const int fd = connection_.load(); fd >= 0) ::shutdown(fd, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
}

std::string UploadSink::error() const {
    return failed_.load() ? error_ : std::string();
}

void UploadSink::serve() {
    while (!stopping_) {
        // Polled with a short timeout so that a stop is seen even if shutdown() of a
        // listening socket does not wake accept() (it does on Linux; this is the bound).
        pollfd p{listener_, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) continue;
        const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        connection_ = fd;
        if (stopping_) ::shutdown(fd, SHUT_RDWR);
        try {
            serve_connection(fd);
        } catch (const std::exception& e) {
            if (!stopping_) {
                error_ = e.what();
                failed_ = true;
            }
        }
        connection_ = -1;
    }
}

void UploadSink::serve_connection(int fd) {
    SinkStream stream(fd, tls_);
    std::vector<char> buffer(kReadSize);
    std::string pending;  // bytes read past the previous request (pipelining, the body's start)
    while (!stopping_) {
        // The head.
        std::size_t head_end = pending.find("\r\n\r\n");
        while (head_end == std::string::npos) {
            if (pending.size() > kMaxHead) throw std::runtime_error("sink: request head too large");
            const std::size_t n = stream.read_some(buffer.data(), buffer.size());
            if (n == 0) return;  // the client closed: wait for the next connection
            pending.append(buffer.data(), n);
            head_end = pending.find("\r\n\r\n");
        }
        const Head head = parse_head(pending.substr(0, head_end + 2));
        pending.erase(0, head_end + 4);
        const bool durable = head.path.rfind("/durable/", 0) == 0;
        if (head.method != "PUT" || (!durable && head.path.rfind("/discard/", 0) != 0)) {
            stream.write_all(
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return;
        }
        if (head.expect_continue && pending.empty())
            stream.write_all("HTTP/1.1 100 Continue\r\n\r\n");

        // The body: thrown away, or written to a file made durable before the answer.
        int file = -1;
        std::string file_path;
        if (durable) {
            file_path = (folder_ / "sink-XXXXXX").string();
            file = ::mkstemp(file_path.data());
            if (file < 0)
                throw std::runtime_error("sink: cannot create a file in " + folder_.string());
        }
        const auto take = [&](const char* data, std::size_t size) {
            received_ += size;
            if (file < 0) return;
            while (size > 0) {
                const ssize_t n = ::write(file, data, size);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0)
                    throw std::runtime_error(std::string("sink: write failed: ") +
                                             std::strerror(errno));
                data += n;
                size -= static_cast<std::size_t>(n);
            }
        };
        std::uint64_t left = head.content_length;
        try {
            const std::size_t first =
                static_cast<std::size_t>(std::min<std::uint64_t>(left, pending.size()));
            take(pending.data(), first);
            pending.erase(0, first);
            left -= first;
            while (left > 0) {
                const std::size_t want =
                    static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size()));
                const std::size_t n = stream.read_some(buffer.data(), want);
                if (n == 0) throw std::runtime_error("sink: the body stopped short");
                take(buffer.data(), n);
                left -= n;
            }
            if (file >= 0 && ::fdatasync(file) != 0)
                throw std::runtime_error(std::string("sink: fdatasync failed: ") +
                                         std::strerror(errno));
        } catch (...) {
            if (file >= 0) {
                ::close(file);
                ::unlink(file_path.c_str());
            }
            throw;
        }
        if (file >= 0) {
            ::close(file);
            ::unlink(file_path.c_str());
        }
        stream.write_all(
            "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: "
            "2\r\n\r\n{}");
    }
}

}  // namespace helpline::bench
