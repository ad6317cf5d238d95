#include "tests/server/relay/relay_scene.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>

namespace helpline::test {
namespace {

using Clock = std::chrono::steady_clock;

int connect_to(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

std::string upgrade_request(const std::string& session, const std::string& token, bool upgrade) {
    std::string request = "GET /api/v1/relay/" + session + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (upgrade) request += "Upgrade: helpline-relay/1\r\nConnection: Upgrade\r\n";
    if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
    return request + "\r\n";
}

int status_of(const std::string& head) {
    if (head.size() < 12 || head.compare(0, 7, "HTTP/1.") != 0) return 0;
    return std::atoi(head.c_str() + 9);
}

long milliseconds_left(Clock::time_point deadline) {
    return std::max<long>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
}

}  // namespace

std::vector<std::string> relay_args(std::vector<std::string> extra) {
    std::vector<std::string> args = {"--login-limit", "1000000",          "--submit-limit",
                                     "1000000",       "--register-limit", "1000000"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

RelayScene::RelayScene(std::vector<std::string> run_args, bool accept)
    : server_(HELPLINE_SERVER_BIN, dir_ / "data") {
    tls_ = std::find(run_args.begin(), run_args.end(), "--self-signed") != run_args.end();
    server_.start(std::move(run_args));
    if (tls_) ca_pem = read_text(server_.data() / "tls" / "self-signed-cert.pem");
    operator_token = login(server_.admin_email(), server_.admin_password());

    const auto registered = call("POST", "/api/v1/devices", {},
                                 Json{{"profile_id", "demo-support"}, {"hostname", "pc-1"}});
    INFO(registered.body);
    REQUIRE(registered.status == 201);
    device = {body_json(registered).at("device_id").get<std::string>(),
              body_json(registered).at("device_token").get<std::string>()};
    CurlOptions submit;
    submit.method = "POST";
    submit.ca_pem = ca_pem;
    submit.body = Json{
        {"email", "ana@acme.example"},
        {"description", "Please look at my screen"},
        {"group_id",
         "helpdesk"}}.dump();
    submit.headers = {"Authorization: Bearer " + device.token, "Content-Type: application/json",
                      "Idempotency-Key: " + new_uuid()};
    const auto filed = curl_request(server_.url("/api/v1/tickets"), submit);
    INFO(filed.body);
    REQUIRE(filed.status == 201);
    ticket = body_json(filed).at("number").get<std::int64_t>();
    request_id = connect();
    if (accept) this->accept(request_id);
}

CurlResponse RelayScene::call(const std::string& method, const std::string& path,
                              const std::string& token, const std::optional<Json>& body) const {
    CurlOptions options;
    options.method = method;
    options.ca_pem = ca_pem;
    if (!token.empty()) options.headers.push_back("Authorization: Bearer " + token);
    if (body) {
        options.body = body->dump();
        options.headers.push_back("Content-Type: application/json");
    }
    return curl_request(server_.url(path), options);
}

std::string RelayScene::login(const std::string& email, const std::string& password) const {
    const auto r =
        call("POST", "/api/v1/auth/login", {}, Json{{"email", email}, {"password", password}});
    INFO(r.body);
    REQUIRE(r.status == 200);
    return body_json(r).at("token").get<std::string>();
}

void RelayScene::add_user(const std::string& email, const std::string& name,
                          const std::string& password, const std::string& role) const {
    const auto r =
        call("POST", "/api/v1/users", operator_token,
             Json{{"email", email}, {"name", name}, {"role", role}, {"password", password}});
    INFO(r.body);
    REQUIRE(r.status == 201);
}

std::string RelayScene::connect() const {
    const auto r =
        call("POST", "/api/v1/tickets/" + std::to_string(ticket) + "/connect", operator_token);
    INFO(r.body);
    REQUIRE(r.status == 201);
    return body_json(r).at("request_id").get<std::string>();
}

void RelayScene::accept(const std::string& request) {
    const auto r = call("POST", "/api/v1/connection-requests/" + request + "/accept", device.token,
                        Json{{"vnc_password", "password1"}});
    INFO(r.body);
    REQUIRE(r.status == 200);
    session_id = body_json(r).at("session_id").get<std::string>();
    relay_token = body_json(r).at("relay_token").get<std::string>();
}

std::string RelayScene::state(const std::string& request) const {
    const auto r =
        call("GET", "/api/v1/connection-requests/" + (request.empty() ? request_id : request),
             operator_token);
    return body_json(r).value("state", "");
}

std::vector<Json> RelayScene::audit() const {
    std::vector<Json> out;
    const auto all = body_json(call("GET", "/api/v1/audit", operator_token));
    if (!all.is_object()) return out;
    for (const auto& e : all.at("entries"))
        if (!session_id.empty() && e.value("session_id", "") == session_id) out.push_back(e);
    return out;
}

long RelayScene::end(const std::string& token) const {
    return call("POST", "/api/v1/sessions/" + session_id + "/end", token).status;
}

ViewOptions RelayScene::bearer_view(const std::string& token) const {
    ViewOptions o;
    o.target = "/api/v1/relay/" + session_id + "/view";
    if (!token.empty()) o.headers.push_back("Authorization: Bearer " + token);
    o.protocols = {"binary"};
    o.tls = tls_;
    o.ca_pem = ca_pem;
    return o;
}

ViewOptions RelayScene::cookie_view(const std::string& token, const std::string& origin) const {
    ViewOptions o = bearer_view({});
    o.headers.push_back("Cookie: helpline_session=" + token);
    if (!origin.empty()) o.headers.push_back("Origin: " + origin);
    return o;
}

// --- Customer ---------------------------------------------------------------------------

Customer::Customer(const RelayScene& scene, std::uint16_t port) {
    client::ServerEndpoint endpoint;
    endpoint.base_url = "http://127.0.0.1:" + std::to_string(port != 0 ? port : scene.port());
    auto opened = client::RelayTunnel::open(endpoint, scene.session_id, scene.relay_token,
                                            backend_listener.port(),
                                            [this](const client::TunnelStats&) { closed = true; });
    INFO((opened ? std::string() : opened.error().message));
    REQUIRE(opened.ok());
    tunnel = std::move(*opened);
    backend = backend_listener.accept(std::chrono::seconds(10));
    REQUIRE(backend >= 0);
}

Customer::~Customer() {
    if (tunnel) tunnel->stop();
    if (backend >= 0) ::close(backend);
}

void Customer::send(const std::string& bytes) {
    REQUIRE(send_all(backend, bytes));
}

std::string Customer::receive(std::size_t count) {
    return read_exactly(backend, count, std::chrono::seconds(10));
}

// --- Raw requests -----------------------------------------------------------------------

int raw_status(std::uint16_t port, const std::string& request) {
    RawSocket socket("127.0.0.1", port);
    if (!socket.connected() || !socket.send(request)) return 0;
    const auto head = socket.receive_until(
        [](const std::string& r) { return r.find("\r\n\r\n") != std::string::npos; },
        std::chrono::seconds(10));
    return status_of(head);
}

int raw_tunnel_status(std::uint16_t port, const std::string& session, const std::string& token,
                      bool upgrade) {
    return raw_status(port, upgrade_request(session, token, upgrade));
}

// --- TlsTunnel --------------------------------------------------------------------------

TlsTunnel::TlsTunnel(std::uint16_t port, const std::string& ca_pem, const std::string& session,
                     const std::string& token) {
    fd_ = connect_to(port);
    if (fd_ < 0) return;
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    ctx_ = ctx;
    BIO* bio = BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size()));
    X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca);
    X509_free(ca);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    SSL* ssl = SSL_new(ctx);
    ssl_ = ssl;
    SSL_set_fd(ssl, fd_);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
    if (SSL_connect(ssl) != 1) {
        ERR_clear_error();
        return;
    }
    if (!send(upgrade_request(session, token, true))) return;
    std::string head;
    char buffer[4096];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 16384) {
        const int n = SSL_read(ssl, buffer, sizeof buffer);
        if (n <= 0) return;
        head.append(buffer, static_cast<std::size_t>(n));
    }
    const auto end = head.find("\r\n\r\n");
    status_ = status_of(head);
    if (end != std::string::npos) early_ = head.substr(end + 4);
}

TlsTunnel::~TlsTunnel() {
    if (ssl_) SSL_free(static_cast<SSL*>(ssl_));
    if (ctx_) SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
    if (fd_ >= 0) ::close(fd_);
}

bool TlsTunnel::send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const int n =
            SSL_write(static_cast<SSL*>(ssl_), bytes.data() + sent,
                      static_cast<int>(std::min<std::size_t>(bytes.size() - sent, 1 << 20)));
        if (n <= 0) return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

std::string TlsTunnel::receive(std::size_t count, std::chrono::milliseconds timeout) {
    std::string out = std::move(early_);
    early_.clear();
    const auto deadline = Clock::now() + timeout;
    char buffer[16384];
    while (out.size() < count && Clock::now() < deadline) {
        const int n = SSL_read(static_cast<SSL*>(ssl_), buffer, sizeof buffer);
        if (n <= 0) break;
        out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
}

bool TlsTunnel::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    char buffer[16384];
    while (Clock::now() < deadline) {
        const int n = SSL_read(static_cast<SSL*>(ssl_), buffer, sizeof buffer);
        if (n > 0) continue;
        const int error = SSL_get_error(static_cast<SSL*>(ssl_), n);
        ERR_clear_error();
        // SO_RCVTIMEO passing shows as a syscall error with EAGAIN: not closed, try again.
        if (error == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
        return true;
    }
    return false;
}

// --- Socket helpers ---------------------------------------------------------------------

bool send_all(int fd, const std::string& data, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    std::size_t sent = 0;
    while (sent < data.size()) {
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, static_cast<int>(milliseconds_left(deadline))) <= 0) return false;
        const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
        if (n > 0) sent += static_cast<std::size_t>(n);
    }
    return true;
}

std::string read_exactly(int fd, std::size_t count, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    std::string out;
    char buffer[65536];
    while (out.size() < count) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(milliseconds_left(deadline))) <= 0) break;
        const ssize_t n = ::recv(fd, buffer, std::min(sizeof buffer, count - out.size()), 0);
        if (n == 0) break;
        if (n < 0 && errno != EAGAIN && errno != EINTR) break;
        if (n > 0) out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
}

std::string transfer(int fd, const std::string& out, std::size_t want,
                     std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    std::string in;
    std::size_t sent = 0;
    char buffer[65536];
    while ((sent < out.size() || in.size() < want) && Clock::now() < deadline) {
        pollfd p{
            fd,
            static_cast<short>((in.size() < want ? POLLIN : 0) | (sent < out.size() ? POLLOUT : 0)),
            0};
        if (::poll(&p, 1, static_cast<int>(milliseconds_left(deadline))) <= 0) break;
        if ((p.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n == 0) break;
            if (n > 0) in.append(buffer, static_cast<std::size_t>(n));
        }
        if ((p.revents & POLLOUT) != 0) {
            const ssize_t n = ::send(fd, out.data() + sent,
                                     std::min<std::size_t>(out.size() - sent, 65536), MSG_NOSIGNAL);
            if (n > 0) sent += static_cast<std::size_t>(n);
        }
    }
    return in;
}

std::string pattern_bytes(std::size_t offset, std::size_t count) {
    std::string out(count, '\0');
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t at = offset + i;
        out[i] = static_cast<char>((at * 131 + at / 4099) & 0xff);
    }
    return out;
}

std::size_t push_until_blocked(int fd, std::size_t limit, std::chrono::milliseconds stall,
                               std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    std::size_t pushed = 0;
    while (pushed < limit && Clock::now() < deadline) {
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, static_cast<int>(stall.count())) <= 0) break;  // no room for `stall`
        const std::string chunk =
            pattern_bytes(pushed, std::min<std::size_t>(limit - pushed, 65536));
        const ssize_t n = ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EINTR) break;
        if (n > 0) pushed += static_cast<std::size_t>(n);
    }
    return pushed;
}

}  // namespace helpline::test
