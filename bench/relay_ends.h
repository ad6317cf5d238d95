#pragma once
// The ends of a relayed session for the relay benchmarks (relay_bench, relay_haproxy_bench),
// all in the benchmark's process: blocking TLS connections (OpenSSL) for the customer's
// tunnel (`Upgrade: helpline-relay/1`) and for plain TLS streams, a Boost.Beast WebSocket
// for the operator's viewer, accepted sessions made through the server's API, and the
// timed runs that move a number of bytes one way: through the relay, and directly between
// two threads as the baseline.

#include <openssl/ssl.h>
#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_server.h"
#include "bench/http_wire.h"

namespace helpline::bench {

/// One TLS record per write.
constexpr std::size_t kTlsChunk = 16 * 1024;

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

/// The whole file (empty when it cannot be read).
std::string slurp(const std::filesystem::path& path);
/// OpenSSL's last error as text (and the error queue cleared).
std::string ssl_error();
/// A blocking TCP connection to 127.0.0.1:port with TCP_NODELAY. Throws.
int tcp_connect(std::uint16_t port);
/// A socket listening on 127.0.0.1 on a port of the system's choice, and that port. Throws.
int listen_loopback(std::uint16_t& port);

/// A blocking TLS connection (OpenSSL), client or server side; owns the socket.
class Tls {
  public:
    Tls(SSL_CTX* ctx, int fd, bool server);  ///< handshakes; throws on failure
    ~Tls();
    Tls(const Tls&) = delete;
    Tls& operator=(const Tls&) = delete;

    void write_all(const char* data, std::size_t size);
    void write_all(const std::string& s) { write_all(s.data(), s.size()); }
    /// 0 when the peer closed.
    std::size_t read_some(char* out, std::size_t size);
    /// Cuts the connection: a write blocked on it returns with an error.
    void abort();
    /// Writes as much as the socket takes without blocking for `stall`; how much.
    std::size_t push_until_blocked(const std::string& chunk, std::chrono::milliseconds stall);
    /// The negotiated protocol and cipher, e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384".
    std::string cipher() const;

  private:
    int fd_;
    SSL* ssl_;
};

/// Client and server contexts with the server's certificate (self-signed): the client
/// trusts only it, the server presents it.
struct TlsContexts {
    SSL_CTX* client = SSL_CTX_new(TLS_client_method());
    SSL_CTX* server = SSL_CTX_new(TLS_server_method());

    TlsContexts(const std::string& cert_pem, const std::string& key_pem);
    ~TlsContexts();
    TlsContexts(const TlsContexts&) = delete;
    TlsContexts& operator=(const TlsContexts&) = delete;
};

/// helpline-server serving TLS with its own self-signed certificate (rate limits lifted),
/// and the TLS contexts the benchmark's ends use with it: OpenSSL's (TlsContexts) and
/// Asio's, which trusts only that certificate.
struct TlsRelayServer {
    explicit TlsRelayServer(const std::string& binary);
    BenchServer server;
    std::string cert;
    std::string key;
    TlsContexts tls;
    boost::asio::ssl::context asio_tls{boost::asio::ssl::context::tls_client};
};

/// Sends `request` and reads one response (Content-Length) on a fresh TLS connection.
HttpResponse https(SSL_CTX* ctx, std::uint16_t port, const std::string& request);

/// The JSON body of `r`; throws naming `what` unless its status is `expected`.
nlohmann::json json_body(const HttpResponse& r, int expected, const char* what);

struct Session {
    std::string id;
    std::string token;
};

struct Sessions {
    std::string admin;  ///< the admin's token: the operator who asked for every session
    std::vector<Session> accepted;
};

/// Accepted sessions, all on one ticket of one device, requested by the admin.
Sessions make_sessions(SSL_CTX* ctx, const BenchServer& server, std::size_t count);

/// The customer's side: the upgraded tunnel.
std::unique_ptr<Tls> open_tunnel(SSL_CTX* ctx, std::uint16_t port, const Session& s);

using Viewer = boost::beast::websocket::stream<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

/// The operator's side: the WebSocket viewer.
std::unique_ptr<Viewer> open_viewer(boost::asio::io_context& ioc, boost::asio::ssl::context& ctx,
                                    std::uint16_t port, const Session& s, const std::string& admin);

/// Reads `total` bytes from `read`; the seconds it took from `start`.
template <class Read>
double receive_all(std::size_t total, std::chrono::steady_clock::time_point start, Read&& read) {
    std::vector<char> buffer(256 * 1024);
    std::size_t received = 0;
    while (received < total) {
        const std::size_t n = read(buffer.data(), buffer.size());
        if (n == 0) throw std::runtime_error("the stream ended after " + std::to_string(received));
        received += n;
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Throughput of a direct loopback TLS stream: one thread writes, this one reads. Seconds.
double direct_run(TlsContexts& tls, std::size_t total);

/// Throughput through the relay: tunnel -> server -> viewer. Seconds.
double relay_run(TlsContexts& tls, boost::asio::io_context& ioc,
                 boost::asio::ssl::context& asio_tls, std::uint16_t port, const Session& s,
                 const std::string& admin, std::size_t total);

/// Sets the CPU affinity of every thread of `pid` to `cpus` (empty: every CPU).
void pin_threads(pid_t pid, const std::vector<int>& cpus);

double mib_per_s(std::size_t bytes, double seconds);

}  // namespace helpline::bench
