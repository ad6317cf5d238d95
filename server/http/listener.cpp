#include "server/http/listener.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <chrono>

#include "server/http/http_session.h"

namespace helpline::server::http {
namespace {

/// After an accept error such as EMFILE, wait a little instead of spinning on it.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(50);

Error bind_error(const char* step, const tcp::endpoint& endpoint, const beast::error_code& ec) {
    std::string where = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
    return make_error("http.bind",
                      std::string("Could not ") + step + " " + where + ": " + ec.message() + ".",
                      where);
}

}  // namespace

Listener::Listener(net::io_context& ioc, std::shared_ptr<net::ssl::context> tls, std::shared_ptr<SharedState> state)
    : ioc_(ioc),
      tls_(std::move(tls)),
      state_(std::move(state)),
      acceptor_(net::make_strand(ioc)),
      backoff_(acceptor_.get_executor()) {}

Result<std::uint16_t> Listener::open(const tcp::endpoint& endpoint) {
    beast::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) return bind_error("open a socket for", endpoint, ec);
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (ec) return bind_error("configure", endpoint, ec);
    acceptor_.bind(endpoint, ec);
    if (ec) return bind_error("bind", endpoint, ec);
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return bind_error("listen on", endpoint, ec);
    const auto local = acceptor_.local_endpoint(ec);
    if (ec) return bind_error("read the address of", endpoint, ec);
    return local.port();
}

void Listener::run() {
    net::dispatch(acceptor_.get_executor(),
                  beast::bind_front_handler(&Listener::accept, shared_from_this()));
}

void Listener::stop() {
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
        self->stopped_ = true;
        beast::error_code ec;
        self->acceptor_.close(ec);
        self->backoff_.cancel();
    });
}

void Listener::set_tls(std::shared_ptr<net::ssl::context> tls) {
    net::dispatch(acceptor_.get_executor(),
                  [self = shared_from_this(), tls = std::move(tls)]() mutable { self->tls_ = std::move(tls); });
}

void Listener::accept() {
    if (stopped_) return;
    // Each connection gets its own strand: its handlers never run concurrently, and no
    // connection waits for another's.
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(beast::error_code ec, tcp::socket socket) {
    if (stopped_ || ec == net::error::operation_aborted) return;
    if (ec) {
        // Out of descriptors, or a connection reset before it was accepted: try again
        // shortly rather than spin (the first may last; the second is harmless).
        backoff_.expires_after(kAcceptBackoff);
        backoff_.async_wait(beast::bind_front_handler(&Listener::on_backoff, shared_from_this()));
        return;
    }
    if (auto ticket = state_->try_open()) {
        start_http_session(std::move(socket), tls_.get(), std::move(*ticket), state_);
    } else {
        beast::error_code ignored;
        socket.close(ignored);  // over max_connections (or stopping): closed at once
    }
    accept();
}

void Listener::on_backoff(beast::error_code ec) {
    if (ec) return;
    accept();
}

}  // namespace helpline::server::http
