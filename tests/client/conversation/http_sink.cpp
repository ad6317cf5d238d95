#include "tests/client/conversation/http_sink.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <vector>

namespace helpline::test {
namespace {

constexpr std::size_t kMaxHead = 64 * 1024;
constexpr std::size_t kKeptBody = 64 * 1024;

class Sha256 {
  public:
    Sha256() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
        EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
    }
    void update(const void* data, std::size_t n) { EVP_DigestUpdate(ctx_.get(), data, n); }
    std::string hex() {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        EVP_DigestFinal_ex(ctx_.get(), digest, &n);
        std::string out;
        char buf[3];
        for (unsigned int i = 0; i < n; ++i) {
            std::snprintf(buf, sizeof buf, "%02x", digest[i]);
            out += buf;
        }
        return out;
    }

  private:
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    const auto e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

bool send_all(int fd, const char* data, std::size_t n) {
    while (n > 0) {
        const ssize_t w = ::send(fd, data, n, MSG_NOSIGNAL);
        if (w <= 0) return false;
        data += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

const char* reason(int status) {
    switch (status) {
        case 100:
            return "Continue";
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 204:
            return "No Content";
        case 404:
            return "Not Found";
        case 409:
            return "Conflict";
        case 410:
            return "Gone";
        case 413:
            return "Payload Too Large";
        default:
            return "Status";
    }
}

}  // namespace

HttpSink::HttpSink(Script script) : script_(std::move(script)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listen_fd_, 16) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
        throw std::runtime_error("HttpSink: cannot listen on 127.0.0.1");
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

HttpSink::~HttpSink() {
    stopping_ = true;
    if (acceptor_.joinable()) acceptor_.join();
    for (auto& w : workers_)
        if (w.joinable()) w.join();
    ::close(listen_fd_);
}

std::vector<SinkRequest> HttpSink::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

void HttpSink::accept_loop() {
    while (!stopping_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        timeval timeout{10, 0};  // every read bounded: a test never hangs on the sink
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        workers_.emplace_back([this, fd] {
            serve(fd);
            ::close(fd);
        });
    }
}

void HttpSink::serve(int fd) {
    std::string head;
    std::vector<char> buffer(256 * 1024);
    std::size_t end = std::string::npos;
    while ((end = head.find("\r\n\r\n")) == std::string::npos && head.size() < kMaxHead) {
        const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
        if (n <= 0) return;
        head.append(buffer.data(), static_cast<std::size_t>(n));
    }
    if (end == std::string::npos) return;
    std::string early_body = head.substr(end + 4);
    head.resize(end);

    SinkRequest request;
    std::size_t line_end = head.find("\r\n");
    const std::string first = head.substr(0, line_end);
    const auto sp1 = first.find(' ');
    const auto sp2 = first.find(' ', sp1 + 1);
    request.method = first.substr(0, sp1);
    request.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
    while (line_end != std::string::npos) {
        const std::size_t start = line_end + 2;
        line_end = head.find("\r\n", start);
        const std::string line = head.substr(
            start, line_end == std::string::npos ? std::string::npos : line_end - start);
        const auto colon = line.find(':');
        if (colon != std::string::npos)
            request.headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
    }
    request.chunked =
        lower(request.header("transfer-encoding")).find("chunked") != std::string::npos;

    const SinkAnswer answer = script_(request);
    if (!answer.before_body && !request.chunked) {
        const std::uint64_t length = request.headers.count("content-length")
                                         ? std::stoull(request.header("content-length"))
                                         : 0;
        if (length > 0 && early_body.empty() && lower(request.header("expect")) == "100-continue") {
            const std::string cont = "HTTP/1.1 100 Continue\r\n\r\n";
            send_all(fd, cont.data(), cont.size());
            request.continued = true;
        }
        Sha256 sha;
        const auto take = [&](const char* data, std::size_t n) {
            sha.update(data, n);
            if (request.body_start.size() < kKeptBody)
                request.body_start.append(data, std::min(n, kKeptBody - request.body_start.size()));
            request.body_bytes += n;
        };
        take(early_body.data(), std::min<std::uint64_t>(early_body.size(), length));
        while (request.body_bytes < length) {
            const ssize_t n = ::recv(fd, buffer.data(),
                                     static_cast<std::size_t>(std::min<std::uint64_t>(
                                         buffer.size(), length - request.body_bytes)),
                                     0);
            if (n <= 0) break;
            take(buffer.data(), static_cast<std::size_t>(n));
        }
        request.body_sha256 = sha.hex();
    }

    {
        // Recorded before the answer: once the client has it, the test may look.
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
    }
    const std::uint64_t length =
        answer.generated_bytes > 0 ? answer.generated_bytes : answer.body.size();
    std::string response = "HTTP/1.1 " + std::to_string(answer.status) + " " +
                           reason(answer.status) + "\r\nContent-Type: " + answer.content_type +
                           "\r\nContent-Length: " + std::to_string(length) +
                           "\r\nConnection: close\r\n\r\n";
    if (answer.generated_bytes == 0) response += answer.body;
    bool sent = send_all(fd, response.data(), response.size());
    for (std::uint64_t i = 0; sent && i < answer.generated_bytes;) {
        std::size_t n = 0;
        for (; n < buffer.size() && i < answer.generated_bytes; ++n, ++i)
            buffer[n] = static_cast<char>(pattern_byte(i));
        sent = send_all(fd, buffer.data(), n);
    }
    ::shutdown(fd, SHUT_WR);
    // Until the client closes: its last bytes are not answered with a reset.
    while (::recv(fd, buffer.data(), buffer.size(), 0) > 0) {
    }
}

void write_pattern_file(const std::string& path, std::uint64_t size) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    std::vector<char> piece(1024 * 1024);
    for (std::uint64_t i = 0; i < size;) {
        std::size_t n = 0;
        for (; n < piece.size() && i < size; ++n, ++i)
            piece[n] = static_cast<char>(pattern_byte(i));
        out.write(piece.data(), static_cast<std::streamsize>(n));
    }
}

std::string sha256_of_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    Sha256 sha;
    std::vector<char> piece(1024 * 1024);
    while (in) {
        in.read(piece.data(), static_cast<std::streamsize>(piece.size()));
        sha.update(piece.data(), static_cast<std::size_t>(in.gcount()));
    }
    return sha.hex();
}

std::string sha256_of_pattern(std::uint64_t size) {
    Sha256 sha;
    std::vector<char> piece(1024 * 1024);
    for (std::uint64_t i = 0; i < size;) {
        std::size_t n = 0;
        for (; n < piece.size() && i < size; ++n, ++i)
            piece[n] = static_cast<char>(pattern_byte(i));
        sha.update(piece.data(), n);
    }
    return sha.hex();
}

}  // namespace helpline::test
