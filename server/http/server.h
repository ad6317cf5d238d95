#pragma once
// The team server's HTTP/1.1 front: TLS (or plain HTTP on loopback only), limits,
// timeouts, Server-Sent Events. Handlers run on a worker pool, never on the I/O threads,
// so a slow database call cannot stall other connections.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/message.h"
#include "shared/result.h"

namespace helpline::server::http {

struct TlsMaterial {
    std::string cert_pem;  ///< certificate chain, leaf first
    std::string key_pem;   ///< private key
};

struct ServerOptions {
    std::string address = "127.0.0.1";  ///< IPv4 or IPv6 literal
    std::uint16_t port = 0;             ///< 0: the system picks a free port
    std::optional<TlsMaterial> tls;     ///< required unless `address` is loopback
    std::size_t header_limit = 8 * 1024;
    /// Body limit for a request line (413 past it); default 64 KiB for everything.
    std::function<std::size_t(std::string_view method, std::string_view path)> body_limit;
    /// Uploads: whether a request's body is written to a file in `spool_dir` as it arrives
    /// (Request::body_file) instead of memory. Such a request needs a Content-Length
    /// (411 without); between two pieces of its body it has request_timeout, and for the
    /// whole body request_timeout plus one second per 8 KiB of its Content-Length.
    std::function<bool(std::string_view method, std::string_view path)> spools_body;
    /// Before a byte of such a body is read, the handler is called once with
    /// Request::admitting set: it checks what it can (who, which object, its state) and
    /// answers 100 to have the body read (then it is called again with it), or refuses.
    std::string spool_dir;
    std::chrono::milliseconds idle_timeout{30'000};     ///< keep-alive connection with no request
    std::chrono::milliseconds request_timeout{10'000};  ///< a whole request must arrive within this
    std::chrono::milliseconds write_timeout{10'000};    ///< a response (or SSE frame) must be taken within this
    std::chrono::milliseconds sse_heartbeat{25'000};    ///< ": ping" comment interval on event streams
    std::size_t io_threads = 2;
    std::size_t worker_threads = 16;
    /// Requests that many clients send at once and nobody waits for on a screen (the
    /// devices' event-stream handshakes: 10,000 at once after a restart) run on a pool of
    /// their own, `background_threads` strong, so that operators' requests and health checks
    /// never queue behind a reconnect storm. Unset: everything runs on the one pool.
    std::function<bool(std::string_view method, std::string_view path)> background;
    std::size_t background_threads = 2;
    std::size_t max_connections = 20'000;               ///< further connections are closed at once
    /// Called after each response is written (logs, metrics); any thread.
    std::function<void(const Request&, int status, std::chrono::microseconds elapsed)> on_request;
};

class HttpServer {
public:
    HttpServer(ServerOptions options, Handler handler);
    ~HttpServer();  ///< stops if running
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds and starts serving; returns the bound port. Refuses plain HTTP on a
    /// non-loopback address.
    Result<std::uint16_t> start();
    /// Graceful: stops accepting, ends event streams, lets in-flight requests finish
    /// (bounded by `grace`), then closes everything and joins the threads.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

    /// Serves new TLS connections with `material` (a renewed certificate); connections
    /// already open keep the certificate they were made with. When `material` cannot be
    /// used (a key of another certificate, ...) or the server serves plain HTTP, returns
    /// why and keeps serving as before.
    Status reload_tls(const TlsMaterial& material);

    std::size_t open_connections() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_address(std::string_view address);

/// Reads a PEM certificate (chain) and key.
Result<TlsMaterial> load_tls(const std::string& cert_path, const std::string& key_path);
/// A self-signed certificate (EC P-256, 10 years) for `names` (DNS names or IP literals).
Result<TlsMaterial> make_self_signed(const std::vector<std::string>& names);
/// The certificate's public-key pin as libcurl takes it: "sha256//BASE64" of the SPKI.
Result<std::string> public_key_pin(const std::string& cert_pem);

}  // namespace helpline::server::http
