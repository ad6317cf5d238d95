#include "tests/support/test_client.h"

#include <cstdio>
#include <random>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace helpline::test {
namespace {

// libcurl's global set-up, on first use (not at start: some test programs check that
// libcurl is not loaded before their first call, client/core/curl_delayed.cpp).
bool curl_ready() {
    static const bool ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    return ready;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

/// "Name: value\r\n" into headers (lower-case name); the status line and blanks ignored.
void parse_header_line(std::string_view line, std::map<std::string, std::string>& headers) {
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
        if (line.rfind("HTTP/", 0) == 0) headers.clear();  // a new response (after 100)
        return;
    }
    auto value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    headers[lower(std::string(line.substr(0, colon)))] = std::string(value);
}

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* out) {
    static_cast<std::string*>(out)->append(data, size * count);
    return size * count;
}

std::size_t append_header(char* data, std::size_t size, std::size_t count, void* out) {
    parse_header_line(std::string_view(data, size * count),
                      *static_cast<std::map<std::string, std::string>*>(out));
    return size * count;
}

std::mutex default_ca_mutex;
std::string default_ca;  ///< guarded by default_ca_mutex

void apply(CURL* curl, const std::string& url, const CurlOptions& options, curl_slist*& headers) {
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_PROXY, "");  // never a proxy from the environment
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, options.method.c_str());
    if (options.method == "GET") {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, nullptr);
    } else if (!options.body.empty() || options.method == "POST") {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, options.body.data());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(options.body.size()));
    }
    for (const auto& h : options.headers) headers = curl_slist_append(headers, h.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    std::string ca_pem = options.ca_pem.empty() ? default_ca_pem() : options.ca_pem;
    if (!ca_pem.empty()) {
        curl_blob blob{ca_pem.data(), ca_pem.size(), CURL_BLOB_COPY};
        curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &blob);
    }
    if (!options.pin.empty()) curl_easy_setopt(curl, CURLOPT_PINNEDPUBLICKEY, options.pin.c_str());
    if (options.expect_100_timeout.count() > 0)
        curl_easy_setopt(curl, CURLOPT_EXPECT_100_TIMEOUT_MS,
                         static_cast<long>(options.expect_100_timeout.count()));
}

bool resolve(const std::string& host, std::uint16_t port, sockaddr_storage& address,
             socklen_t& size) {
    std::memset(&address, 0, sizeof address);
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
    if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        size = sizeof(sockaddr_in);
        return true;
    }
    if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        size = sizeof(sockaddr_in6);
        return true;
    }
    return false;
}

}  // namespace

void trust_by_default(const std::string& ca_pem) {
    std::lock_guard lock(default_ca_mutex);
    default_ca += ca_pem;
}

std::string default_ca_pem() {
    std::lock_guard lock(default_ca_mutex);
    return default_ca;
}

CurlClient::CurlClient() : curl_(curl_ready() ? curl_easy_init() : nullptr) {}

CurlClient::~CurlClient() {
    curl_easy_cleanup(curl_);
}

CurlResponse CurlClient::request(const std::string& url, const CurlOptions& options) {
    CurlResponse response;
    if (!curl_ready() || !curl_) {
        response.code = CURLE_FAILED_INIT;
        return response;
    }
    curl_easy_reset(curl_);  // keeps the connection cache
    curl_slist* headers = nullptr;
    apply(curl_, url, options, headers);
    char error[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, append_header);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &response.headers);
    response.code = curl_easy_perform(curl_);
    response.error = error;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &response.status);
    curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &response.new_connections);
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, nullptr);
    curl_slist_free_all(headers);
    return response;
}

CurlEventStream::CurlEventStream(std::string url, CurlOptions options) {
    thread_ = std::thread([this, url = std::move(url), options = std::move(options)] {
        CURL* curl = curl_ready() ? curl_easy_init() : nullptr;
        curl_slist* headers = nullptr;
        apply(curl, url, options, headers);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &CurlEventStream::on_data);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, this);
        curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &CurlEventStream::on_header);
        curl_easy_setopt(curl, CURLOPT_HEADERDATA, this);
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &CurlEventStream::on_progress);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, this);
        result_ = curl_easy_perform(curl);
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        {
            std::lock_guard lock(mutex_);
            status_ = status;
        }
        curl_slist_free_all(headers);
        curl_easy_cleanup(curl);
        finished_ = true;
    });
}

CurlEventStream::~CurlEventStream() {
    stop();
}

void CurlEventStream::stop() {
    abort_ = true;
    if (thread_.joinable()) thread_.join();
}

std::string CurlEventStream::text() const {
    std::lock_guard lock(mutex_);
    return text_;
}

std::string CurlEventStream::header(const std::string& name) const {
    std::lock_guard lock(mutex_);
    auto it = headers_.find(name);
    return it == headers_.end() ? std::string() : it->second;
}

long CurlEventStream::status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

std::size_t CurlEventStream::on_data(char* data, std::size_t size, std::size_t count, void* self) {
    auto* stream = static_cast<CurlEventStream*>(self);
    if (stream->abort_) return 0;
    std::lock_guard lock(stream->mutex_);
    stream->text_.append(data, size * count);
    return size * count;
}

std::size_t CurlEventStream::on_header(char* data, std::size_t size, std::size_t count,
                                       void* self) {
    auto* stream = static_cast<CurlEventStream*>(self);
    std::lock_guard lock(stream->mutex_);
    parse_header_line(std::string_view(data, size * count), stream->headers_);
    return size * count;
}

int CurlEventStream::on_progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    // libcurl calls this often while a transfer idles; non-zero aborts it.
    return static_cast<CurlEventStream*>(self)->abort_ ? 1 : 0;
}

RawSocket::RawSocket(const std::string& host, std::uint16_t port, int receive_buffer) {
    sockaddr_storage address{};
    socklen_t size = 0;
    if (!resolve(host, port, address, size)) return;
    fd_ = ::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    if (receive_buffer > 0)
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), size) != 0) close();
}

RawSocket::~RawSocket() {
    close();
}

void RawSocket::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

bool RawSocket::send(std::string_view data) {
    while (fd_ >= 0 && !data.empty()) {
        const auto sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(sent));
    }
    return fd_ >= 0;
}

std::string RawSocket::receive_until(const std::function<bool(const std::string&)>& done,
                                     std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (fd_ >= 0 && !peer_closed_ && !done(received_)) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd_, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) break;
        char buffer[16384];
        const auto got = ::recv(fd_, buffer, sizeof buffer, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            peer_closed_ = true;  // FIN or RST
            break;
        }
        received_.append(buffer, static_cast<std::size_t>(got));
    }
    return received_;
}

bool RawSocket::wait_closed(std::chrono::milliseconds timeout) {
    receive_until([](const std::string&) { return false; }, timeout);
    return peer_closed_;
}

bool RawSocket::peer_closed() {
    receive_until([](const std::string&) { return false; }, std::chrono::milliseconds(0));
    if (fd_ >= 0 && !peer_closed_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 0) > 0) {
            char buffer[4096];
            const auto got = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
            if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
                peer_closed_ = true;
            else if (got > 0)
                received_.append(buffer, static_cast<std::size_t>(got));
        }
    }
    return peer_closed_;
}

std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    std::uint16_t port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), size) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0)
        port = ntohs(address.sin_port);
    ::close(fd);
    return port;
}

bool port_is_free(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    address.sin_port = htons(port);
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return ok;
}

bool has_ipv6_loopback() {
    const int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_addr = in6addr_loopback;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return ok;
}

nlohmann::json body_json(const CurlResponse& response) {
    auto doc = nlohmann::json::parse(response.body, nullptr, false);
    return doc.is_discarded() ? nlohmann::json() : doc;
}

std::string new_uuid() {
    thread_local std::mt19937_64 random{std::random_device{}()};
    const std::uint64_t hi = random();
    const std::uint64_t lo = random();
    char text[37];
    std::snprintf(text, sizeof text, "%08x-%04x-4%03x-%04x-%012llx",
                  static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xffff),
                  static_cast<unsigned>(hi & 0xfff),
                  static_cast<unsigned>(0x8000 | ((lo >> 48) & 0x3fff)),
                  static_cast<unsigned long long>(lo & 0xffffffffffffULL));
    return text;
}

}  // namespace helpline::test
