#include "client/core/relay_tunnel.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>

#include "client/core/net_socket.h"
#include "client/core/tunnel_pump.h"

namespace helpline::client {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kConnectTimeout{10'000};
constexpr std::chrono::milliseconds kAnswerTimeout{15'000};  ///< request sent and 101 read
constexpr std::size_t kMaxHead = 16 * 1024;      ///< the answer's status line and headers
constexpr std::size_t kMaxErrorBody = 4 * 1024;  ///< problem+json read for a refusal

struct CurlDeleter {
    void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;

/// Session ids and tokens go into the request line and a header: anything that could end
/// the line or the header is refused rather than escaped.
bool valid_session_id(const std::string& id) {
    if (id.empty() || id.size() > 128) return false;
    for (char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
        if (!ok) return false;
    }
    return true;
}

bool valid_token(const std::string& token) {
    if (token.empty() || token.size() > 1024) return false;
    for (char c : token)
        if (c < 0x21 || c > 0x7e) return false;
    return true;
}

struct Target {
    std::string host;  ///< for the Host header, with ":port" when the URL names one
    std::string path;
};

Result<Target> parse_target(const std::string& url) {
    CURLU* u = curl_url();
    Target target;
    char* host = nullptr;
    char* port = nullptr;
    char* path = nullptr;
    const bool ok = curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
                    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
                    curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK;
    if (ok) {
        target.host = host;
        if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK)
            target.host += std::string(":") + port;
        target.path = path;
    }
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_url_cleanup(u);
    if (!ok)
        return make_error(tunnel_error::kProtocol,
                          fmt::format("The support server address '{}' is not a valid URL.", url),
                          url);
    return target;
}

Error timeout_error(const ServerEndpoint& endpoint) {
    return make_error(
        net_error::kTimeout,
        fmt::format("The support server {} did not open the remote-session connection in time.",
                    endpoint.base_url));
}

/// Waits until the socket is ready for `events` (net::poll_flag) or the deadline passes.
bool wait_socket(curl_socket_t fd, unsigned events, Clock::time_point deadline) {
    while (true) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        net::PollEntry entry{fd, events, 0};
        const int rc = net::poll_sockets({&entry, 1}, static_cast<int>(left));
        if (rc > 0) return true;
        if (rc < 0) return false;
    }
}

Status send_all(CURL* curl, curl_socket_t fd, std::string_view data, Clock::time_point deadline,
                const ServerEndpoint& endpoint) {
    while (!data.empty()) {
        std::size_t n = 0;
        const CURLcode rc = curl_easy_send(curl, data.data(), data.size(), &n);
        if (rc == CURLE_AGAIN) {
            if (!wait_socket(fd, net::poll_flag::kWritable, deadline))
                return timeout_error(endpoint);
            continue;
        }
        if (rc != CURLE_OK) return transport_error(rc, nullptr, endpoint);
        data.remove_prefix(n);
    }
    return Ok{};
}

/// Reads into `received` until it holds `wanted` bytes or the peer closes; false on a
/// timeout or error. Returns what curl said last in `last`.
bool read_until(CURL* curl, curl_socket_t fd, std::string& received, Clock::time_point deadline,
                const std::function<bool(const std::string&)>& done, CURLcode& last) {
    char chunk[4096];
    while (!done(received)) {
        std::size_t n = 0;
        last = curl_easy_recv(curl, chunk, sizeof chunk, &n);
        if (last == CURLE_AGAIN) {
            if (!wait_socket(fd, net::poll_flag::kReadable, deadline)) {
                last = CURLE_OPERATION_TIMEDOUT;
                return false;
            }
            continue;
        }
        if (last != CURLE_OK) return false;
        if (n == 0) return false;  // closed
        received.append(chunk, n);
    }
    return true;
}

/// "HTTP/1.1 101 Switching Protocols" → 101; -1 if that is not a status line.
int parse_status(std::string_view head, std::string& reason) {
    const auto line_end = head.find("\r\n");
    const std::string_view line = head.substr(0, line_end);
    if (line.substr(0, 7) != "HTTP/1." || line.size() < 12 || line[8] != ' ') return -1;
    int status = 0;
    for (std::size_t i = 9; i < 12; ++i) {
        if (line[i] < '0' || line[i] > '9') return -1;
        status = status * 10 + (line[i] - '0');
    }
    if (line.size() > 13) reason = std::string(line.substr(13));
    return status;
}

/// The Content-Length of a head, or 0 when it has none.
std::size_t content_length(std::string_view head) {
    std::string lower(head);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto at = lower.find("\r\ncontent-length:");
    if (at == std::string::npos) return 0;
    return static_cast<std::size_t>(std::strtoull(lower.c_str() + at + 17, nullptr, 10));
}

/// What a problem+json body says, if it is one.
std::string problem_detail(const std::string& body) {
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (!json.is_object()) return {};
    for (const char* key : {"detail", "title"})
        if (auto it = json.find(key);
            it != json.end() && it->is_string() && !it->get<std::string>().empty())
            return it->get<std::string>();
    return {};
}

Error refusal(int status, const std::string& reason, const std::string& detail,
              const std::string& url) {
    std::string why;
    switch (status) {
        case 401:
        case 403:
            why = ": the session's relay token was not accepted";
            break;
        case 404:
            why = ": the server knows no such session (it may have ended)";
            break;
        case 409:
            why = ": the session has already ended or is connected elsewhere";
            break;
        default:
            why = reason.empty() ? "" : " " + reason;
            break;
    }
    std::string message = fmt::format(
        "The support server refused the remote-session connection (HTTP {}{}).", status, why);
    if (!detail.empty()) message += fmt::format(" The server said: {}", detail);
    return make_error(tunnel_error::kRefused, std::move(message), url);
}

Result<net::Socket> connect_backend(std::uint16_t port) {
    auto connected = net::connect_loopback(port);
    if (connected) return std::move(*connected);
    return make_error(
        tunnel_error::kBackend,
        fmt::format(
            "The local screen-sharing program on 127.0.0.1:{} did not accept the connection: "
            "{}.",
            port, connected.error().message));
}

}  // namespace

Result<std::unique_ptr<RelayTunnel>> RelayTunnel::open(
    const ServerEndpoint& endpoint, const std::string& session_id, const std::string& relay_token,
    std::uint16_t backend_port, std::function<void(const TunnelStats&)> on_closed) {
    if (!valid_session_id(session_id))
        return make_error(tunnel_error::kProtocol, "The session id from the server is not valid.",
                          "session_id");
    if (!valid_token(relay_token))
        return make_error(tunnel_error::kProtocol, "The relay token from the server is not valid.",
                          "relay_token");
    const std::string url = endpoint.url("/api/v1/relay/" + session_id);
    auto target = parse_target(url);
    if (!target) return target.error();

    ensure_curl();
    CurlPtr curl(curl_easy_init());
    if (!curl)
        return make_error(net_error::kOther,
                          "Could not set up a connection (libcurl failed to initialise).");
    char error_buffer[CURL_ERROR_SIZE] = {};
    apply_endpoint(curl.get(), endpoint, kConnectTimeout);
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(curl.get(), CURLOPT_CONNECT_ONLY, 1L);
    // Only HTTP/1.1 can be upgraded: ALPN must not settle on h2.
    curl_easy_setopt(curl.get(), CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    // Through an HTTP proxy, ask for a CONNECT tunnel: our request goes to the server itself.
    curl_easy_setopt(curl.get(), CURLOPT_HTTPPROXYTUNNEL, 1L);
    if (const CURLcode rc = curl_easy_perform(curl.get()); rc != CURLE_OK)
        return transport_error(rc, error_buffer, endpoint);
    curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER,
                     static_cast<char*>(nullptr));  // error_buffer goes out of scope

    curl_socket_t fd = CURL_SOCKET_BAD;
    if (curl_easy_getinfo(curl.get(), CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK ||
        fd == CURL_SOCKET_BAD)
        return make_error(net_error::kUnreachable,
                          fmt::format("The connection to the support server {} closed at once.",
                                      endpoint.base_url));

    const auto deadline = Clock::now() + kAnswerTimeout;
    const std::string request = fmt::format(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: {}\r\nUpgrade: helpline-relay/1\r\nConnection: "
        "Upgrade\r\n"
        "Authorization: Bearer {}\r\n\r\n",
        target->path, target->host, endpoint.user_agent, relay_token);
    if (auto sent = send_all(curl.get(), fd, request, deadline, endpoint); !sent)
        return sent.error();

    std::string received;
    CURLcode last = CURLE_OK;
    const auto has_head = [](const std::string& r) {
        return r.find("\r\n\r\n") != std::string::npos || r.size() > kMaxHead;
    };
    if (!read_until(curl.get(), fd, received, deadline, has_head, last)) {
        if (last == CURLE_OPERATION_TIMEDOUT) return timeout_error(endpoint);
        if (last != CURLE_OK) return transport_error(last, nullptr, endpoint);
        return make_error(
            net_error::kUnreachable,
            fmt::format(
                "The support server {} closed the remote-session connection without an answer.",
                endpoint.base_url),
            url);
    }
    const auto head_end = received.find("\r\n\r\n");
    if (head_end == std::string::npos || head_end > kMaxHead)
        return make_error(tunnel_error::kProtocol,
                          fmt::format("The support server {} sent an answer too long to be one.",
                                      endpoint.base_url),
                          url);
    const std::string head = received.substr(0, head_end + 2);
    std::string rest = received.substr(head_end + 4);

    std::string reason;
    const int status = parse_status(head, reason);
    if (status < 0)
        return make_error(
            tunnel_error::kProtocol,
            fmt::format("The support server {} did not answer in HTTP.", endpoint.base_url), url);
    if (status != 101) {
        const std::size_t length = std::min(content_length(head), kMaxErrorBody);
        const auto short_deadline = std::min(deadline, Clock::now() + std::chrono::seconds(2));
        read_until(
            curl.get(), fd, rest, short_deadline,
            [&](const std::string& r) { return r.size() >= length; }, last);
        return refusal(status, reason, problem_detail(rest), url);
    }

    auto backend = connect_backend(backend_port);
    if (!backend) return backend.error();
    return TunnelPump::start(curl.release(), std::move(*backend), std::move(rest),
                             std::move(on_closed));
}

}  // namespace helpline::client
