#pragma once
// Accepts connections and starts an HttpSession for each, on a strand of its own.
// Internal to server/http.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>

#include "server/http/beast_stream.h"
#include "server/http/shared_state.h"
#include "shared/result.h"

namespace helpline::server::http {

class Listener : public std::enable_shared_from_this<Listener> {
  public:
    /// `tls`: the context for HTTPS, or null for plain HTTP.
    Listener(net::io_context& ioc, std::shared_ptr<net::ssl::context> tls, std::shared_ptr<SharedState> state);

    /// Binds and listens (synchronously, so start() can report errors); the bound port.
    Result<std::uint16_t> open(const tcp::endpoint& endpoint);
    /// Starts accepting.
    void run();
    /// Stops accepting and releases the port; any thread.
    void stop();
    /// Connections accepted from now on use `tls` (a reloaded certificate); any thread.
    /// Those already open keep theirs: each connection's SSL holds a reference to the
    /// SSL_CTX it was made from, which outlives the context the listener lets go.
    void set_tls(std::shared_ptr<net::ssl::context> tls);

  private:
    void accept();
    void on_accept(beast::error_code ec, tcp::socket socket);
    void on_backoff(beast::error_code ec);

    net::io_context& ioc_;
    std::shared_ptr<net::ssl::context> tls_;  ///< on the acceptor's strand only
    std::shared_ptr<SharedState> state_;
    tcp::acceptor acceptor_;
    net::steady_timer backoff_;
    bool stopped_ = false;
};

}  // namespace helpline::server::http
