#include "server/http/server.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "server/http/listener.h"
#include "server/http/shared_state.h"

namespace helpline::server::http {
namespace {

/// After stop()'s grace, the connections are closed at once; this bounds the wait for
/// their sessions to notice.
constexpr auto kForcedCloseWait = std::chrono::seconds(1);

constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

Result<std::unique_ptr<net::ssl::context>> make_tls_context(const TlsMaterial& material) {
    try {
        auto ctx = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
        ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                         net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                         net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
        SSL_CTX* native = ctx->native_handle();
        SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
        SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
        // TLS 1.2: forward-secret AEAD suites only (Mozilla's "intermediate" without DHE);
        // OpenSSL's default also offers CBC suites with SHA-1 and SHA-2 MACs. TLS 1.3's suites
        // are all AEAD and stay as OpenSSL has them.
        if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
            ERR_clear_error();
            return make_error("tls.ciphers", "OpenSSL offers none of the TLS 1.2 cipher suites the server uses.");
        }

        beast::error_code ec;
        ctx->use_certificate_chain(net::buffer(material.cert_pem), ec);
        if (ec)
            return make_error("tls.certificate",
                              "The TLS certificate could not be loaded: " + ec.message() + ".");
        // The key is parsed here rather than by use_private_key(), so that a key of another
        // certificate is reported as such and not as an unreadable key.
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(
            BIO_new_mem_buf(material.key_pem.data(), static_cast<int>(material.key_pem.size())),
            &BIO_free);
        std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
            bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr,
            &EVP_PKEY_free);
        ERR_clear_error();
        if (!key)
            return make_error("tls.key", "The TLS private key is not an unencrypted PEM key.");
        if (X509_check_private_key(SSL_CTX_get0_certificate(native), key.get()) != 1 ||
            SSL_CTX_use_PrivateKey(native, key.get()) != 1) {
            ERR_clear_error();
            return make_error("tls.key_mismatch",
                              "The TLS private key does not belong to the certificate.");
        }
        return ctx;
    } catch (const std::exception& e) {
        return make_error("tls.context", std::string("Could not set up TLS: ") + e.what() + ".");
    }
}

Result<net::ip::address> parse_address(std::string_view text) {
    if (text == "localhost") return net::ip::address(net::ip::address_v4::loopback());
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
        text = text.substr(1, text.size() - 2);
    beast::error_code ec;
    auto address = net::ip::make_address(text, ec);
    if (ec)
        return make_error("http.address", "The listen address is not an IPv4 or IPv6 literal.",
                          std::string(text));
    return address;
}

}  // namespace

struct HttpServer::Impl {
    ServerOptions options;
    Handler handler;

    std::mutex mutex;  // start() and stop()
    bool started = false;
    bool stopped = false;

    std::unique_ptr<net::io_context> ioc;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
    std::vector<std::thread> io_threads;
    std::unique_ptr<net::thread_pool> workers;
    std::unique_ptr<net::thread_pool> background;  // ServerOptions::background's pool
    std::shared_ptr<net::ssl::context> tls;  // the listener's; replaced by reload_tls()
    std::shared_ptr<SharedState> state;  // written under both mutexes
    mutable std::mutex state_mutex;      // open_connections() must not wait for a stop()
    std::shared_ptr<Listener> listener;

    void set_state(std::shared_ptr<SharedState> s) {
        std::lock_guard state_lock(state_mutex);
        state = std::move(s);
    }
};

HttpServer::HttpServer(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    impl_->handler = std::move(handler);
}

HttpServer::~HttpServer() {
    stop();
}

Result<std::uint16_t> HttpServer::start() {
    auto& d = *impl_;
    std::lock_guard lock(d.mutex);
    if (d.started) return make_error("http.started", "The server has been started already.");

    // Tokens and passwords cross this socket: without TLS only a local proxy (or a
    // developer) may reach it.
    if (!d.options.tls && !is_loopback_address(d.options.address))
        return make_error("http.insecure",
                          "Plain HTTP is served on loopback addresses only; configure a TLS "
                          "certificate to listen on " +
                              d.options.address + ".",
                          d.options.address);
    auto address = parse_address(d.options.address);
    if (!address) return address.error();

    if (d.options.tls) {
        auto tls = make_tls_context(*d.options.tls);
        if (!tls) return tls.error();
        d.tls = std::shared_ptr<net::ssl::context>(std::move(tls.value()));
    }

    const auto io_threads = std::max<std::size_t>(1, d.options.io_threads);
    d.ioc = std::make_unique<net::io_context>(static_cast<int>(io_threads));
    d.workers =
        std::make_unique<net::thread_pool>(std::max<std::size_t>(1, d.options.worker_threads));
    if (d.options.background)
        d.background = std::make_unique<net::thread_pool>(
            std::max<std::size_t>(1, d.options.background_threads));
    d.set_state(std::make_shared<SharedState>(
        d.options, d.handler, d.workers->get_executor(),
        (d.background ? d.background : d.workers)->get_executor()));
    d.listener = std::make_shared<Listener>(*d.ioc, d.tls, d.state);
    auto port = d.listener->open(tcp::endpoint(*address, d.options.port));
    if (!port) {
        d.listener.reset();
        d.set_state(nullptr);
        d.workers->join();
        d.workers.reset();
        if (d.background) d.background->join();
        d.background.reset();
        d.ioc.reset();
        d.tls.reset();
        return port.error();
    }

    d.work.emplace(d.ioc->get_executor());
    for (std::size_t i = 0; i < io_threads; ++i) {
        d.io_threads.emplace_back([ioc = d.ioc.get()] {
            // A handler that throws (bad_alloc, ...) must not take the I/O thread down.
            while (true) {
                try {
                    ioc->run();
                    return;
                } catch (...) {
                }
            }
        });
    }
    d.listener->run();
    d.started = true;
    return port;
}

// Call it from the thread that owns the server (main, a signal watcher), not from a
// handler or an on_disconnect callback: it waits for the workers and I/O threads to end.
void HttpServer::stop(std::chrono::milliseconds grace) {
    auto& d = *impl_;
    std::lock_guard lock(d.mutex);
    if (!d.started || d.stopped) return;
    d.stopped = true;
    const auto deadline = std::chrono::steady_clock::now() + grace;

    d.listener->stop();
    d.state->shutdown_all(true);  // idle connections close, the others finish their exchange
    d.state->wait_until_closed(deadline);
    d.state->shutdown_all(false);
    // A handler still running past the grace cannot be interrupted; it is waited for, and
    // its answer is dropped.
    d.workers->join();
    if (d.background) d.background->join();
    d.state->wait_until_closed(std::chrono::steady_clock::now() + kForcedCloseWait);

    d.work.reset();
    d.ioc->stop();
    for (auto& thread : d.io_threads) thread.join();
    d.io_threads.clear();
    // Destroying the context destroys what is left in its queues (the listener among
    // them, releasing the port) while the shared state is still alive.
    d.listener.reset();
    d.ioc.reset();
    d.tls.reset();
}

Status HttpServer::reload_tls(const TlsMaterial& material) {
    auto& d = *impl_;
    std::lock_guard lock(d.mutex);
    if (!d.started || d.stopped) return make_error("http.not_running", "The server is not running.");
    if (!d.tls)
        return make_error("tls.plain", "The server serves plain HTTP: there is no TLS certificate to reload.");
    auto tls = make_tls_context(material);
    if (!tls) return tls.error();
    d.tls = std::shared_ptr<net::ssl::context>(std::move(tls.value()));
    d.listener->set_tls(d.tls);
    return Ok{};
}

std::size_t HttpServer::open_connections() const {
    std::shared_ptr<SharedState> state;
    {
        std::lock_guard lock(impl_->state_mutex);
        state = impl_->state;
    }
    return state ? state->open_connections() : 0;
}

}  // namespace helpline::server::http
