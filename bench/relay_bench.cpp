// bench/relay_bench: the session relay of the real helpline-server, over TLS (--self-signed).
//
// Throughput: --megabytes (256) from a customer's tunnel (`Upgrade: helpline-relay/1`)
// through the server to an operator's WebSocket viewer, against the baseline measured in
// the same run: a direct loopback TLS stream between two threads of this process, with the
// server's own certificate and key. Runs alternate; medians. Target (DESIGN.md §10): relay
// >= 80 % of the direct stream.
//
// Memory: the server's RSS with --sessions (100) paired sessions open, after --per-session-kib
// each way through every one, and with every viewer stalled while its tunnel pushes until
// the relay stops taking (its buffers full: the bound), against the idle server's RSS.
//
// Both ends of every relayed stream are in this process (OpenSSL for the tunnel, Boost.Beast
// for the viewer); the server does the relaying.
//
// Placement: with the ends and the server on the same cores, the relayed stream pays for
// the server's work out of the ends' CPU, which in production are other machines. So the
// throughput runs twice: "shared" (nothing pinned) and "server on a core of its own" (the
// server's threads on CPU 0, this process — both ends, direct and relayed — on CPU 1; needs
// 2 CPUs): the second asks what the design asks, whether putting the relay between two
// ends slows their stream.
//
// usage: relay_bench HELPLINE_SERVER [--megabytes 256] [--runs 3] [--sessions 100]
//                    [--per-session-kib 1024] [--placement shared|split|both]

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <future>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "bench/bench_server.h"
#include "bench/bench_util.h"
#include "bench/http_wire.h"

namespace {

using namespace helpline::bench;
using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

constexpr std::size_t kChunk = 16 * 1024;  ///< one TLS record per write

struct Options {
    std::string server;
    std::size_t megabytes = 256;
    int runs = 3;
    std::size_t sessions = 100;
    std::size_t per_session_kib = 1024;
    std::string placement = "both";
};

constexpr const char* kUsage =
    "usage: relay_bench HELPLINE_SERVER [--megabytes 256] [--runs 3] [--sessions 100] "
    "[--per-session-kib 1024] [--placement shared|split|both]\n";

Options parse(int argc, char** argv) {
    if (argc < 2) throw std::invalid_argument("the path of helpline-server is required");
    Options o;
    o.server = argv[1];
    parse_flags(
        argc, argv, 2,
        {
            {"--megabytes", [&](const std::string& v) { o.megabytes = std::stoul(v); }},
            {"--runs", [&](const std::string& v) { o.runs = std::stoi(v); }},
            {"--sessions", [&](const std::string& v) { o.sessions = std::stoul(v); }},
            {"--per-session-kib", [&](const std::string& v) { o.per_session_kib = std::stoul(v); }},
            {"--placement", [&](const std::string& v) { o.placement = v; }},
        });
    if (o.placement != "shared" && o.placement != "split" && o.placement != "both")
        throw std::invalid_argument("--placement must be shared, split or both");
    if (o.megabytes == 0 || o.runs <= 0 || o.sessions == 0)
        throw std::invalid_argument("--megabytes, --runs and --sessions must be positive");
    return o;
}

/// A thread that is joined however its scope is left, and whose exception is kept.
class Worker {
  public:
    template <class F>
    explicit Worker(F&& f)
        : thread_([this, f = std::forward<F>(f)]() mutable {
              try {
                  f();
              } catch (const std::exception& e) {
                  error_ = e.what();
              }
          }) {}
    ~Worker() {
        if (thread_.joinable()) thread_.join();
    }
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;
    /// Joins; throws what the thread threw.
    void join() {
        thread_.join();
        if (!error_.empty()) throw std::runtime_error(error_);
    }

  private:
    std::string error_;
    std::thread thread_;
};

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

/// A blocking TLS connection (OpenSSL), client or server side.
class Tls {
  public:
    Tls(SSL_CTX* ctx, int fd, bool server) : fd_(fd), ssl_(SSL_new(ctx)) {
        SSL_set_fd(ssl_, fd_);
        const int rc = server ? SSL_accept(ssl_) : SSL_connect(ssl_);
        if (rc != 1) throw std::runtime_error("TLS handshake failed: " + ssl_error());
    }
    ~Tls() {
        SSL_free(ssl_);
        ::close(fd_);
    }
    Tls(const Tls&) = delete;
    Tls& operator=(const Tls&) = delete;

    void write_all(const char* data, std::size_t size) {
        while (size > 0) {
            const int n = SSL_write(ssl_, data, static_cast<int>(std::min(size, kChunk)));
            if (n <= 0) throw std::runtime_error("TLS write failed: " + ssl_error());
            data += n;
            size -= static_cast<std::size_t>(n);
        }
    }
    void write_all(const std::string& s) { write_all(s.data(), s.size()); }
    /// 0 when the peer closed.
    std::size_t read_some(char* out, std::size_t size) {
        const int n = SSL_read(ssl_, out, static_cast<int>(size));
        if (n <= 0) {
            ERR_clear_error();
            return 0;
        }
        return static_cast<std::size_t>(n);
    }
    /// Cuts the connection: a write blocked on it returns with an error.
    void abort() { ::shutdown(fd_, SHUT_RDWR); }
    /// Writes as much as the socket takes without blocking for `stall`; how much.
    std::size_t push_until_blocked(const std::string& chunk, std::chrono::milliseconds stall) {
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

  private:
    int fd_;
    SSL* ssl_;
};

struct TlsContexts {
    SSL_CTX* client = SSL_CTX_new(TLS_client_method());
    SSL_CTX* server = SSL_CTX_new(TLS_server_method());

    TlsContexts(const std::string& cert_pem, const std::string& key_pem) {
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
    ~TlsContexts() {
        SSL_CTX_free(client);
        SSL_CTX_free(server);
    }
    TlsContexts(const TlsContexts&) = delete;
    TlsContexts& operator=(const TlsContexts&) = delete;
};

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

Json json_body(const HttpResponse& r, int expected, const char* what) {
    if (r.status != expected)
        throw std::runtime_error(std::string(what) + " answered " + std::to_string(r.status) +
                                 ": " + r.body);
    return r.body.empty() ? Json() : Json::parse(r.body);
}

struct Session {
    std::string id;
    std::string token;
};

struct Sessions {
    std::string admin;  ///< the admin's token: the operator who asked for every session
    std::vector<Session> accepted;
};

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

using Viewer = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

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

/// Reads `total` bytes from `read`; the seconds it took from `start`.
template <class Read>
double receive_all(std::size_t total, Clock::time_point start, Read&& read) {
    std::vector<char> buffer(256 * 1024);
    std::size_t received = 0;
    while (received < total) {
        const std::size_t n = read(buffer.data(), buffer.size());
        if (n == 0) throw std::runtime_error("the stream ended after " + std::to_string(received));
        received += n;
    }
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Throughput of a direct loopback TLS stream: one thread writes, this one reads.
double direct_run(TlsContexts& tls, std::size_t total) {
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof addr;
    if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener, 1) != 0 ||
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &size) != 0)
        throw std::runtime_error("cannot listen on 127.0.0.1");
    const std::uint16_t port = ntohs(addr.sin_port);
    const std::string chunk(kChunk, 'x');
    std::promise<void> read_all;
    Worker writer([&, done = read_all.get_future()] {
        Tls client(tls.client, tcp_connect(port), false);
        for (std::size_t sent = 0; sent < total; sent += kChunk) client.write_all(chunk);
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
    const std::string chunk(kChunk, 'x');
    const auto start = Clock::now();
    Worker writer([&] {
        for (std::size_t sent = 0; sent < total; sent += kChunk) tunnel->write_all(chunk);
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
        if (cpus.empty() || std::find(cpus.begin(), cpus.end(), cpu) != cpus.end()) CPU_SET(cpu, &set);
    const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
    for (const auto& task : std::filesystem::directory_iterator(tasks)) {
        const pid_t tid = std::stoi(task.path().filename().string());
        if (::sched_setaffinity(tid, sizeof set, &set) != 0 && errno != ESRCH)
            throw std::runtime_error("sched_setaffinity failed: " + std::string(std::strerror(errno)));
    }
}

double mib_per_s(std::size_t bytes, double seconds) {
    return static_cast<double>(bytes) / (1024.0 * 1024.0) / seconds;
}

double mib(std::uint64_t kib) {
    return static_cast<double>(kib) / 1024.0;
}

int run(const Options& o) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures appear as they are measured
    BenchServer server(o.server, {"--self-signed", "--submit-limit", "1000000", "--register-limit",
                                  "1000000", "--login-limit", "1000000"});
    const auto tls_dir = server.dir() / "data" / "tls";
    const std::string cert = slurp(tls_dir / "self-signed-cert.pem");
    const std::string key = slurp(tls_dir / "self-signed-key.pem");
    TlsContexts tls(cert, key);
    net::io_context ioc;
    net::ssl::context asio_tls(net::ssl::context::tls_client);
    asio_tls.add_certificate_authority(net::buffer(cert));
    asio_tls.set_verify_mode(net::ssl::verify_peer);

    std::printf("relay benchmark: helpline-server pid %d on 127.0.0.1:%u (TLS, self-signed)\n",
                server.pid(), server.port());
    std::printf("  machine: %s\n", machine_load().c_str());
    const auto made =
        make_sessions(tls.client, server, o.sessions + 2 * static_cast<std::size_t>(o.runs));
    const auto& sessions = made.accepted;

    // Throughput, alternating direct and relayed runs, for each placement.
    const std::size_t total = o.megabytes * 1024 * 1024;
    const pid_t self = ::getpid();
    std::vector<std::string> placements;
    if (o.placement != "split") placements.push_back("shared");
    if (o.placement != "shared") {
        if (std::thread::hardware_concurrency() >= 2)
            placements.push_back("split");
        else
            std::printf("  (one CPU: no run with the server on a core of its own)\n");
    }
    std::size_t next_session = o.sessions;
    for (const auto& placement : placements) {
        const bool split = placement == "split";
        pin_threads(server.pid(), split ? std::vector<int>{0} : std::vector<int>{});
        pin_threads(self, split ? std::vector<int>{1} : std::vector<int>{});
        std::printf("  placement: %s\n", split ? "server on CPU 0, both ends on CPU 1"
                                               : "shared (nothing pinned)");
        std::vector<double> direct, relayed;
        double direct_cpu = 0, relay_ends_cpu = 0, server_cpu = 0, relay_wall = 0;
        for (int r = 0; r < o.runs; ++r) {
            double cpu = process_cpu_seconds(self);
            direct.push_back(mib_per_s(total, direct_run(tls, total)));
            direct_cpu += process_cpu_seconds(self) - cpu;
            cpu = process_cpu_seconds(self);
            const double server_before = server.cpu_seconds();
            const double seconds = relay_run(tls, ioc, asio_tls, server.port(),
                                             sessions[next_session++], made.admin, total);
            server_cpu += server.cpu_seconds() - server_before;
            relay_ends_cpu += process_cpu_seconds(self) - cpu;
            relay_wall += seconds;
            relayed.push_back(mib_per_s(total, seconds));
            std::printf("    run %d: direct TLS %.0f MiB/s, relay %.0f MiB/s\n", r + 1,
                        direct.back(), relayed.back());
        }
        const double ratio = median(relayed) / median(direct);
        const double gib = static_cast<double>(total) * o.runs / (1024.0 * 1024.0 * 1024.0);
        std::printf("    %zu MiB one way, median of %d runs:\n", o.megabytes, o.runs);
        std::printf("      direct loopback TLS stream (baseline): %.0f MiB/s\n", median(direct));
        std::printf("      tunnel -> server -> WebSocket:         %.0f MiB/s\n", median(relayed));
        std::printf("      ratio relay / direct: %.2f (target >= 0.80)\n", ratio);
        std::printf("    CPU seconds per GiB moved (user + system):\n");
        std::printf("      direct stream, both ends:              %.2f\n", direct_cpu / gib);
        std::printf("      relay, both ends (tunnel + viewer):    %.2f\n", relay_ends_cpu / gib);
        std::printf(
            "      relay, helpline-server:                %.2f (%.0f%% of a core while relaying)\n",
            server_cpu / gib, 100.0 * server_cpu / relay_wall);
    }
    pin_threads(server.pid(), {});
    pin_threads(self, {});

    // Memory with paired sessions.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the ended runs settle
    const auto idle_kib = server.rss_kib();
    std::vector<std::unique_ptr<Tls>> tunnels;
    std::vector<std::unique_ptr<Viewer>> viewers;
    for (std::size_t i = 0; i < o.sessions; ++i) {
        viewers.push_back(open_viewer(ioc, asio_tls, server.port(), sessions[i], made.admin));
        tunnels.push_back(open_tunnel(tls.client, server.port(), sessions[i]));
    }
    const auto open_kib = server.rss_kib();
    const std::string down(o.per_session_kib * 1024, 'd');
    const std::string up(64 * 1024, 'u');
    std::vector<char> buffer(256 * 1024);
    for (std::size_t i = 0; i < o.sessions; ++i) {
        Worker writer([&] { tunnels[i]->write_all(down); });
        try {
            receive_all(down.size(), Clock::now(), [&](char* out, std::size_t n) {
                beast::error_code ec;
                const auto got = viewers[i]->read_some(net::buffer(out, n), ec);
                return ec ? 0 : got;
            });
        } catch (...) {
            tunnels[i]->abort();
            throw;
        }
        writer.join();
        viewers[i]->write(net::buffer(up));
        receive_all(up.size(), Clock::now(),
                    [&](char* out, std::size_t n) { return tunnels[i]->read_some(out, n); });
    }
    const auto traffic_kib = server.rss_kib();
    // Every viewer stalls; every tunnel pushes until the relay stops taking.
    std::size_t pushed = 0;
    const std::string chunk(kChunk, 'p');
    for (auto& t : tunnels) pushed += t->push_until_blocked(chunk, std::chrono::milliseconds(300));
    const auto full_kib = server.rss_kib();

    const auto per = [&](std::uint64_t kib) {
        return kib > idle_kib ? mib(kib - idle_kib) * 1024.0 / static_cast<double>(o.sessions)
                              : 0.0;
    };
    std::printf("  server RSS, %zu paired sessions (tunnel + WebSocket each):\n", o.sessions);
    std::printf("    idle server (baseline):                    %.1f MiB\n", mib(idle_kib));
    std::printf("    all paired, before traffic:                %.1f MiB (+%.0f KiB per session)\n",
                mib(open_kib), per(open_kib));
    std::printf("    after %zu KiB down + 64 KiB up each:       %.1f MiB (+%.0f KiB per session)\n",
                o.per_session_kib, mib(traffic_kib), per(traffic_kib));
    std::printf("    viewers stalled, tunnels pushed %.0f MiB:  %.1f MiB (+%.0f KiB per session)\n",
                static_cast<double>(pushed) / (1024.0 * 1024.0), mib(full_kib), per(full_kib));
    std::printf("  machine at the end: %s\n", machine_load().c_str());
    tunnels.clear();
    viewers.clear();
    std::printf("  server: %s\n", server.stop().c_str());
    return 0;  // figures to read, not a pass/fail gate: the machine is shared
}

}  // namespace

int main(int argc, char** argv) {
    return helpline::bench::bench_main("relay_bench", kUsage,
                                       [&] { return run(parse(argc, argv)); });
}
