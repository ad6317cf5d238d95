#pragma once
// A connection upgraded to a raw byte stream (`Upgrade: helpline-relay/1`): after the
// handler answered with a raw Upgrade, this session owns the connection. It writes the
// 101, then moves bytes between the socket and the upgrade's ByteChannel: reads only
// while the inbound pipe has room, writes whatever the outbound pipe holds. Internal.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "server/http/beast_stream.h"
#include "server/http/shared_state.h"
#include "server/http/upgrade.h"

namespace helpline::server::http {

/// Instantiated for PlainStream and TlsStream (tunnel_session.cpp).
template <class Stream>
class TunnelSession : public Connection,
                      public std::enable_shared_from_this<TunnelSession<Stream>> {
  public:
    /// The request and when it arrived, for on_request once the 101 is written.
    struct Origin {
        Request request;
        std::chrono::steady_clock::time_point started;
    };

    /// `head`: the 101 response, serialised; `early`: stream bytes that arrived together
    /// with the request.
    TunnelSession(Stream stream, std::string head, std::string early,
                  std::shared_ptr<ByteChannel> channel, Origin origin, ConnectionTicket ticket,
                  std::shared_ptr<SharedState> state);
    ~TunnelSession() override;
    TunnelSession(const TunnelSession&) = delete;
    TunnelSession& operator=(const TunnelSession&) = delete;

    /// Call on the connection's strand, with no operation pending on `stream`.
    void run();
    void shutdown(bool graceful) override;

  private:
    void on_head_written(beast::error_code ec, std::size_t bytes);
    void pump();
    void on_read(beast::error_code ec, std::size_t bytes);
    void on_written(beast::error_code ec, std::size_t bytes);
    /// Ends politely (TLS close_notify or FIN) once no operation is pending.
    void finish();
    void end_now();
    void release();

    Stream stream_;
    const net::any_io_executor executor_;
    std::string head_;
    std::string early_;
    std::shared_ptr<ByteChannel> channel_;
    Origin origin_;
    ConnectionTicket ticket_;
    std::shared_ptr<SharedState> state_;
    bool open_ = false;  ///< the 101 is out
    bool reading_ = false;
    bool writing_ = false;
    bool finishing_ = false;
    bool ended_ = false;
    bool released_ = false;
};

}  // namespace helpline::server::http
