#include "bench/http_wire.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace helpline::bench {
namespace {

/// Responses larger than this are a bug in the benchmark or the server, not a load (an
/// admin's queue of 20,000 open tickets is ~15 MiB of JSON).
constexpr std::size_t kMaxBody = 64 << 20;
constexpr std::size_t kMaxHead = 64 << 10;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

}  // namespace

std::string http_request(std::string_view method, std::string_view path, const Headers& headers,
                         std::string_view body) {
    std::string out;
    out.reserve(256 + body.size());
    out.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (const auto& [name, value] : headers)
        out.append(name).append(": ").append(value).append("\r\n");
    if (!body.empty()) out += "Content-Type: application/json\r\n";
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
        out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    out += "\r\n";
    out += body;
    return out;
}

// ---------------------------------------------------------------------------------------
// ResponseParser

void ResponseParser::feed(std::string_view data) {
    buffer_.append(data);
    while (step()) {
    }
    // Drop what is parsed, now and then, so the buffer does not grow with a long stream.
    if (offset_ > 4096 && offset_ * 2 > buffer_.size()) {
        buffer_.erase(0, offset_);
        offset_ = 0;
    }
}

std::optional<HttpResponse> ResponseParser::next() {
    if (done_.empty()) return std::nullopt;
    HttpResponse r = std::move(done_.front());
    done_.erase(done_.begin());
    return r;
}

void ResponseParser::finish_response() {
    done_.push_back(std::move(current_));
    current_ = HttpResponse{};
    state_ = State::head;
}

bool ResponseParser::step() {
    const std::string_view rest = std::string_view(buffer_).substr(offset_);
    switch (state_) {
        case State::head: {
            const auto end = rest.find("\r\n\r\n");
            if (end == std::string_view::npos) {
                if (rest.size() > kMaxHead) throw std::runtime_error("response head too large");
                return false;
            }
            const std::string_view head = rest.substr(0, end);
            offset_ += end + 4;
            // "HTTP/1.1 201 Created"
            if (head.size() < 12 || head.substr(0, 5) != "HTTP/")
                throw std::runtime_error("not an HTTP response: " +
                                         std::string(head.substr(0, 40)));
            int status = 0;
            std::from_chars(head.data() + 9, head.data() + 12, status);
            current_.status = status;
            std::size_t line_start = head.find("\r\n");
            while (line_start != std::string_view::npos) {
                line_start += 2;
                const auto line_end = head.find("\r\n", line_start);
                const auto line = head.substr(line_start, line_end == std::string_view::npos
                                                              ? std::string_view::npos
                                                              : line_end - line_start);
                const auto colon = line.find(':');
                if (colon != std::string_view::npos)
                    current_.headers[lower(trim(line.substr(0, colon)))] =
                        std::string(trim(line.substr(colon + 1)));
                line_start = line_end;
            }
            const auto te = current_.headers.find("transfer-encoding");
            if (te != current_.headers.end() &&
                lower(te->second).find("chunked") != std::string::npos) {
                state_ = State::chunk_size;
                return true;
            }
            std::size_t length = 0;
            if (const auto cl = current_.headers.find("content-length");
                cl != current_.headers.end())
                std::from_chars(cl->second.data(), cl->second.data() + cl->second.size(), length);
            if (length > kMaxBody) throw std::runtime_error("response body too large");
            remaining_ = length;
            state_ = State::length_body;
            return true;
        }
        case State::length_body: {
            const std::size_t n = std::min(remaining_, rest.size());
            current_.body.append(rest.substr(0, n));
            offset_ += n;
            remaining_ -= n;
            if (remaining_ > 0) return false;
            finish_response();
            return true;
        }
        case State::chunk_size: {
            const auto end = rest.find("\r\n");
            if (end == std::string_view::npos) return false;
            std::size_t size = 0;
            const auto parsed = std::from_chars(rest.data(), rest.data() + end, size, 16);
            if (parsed.ec != std::errc() || size > kMaxBody)
                throw std::runtime_error("bad chunk size");
            offset_ += end + 2;
            remaining_ = size;
            state_ = size == 0 ? State::trailer : State::chunk_data;
            return true;
        }
        case State::chunk_data: {
            const std::size_t n = std::min(remaining_, rest.size());
            current_.body.append(rest.substr(0, n));
            offset_ += n;
            remaining_ -= n;
            if (remaining_ > 0) return false;
            state_ = State::chunk_data_end;
            return true;
        }
        case State::chunk_data_end: {
            if (rest.size() < 2) return false;
            if (rest.substr(0, 2) != "\r\n") throw std::runtime_error("bad chunk end");
            offset_ += 2;
            state_ = State::chunk_size;
            return true;
        }
        case State::trailer: {
            // Trailer fields are not used by the server: only the empty line ends it.
            const auto end = rest.find("\r\n");
            if (end == std::string_view::npos) return false;
            offset_ += end + 2;
            if (end == 0) finish_response();
            return true;
        }
    }
    return false;
}

// ---------------------------------------------------------------------------------------
// SseParser

std::vector<SseEvent> SseParser::feed(std::string_view text) {
    pending_.append(text);
    std::vector<SseEvent> out;
    std::size_t start = 0;
    while (true) {
        const auto end = pending_.find("\n\n", start);
        if (end == std::string::npos) break;
        const std::string_view block = std::string_view(pending_).substr(start, end - start);
        start = end + 2;
        SseEvent e;
        bool any = false;
        std::size_t pos = 0;
        while (pos <= block.size()) {
            auto nl = block.find('\n', pos);
            if (nl == std::string_view::npos) nl = block.size();
            const std::string_view line = block.substr(pos, nl - pos);
            pos = nl + 1;
            if (line.empty()) continue;
            if (line.front() == ':') {
                ++comments_;
                continue;
            }
            const auto colon = line.find(':');
            const std::string_view field = line.substr(0, colon);
            std::string_view value =
                colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
            if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
            any = true;
            if (field == "event") e.type = value;
            if (field == "data") e.data.append(e.data.empty() ? "" : "\n").append(value);
            if (field == "id") e.id = value;
        }
        if (!any) continue;
        if (e.type.empty()) e.type = "message";
        out.push_back(std::move(e));
    }
    pending_.erase(0, start);
    return out;
}

// ---------------------------------------------------------------------------------------
// Sockets

int connect_loopback(std::uint16_t port, bool nonblocking) {
    const int fd =
        ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0);
    if (fd < 0) return -1;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 &&
        errno != EINPROGRESS) {
        const int saved = errno;
        ::close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

BlockingClient::~BlockingClient() {
    if (fd_ >= 0) ::close(fd_);
}

void BlockingClient::reconnect() {
    if (fd_ >= 0) ::close(fd_);
    parser_ = ResponseParser{};
    fd_ = connect_loopback(port_);
    if (fd_ < 0)
        throw std::runtime_error(std::string("cannot connect to the server: ") +
                                 std::strerror(errno));
}

HttpResponse BlockingClient::send(const std::string& request, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (fd_ < 0) reconnect();
        std::size_t sent = 0;
        bool broken = false;
        while (sent < request.size()) {
            const ssize_t n =
                ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                broken = true;
                break;
            }
            sent += static_cast<std::size_t>(n);
        }
        bool got_bytes = false;
        while (!broken) {
            if (auto r = parser_.next()) return std::move(*r);
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0)
                throw std::runtime_error("no answer from the server within the timeout");
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
            char buf[16384];
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                broken = true;
                break;
            }
            got_bytes = true;
            parser_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
        }
        // A keep-alive connection the server closed while idle: retry once on a new one.
        ::close(fd_);
        fd_ = -1;
        if (got_bytes) break;
    }
    throw std::runtime_error("the server closed the connection without an answer");
}

}  // namespace helpline::bench
