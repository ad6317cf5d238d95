#include "bench/relay_ends.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <future>
#include <iterator>

namespace helpline::bench {
namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

}  // namespace

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string ssl_error() {
    const unsigned long e = ERR_get_error();
    char text[256] = "unknown";
    if (e != 0) ERR_error_string_n(e, text, sizeof text);
    ERR_clear_error();
    return text;
}

int tcp_connect(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw std::runtime_error(std::string("connect failed: ") + std::strerror(errno));
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

Tls::Tls(SSL_CTX* ctx, int fd, bool server) : fd_(fd), ssl_(SSL_new(ctx)) {
    SSL_set_fd(ssl_, fd_);
    const int rc = server ? SSL_accept(ssl_) : SSL_connect(ssl_);
    if (rc != 1) throw std::runtime_error("TLS handshake failed: " + ssl_error());
}

Tls::~Tls() {
    SSL_free(ssl_);
    ::close(fd_);
}

void Tls::write_all(const char* data, std::size_t size) {
    while (size > 0) {
        const int n = SSL_write(ssl_, data, static_cast<int>(std::min(size, kTlsChunk)));
        if (n <= 0) throw std::runtime_error("TLS write failed: " + ssl_error());
        data += n;
        size -= static_cast<std::size_t>(n);
    }
}

std::size_t Tls::read_some(char* out, std::size_t size) {
    const int n = SSL_read(ssl_, out, static_cast<int>(size));
    if (n <= 0) {
        ERR_clear_error();
        return 0;
    }
    return static_cast<std::size_t>(n);
}

void Tls::abort() {
    ::shutdown(fd_, SHUT_RDWR);
}

std::size_t Tls::push_until_blocked(const std::string& chunk, std::chrono::milliseconds stall) {
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
    std::size_t pushed = 0;
    while (true) {
        const int n = SSL_write(ssl_, chunk.data(), static_cast<int>(chunk.size()));
        if (n > 0) {
            pushed += static_cast<std::size_t>(n);
            continue;
        }
        const int error = SSL_get_error(ssl_, n);
        ERR_clear_error();
        if (error != SSL_ERROR_WANT_WRITE) break;
        pollfd p{fd_, POLLOUT, 0};
        if (::poll(&p, 1, static_cast<int>(stall.count())) <= 0) break;  // stays full
    }
    return pushed;
}

std::string Tls::cipher() const {
    return std::string(SSL_get_version(ssl_)) + " " + SSL_get_cipher_name(ssl_);
}

TlsContexts::TlsContexts(const std::string& cert_pem, const std::string& key_pem) {
    BIO* bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (!cert || !key) throw std::runtime_error("cannot read the server's certificate or key");
    X509_STORE_add_cert(SSL_CTX_get_cert_store(client), cert);
    SSL_CTX_set_verify(client, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_use_certificate(server, cert);
    SSL_CTX_use_PrivateKey(server, key);
    // The same floor as helpline-server, so both streams negotiate alike.
    SSL_CTX_set_min_proto_version(server, TLS1_2_VERSION);
    X509_free(cert);
    EVP_PKEY_free(key);
}

TlsContexts::~TlsContexts() {
    SSL_CTX_free(client);
    SSL_CTX_free(server);
}

/// Sends `request` and reads one response (Content-Length) on a fresh TLS connection.
HttpResponse https(SSL_CTX* ctx, std::uint16_t port, const std::string& request) {
    Tls tls(ctx, tcp_connect(port), false);
    tls.write_all(request);
    ResponseParser parser;
    char buffer[16384];
    while (true) {
        if (auto response = parser.next()) return *response;
        const auto n = tls.read_some(buffer, sizeof buffer);
        if (n == 0) throw std::runtime_error("the server closed before answering");
        parser.feed(std::string_view(buffer, n));
    }
}

nlohmann::json json_body(const HttpResponse& r, int expected, const char* what) {
    if (r.status != expected)
        throw std::runtime_error(std::string(what) + " answered " + std::to_string(r.status) +
                                 ": " + r.body);
    return r.body.empty() ? nlohmann::json() : nlohmann::json::parse(r.body);
}

/// Accepted sessions, all on one ticket of one device, requested by the admin.
Sessions make_sessions(SSL_CTX* ctx, const BenchServer& server, std::size_t count) {
    const auto port = server.port();
    const auto admin = json_body(https(ctx, port,
                                       http_request("POST", "/api/v1/auth/login", {},
                                                    Json{{"email", server.admin_email()},
                                                         {"password", server.admin_password()}}
                                                        .dump())),
                                 200, "sign-in")
                           .at("token")
                           .get<std::string>();
    const auto device = json_body(https(ctx, port,
                                        http_request("POST", "/api/v1/devices", {},
                                                     Json{{"profile_id", "bench"}}.dump())),
                                  201, "device registration")
                            .at("device_token")
                            .get<std::string>();
    const auto ticket =
        json_body(https(ctx, port,
                        http_request("POST", "/api/v1/tickets",
                                     {{"Authorization", "Bearer " + device},
                                      {"Idempotency-Key", "00000000-0000-4000-8000-000000000001"}},
                                     Json{{"email", "ana@acme.example"},
                                          {"description", "relay benchmark"},
                                          {"group_id", "helpdesk"}}
                                         .dump())),
                  201, "ticket submission")
            .at("number")
            .get<std::int64_t>();
    std::vector<Session> sessions;
    for (std::size_t i = 0; i < count; ++i) {
        const auto request =
            json_body(
                https(ctx, port,
                      http_request("POST", "/api/v1/tickets/" + std::to_string(ticket) + "/connect",
                                   {{"Authorization", "Bearer " + admin}})),
                201, "connect")
                .at("request_id")
                .get<std::string>();
        const auto accepted = json_body(
            https(ctx, port,
                  http_request("POST", "/api/v1/connection-requests/" + request + "/accept",
                               {{"Authorization", "Bearer " + device}},
                               Json{{"vnc_password", "password1"}}.dump())),
            200, "accept");
        sessions.push_back({accepted.at("session_id").get<std::string>(),
                            accepted.at("relay_token").get<std::string>()});
    }
    return {admin, std::move(sessions)};
}

/// The customer's side: the upgraded tunnel.
std::unique_ptr<Tls> open_tunnel(SSL_CTX* ctx, std::uint16_t port, const Session& s) {
    auto tls = std::make_unique<Tls>(ctx, tcp_connect(port), false);
    tls->write_all("GET /api/v1/relay/" + s.id +
                   " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: helpline-relay/1\r\nConnection: "
                   "Upgrade\r\nAuthorization: Bearer " +
                   s.token + "\r\n\r\n");
    std::string head;
    char c = 0;
    // Byte by byte: nothing after the head may be taken from the stream here.
    while (head.size() < 4 || head.compare(head.size() - 4, 4, "\r\n\r\n") != 0) {
        if (tls->read_some(&c, 1) != 1) throw std::runtime_error("the tunnel closed: " + head);
        head += c;
    }
    if (head.compare(0, 12, "HTTP/1.1 101") != 0)
        throw std::runtime_error("the tunnel was refused: " + head);
    return tls;
}

/// The operator's side: the WebSocket viewer.
std::unique_ptr<Viewer> open_viewer(net::io_context& ioc, net::ssl::context& ctx,
                                    std::uint16_t port, const Session& s,
                                    const std::string& admin) {
    auto ws = std::make_unique<Viewer>(ioc, ctx);
    beast::get_lowest_layer(*ws).connect(
        net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    beast::get_lowest_layer(*ws).socket().set_option(net::ip::tcp::no_delay(true));
    ws->next_layer().handshake(net::ssl::stream_base::client);
    ws->set_option(websocket::stream_base::decorator([admin](websocket::request_type& req) {
        req.set(beast::http::field::authorization, "Bearer " + admin);
        req.set(beast::http::field::sec_websocket_protocol, "binary");
    }));
    ws->handshake("127.0.0.1:" + std::to_string(port), "/api/v1/relay/" + s.id + "/view");
    ws->binary(true);
    ws->read_message_max(0);
    return ws;
}

/// Throughput of a direct loopback TLS stream: one thread writes, this one reads.
int listen_loopback(std::uint16_t& port) {
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof addr;
    if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener, 4) != 0 ||
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &size) != 0) {
        if (listener >= 0) ::close(listener);
        throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    port = ntohs(addr.sin_port);
    return listener;
}

double direct_run(TlsContexts& tls, std::size_t total) {
    std::uint16_t port = 0;
    const int listener = listen_loopback(port);
    const std::string chunk(kTlsChunk, 'x');
    std::promise<void> read_all;
    Worker writer([&, done = read_all.get_future()] {
        Tls client(tls.client, tcp_connect(port), false);
        for (std::size_t sent = 0; sent < total; sent += kTlsChunk) client.write_all(chunk);
        // Closing with unread bytes in the socket (a session ticket) would reset the
        // connection and lose what is still on its way: close once all has arrived.
        done.wait_for(std::chrono::seconds(60));
    });
    const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    ::close(listener);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    Tls server(tls.server, fd, true);
    const auto start = Clock::now();
    double seconds = 0;
    try {
        seconds = receive_all(total, start,
                              [&](char* out, std::size_t n) { return server.read_some(out, n); });
    } catch (...) {
        read_all.set_value();
        throw;
    }
    read_all.set_value();
    writer.join();
    return seconds;
}

/// Throughput through the relay: tunnel -> server -> viewer.
double relay_run(TlsContexts& tls, net::io_context& ioc, net::ssl::context& asio_tls,
                 std::uint16_t port, const Session& s, const std::string& admin,
                 std::size_t total) {
    auto viewer = open_viewer(ioc, asio_tls, port, s, admin);
    auto tunnel = open_tunnel(tls.client, port, s);
    const std::string chunk(kTlsChunk, 'x');
    const auto start = Clock::now();
    Worker writer([&] {
        for (std::size_t sent = 0; sent < total; sent += kTlsChunk) tunnel->write_all(chunk);
    });
    double seconds = 0;
    try {
        seconds = receive_all(total, start, [&](char* out, std::size_t n) {
            beast::error_code ec;
            const auto got = viewer->read_some(net::buffer(out, n), ec);
            return ec ? 0 : got;
        });
    } catch (...) {
        tunnel->abort();  // the writer may be blocked on a relay that no longer reads
        throw;
    }
    writer.join();
    beast::error_code ec;
    viewer->close(websocket::close_code::normal, ec);
    return seconds;
}

/// Sets the CPU affinity of every thread of `pid` to `cpus` (empty: every CPU).
void pin_threads(pid_t pid, const std::vector<int>& cpus) {
    cpu_set_t set;
    CPU_ZERO(&set);
    const int count = static_cast<int>(std::thread::hardware_concurrency());
    for (int cpu = 0; cpu < count; ++cpu)
        if (cpus.empty() || std::find(cpus.begin(), cpus.end(), cpu) != cpus.end())
            CPU_SET(cpu, &set);
    const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
    for (const auto& task : std::filesystem::directory_iterator(tasks)) {
        const pid_t tid = std::stoi(task.path().filename().string());
        if (::sched_setaffinity(tid, sizeof set, &set) != 0 && errno != ESRCH)
            throw std::runtime_error("sched_setaffinity failed: " +
                                     std::string(std::strerror(errno)));
    }
}

double mib_per_s(std::size_t bytes, double seconds) {
    return static_cast<double>(bytes) / (1024.0 * 1024.0) / seconds;
}

TlsRelayServer::TlsRelayServer(const std::string& binary)
    : server(binary, {"--self-signed", "--submit-limit", "1000000", "--register-limit", "1000000", "--login-limit",
                      "1000000"}),
      cert(slurp(server.dir() / "data" / "tls" / "self-signed-cert.pem")),
      key(slurp(server.dir() / "data" / "tls" / "self-signed-key.pem")),
      tls(cert, key) {
    asio_tls.add_certificate_authority(boost::asio::buffer(cert));
    asio_tls.set_verify_mode(boost::asio::ssl::verify_peer);
}

}  // namespace helpline::bench
