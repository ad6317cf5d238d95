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
    /// `tls`: the context for HTTPS, or null for plain HTTP; must outlive the listener.
    Listener(net::io_context& ioc, net::ssl::context* tls, std::shared_ptr<SharedState> state);

    /// Binds and listens (synchronously, so start() can report errors); the bound port.
    Result<std::uint16_t> open(const tcp::endpoint& endpoint);
    /// Starts accepting.
    void run();
    /// Stops accepting and releases the port; any thread.
    void stop();

  private:
    void accept();
    void on_accept(beast::error_code ec, tcp::socket socket);
    void on_backoff(beast::error_code ec);

    net::io_context& ioc_;
    net::ssl::context* tls_;
    std::shared_ptr<SharedState> state_;
    tcp::acceptor acceptor_;
    net::steady_timer backoff_;
    bool stopped_ = false;
};

}  // namespace helpline::server::http
