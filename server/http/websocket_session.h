#pragma once
// A connection upgraded to a WebSocket (RFC 6455) that carries a byte stream in binary
// messages: after the handler answered with a WebSocket Upgrade, this session does the
// handshake, then moves bytes between the socket and the upgrade's ByteChannel. Each
// outbound write is one binary message; inbound messages are read piece by piece into the
// inbound pipe, only while it has room. Text messages are refused (close 1003). The server
// pings an idle client and drops one that does not answer. Internal.

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "server/http/beast_stream.h"
#include "server/http/shared_state.h"
#include "server/http/upgrade.h"

namespace helpline::server::http {

/// Instantiated for PlainStream and TlsStream (websocket_session.cpp).
template <class Stream>
class WebSocketSession : public Connection,
                         public std::enable_shared_from_this<WebSocketSession<Stream>> {
  public:
    struct Origin {
        Request request;
        std::chrono::steady_clock::time_point started;
    };

    /// `protocol`: the subprotocol to answer with, or empty.
    WebSocketSession(Stream stream, std::string protocol, std::shared_ptr<ByteChannel> channel,
                     Origin origin, ConnectionTicket ticket, std::shared_ptr<SharedState> state);
    ~WebSocketSession() override;
    WebSocketSession(const WebSocketSession&) = delete;
    WebSocketSession& operator=(const WebSocketSession&) = delete;

    /// Call on the connection's strand, with no operation pending on `stream`.
    void run();
    void shutdown(bool graceful) override;

  private:
    void on_accept(beast::error_code ec);
    void pump();
    void on_read(beast::error_code ec, std::size_t bytes);
    void on_written(beast::error_code ec, std::size_t bytes);
    /// Sends a close frame once no write is pending, then waits for the client's.
    void close(CloseStatus status);
    void on_closed(beast::error_code ec);
    void end_now();
    void release();

    beast::websocket::stream<Stream> ws_;
    const net::any_io_executor executor_;
    beast::http::request<beast::http::empty_body> handshake_;
    std::string protocol_;
    std::shared_ptr<ByteChannel> channel_;
    Origin origin_;
    ConnectionTicket ticket_;
    std::shared_ptr<SharedState> state_;
    std::optional<CloseStatus> close_pending_;  ///< to send once the write in flight is done
    bool open_ = false;
    bool reading_ = false;
    bool writing_ = false;
    bool closing_ = false;  ///< the close frame is sent or about to be
    bool ended_ = false;
    bool released_ = false;
};

}  // namespace helpline::server::http
