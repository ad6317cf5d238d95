#pragma once
// A response that is an event stream (text/event-stream): after the HTTP session has
// answered with a Response whose `stream` is set, this session owns the connection. It
// writes the response head, then the frames its EventSink receives from producers on any
// thread, one write at a time, plus a ": ping" comment every heartbeat. Internal.

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "server/http/beast_stream.h"
#include "server/http/shared_state.h"

namespace helpline::server::http {

/// Instantiated for PlainStream and TlsStream (event_stream_session.cpp).
template <class Stream>
class EventStreamSession : public Connection,
                           public std::enable_shared_from_this<EventStreamSession<Stream>> {
  public:
    /// The request and when it arrived, for on_request once the head is written.
    struct Origin {
        Request request;
        int status = 200;
        std::chrono::steady_clock::time_point started;
    };

    /// `head`: the status line and header fields, already serialised.
    EventStreamSession(Stream stream, std::string head, std::shared_ptr<EventSink> sink,
                       Origin origin, ConnectionTicket ticket, std::shared_ptr<SharedState> state);
    ~EventStreamSession() override;
    EventStreamSession(const EventStreamSession&) = delete;
    EventStreamSession& operator=(const EventStreamSession&) = delete;

    /// Call on the connection's strand, with no operation pending on `stream`.
    void run();
    void shutdown(bool graceful) override;

  private:
    void read_some();
    void on_read(beast::error_code ec, std::size_t bytes);
    void arm_heartbeat();
    void on_heartbeat(beast::error_code ec);
    void flush();
    void on_written(beast::error_code ec, std::size_t bytes);
    void finish();
    void end_now();

    Stream stream_;
    const net::any_io_executor executor_;  ///< the strand; stays valid after stream_ moves on
    std::string head_;                     ///< written with the first batch of frames, then empty
    std::string out_;                      ///< the write in flight
    std::array<char, 512> discard_{};
    net::steady_timer heartbeat_;
    std::shared_ptr<EventSink> sink_;
    Origin origin_;
    ConnectionTicket ticket_;
    std::shared_ptr<SharedState> state_;
    bool writing_ = false;
    bool ping_due_ = false;
    bool reported_ = false;
    bool finishing_ = false;  ///< the last chunk is out; waiting for the read to stop
    bool ended_ = false;
};

}  // namespace helpline::server::http
