#pragma once
// The last moments of a connection that ends after a response ("Connection: close", a
// refused request, the end of an event stream): TLS close_notify or TCP FIN, then what
// the peer still sends is read and dropped until it closes or a short linger passes.
// Closing at once instead could make the kernel answer unread request bytes with an RST,
// which can destroy the response before the client reads it. Internal.

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <memory>

#include "server/http/beast_stream.h"
#include "server/http/shared_state.h"

namespace helpline::server::http {

/// Instantiated for PlainStream and TlsStream (closing_session.cpp).
template <class Stream>
class ClosingSession : public Connection,
                       public std::enable_shared_from_this<ClosingSession<Stream>> {
  public:
    ClosingSession(Stream stream, ConnectionTicket ticket, std::shared_ptr<SharedState> state);
    ~ClosingSession() override;
    ClosingSession(const ClosingSession&) = delete;
    ClosingSession& operator=(const ClosingSession&) = delete;

    /// Call on the connection's strand, with no operation pending on `stream`.
    void run();
    void shutdown(bool graceful) override;

  private:
    void drain();
    void on_drained(beast::error_code ec, std::size_t bytes);

    Stream stream_;
    const net::any_io_executor executor_;
    std::array<char, 4096> discard_{};
    ConnectionTicket ticket_;
    std::shared_ptr<SharedState> state_;
};

/// Hands `stream` to a ClosingSession (on the caller's strand).
template <class Stream>
void close_gracefully(Stream stream, ConnectionTicket ticket, std::shared_ptr<SharedState> state) {
    std::make_shared<ClosingSession<Stream>>(std::move(stream), std::move(ticket), std::move(state))
        ->run();
}

}  // namespace helpline::server::http
