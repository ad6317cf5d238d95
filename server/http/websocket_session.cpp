#include "server/http/websocket_session.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace helpline::server::http {
namespace {

namespace websocket = beast::websocket;

/// One outbound message carries at most this much (noVNC takes any split of the stream).
constexpr std::size_t kMaxMessage = 64 * 1024;
/// A client that sends nothing for half of this is pinged; one that then still sends
/// nothing (not even the pong browsers answer by themselves) is dropped.
constexpr auto kIdleTimeout = std::chrono::seconds(60);

beast::http::request<beast::http::empty_body> handshake_of(const Request& request) {
    beast::http::request<beast::http::empty_body> out;
    out.version(11);  // the HTTP session only upgrades what it parsed as HTTP/1.1 requests
    out.method_string(request.method);
    out.target(request.target);
    for (const auto& [name, value] : request.headers.all()) out.insert(name, value);
    return out;
}

websocket::close_reason close_reason_of(const CloseStatus& status) {
    // A close frame's payload is at most 125 bytes: 2 for the code, the rest for the text.
    const std::string_view text(status.reason);
    return websocket::close_reason(static_cast<websocket::close_code>(status.code),
                                   text.substr(0, 123));
}

}  // namespace

template <class Stream>
WebSocketSession<Stream>::WebSocketSession(Stream stream, std::string protocol,
                                           std::shared_ptr<ByteChannel> channel, Origin origin,
                                           ConnectionTicket ticket,
                                           std::shared_ptr<SharedState> state)
    : ws_(std::move(stream)),
      executor_(ws_.get_executor()),
      handshake_(handshake_of(origin.request)),
      protocol_(std::move(protocol)),
      channel_(std::move(channel)),
      origin_(std::move(origin)),
      ticket_(std::move(ticket)),
      state_(std::move(state)) {}

template <class Stream>
WebSocketSession<Stream>::~WebSocketSession() {
    release();
    state_->leave(this);
}

template <class Stream>
void WebSocketSession<Stream>::run() {
    auto self = this->shared_from_this();
    // The pipes call this on the other side's thread: it only posts. It holds the session:
    // while it waits for the other side (no read or write pending) nothing else does.
    // release() lets go of it, which breaks the cycle through the pipes.
    const auto waker = [self] { net::post(self->executor_, [self] { self->pump(); }); };
    channel_->inbound().set_producer_waker(waker);
    channel_->outbound().set_consumer_waker(waker);
    if (!state_->join(self)) return end_now();

    // The WebSocket layer keeps its own time (handshake, idle with pings, close); the TCP
    // layer's deadlines would cut across it.
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = state_->options().request_timeout;
    timeouts.idle_timeout = kIdleTimeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [protocol = protocol_](websocket::response_type& response) {
            response.set(beast::http::field::server, "helpline-server");
            if (!protocol.empty())
                response.set(beast::http::field::sec_websocket_protocol, protocol);
        }));
    ws_.binary(true);
    // One frame per message: Beast would otherwise cut every write into 4 KiB frames.
    ws_.auto_fragment(false);
    // Messages are streamed through a bounded pipe, never held whole: no size limit needed.
    ws_.read_message_max(0);
    ws_.async_accept(handshake_, beast::bind_front_handler(&WebSocketSession::on_accept,
                                                           this->shared_from_this()));
}

template <class Stream>
void WebSocketSession<Stream>::on_accept(beast::error_code ec) {
    if (ended_) return;
    if (ec) return end_now();  // Beast answered 400 to a handshake it could not take
    open_ = true;
    state_->report(origin_.request, 101, origin_.started);
    channel_->opened();
    pump();
}

template <class Stream>
void WebSocketSession<Stream>::pump() {
    if (ended_ || !open_ || closing_) return;
    BytePipe& in = channel_->inbound();
    BytePipe& out = channel_->outbound();

    if (!writing_) {
        if (out.aborted()) return close(channel_->close_status());
        const auto region = out.data();
        if (!region.empty()) {
            writing_ = true;
            ws_.async_write(
                net::buffer(region.data(), std::min(region.size(), kMaxMessage)),
                beast::bind_front_handler(&WebSocketSession::on_written, this->shared_from_this()));
        } else if (out.finished()) {
            return close(channel_->close_status());
        }
    } else if (out.aborted()) {
        close_pending_ = channel_->close_status();  // sent once the write in flight is done
        return;
    }
    if (!reading_ && !in.aborted() && !in.closed()) {
        const auto region = in.prepare();
        if (!region.empty()) {
            reading_ = true;
            ws_.async_read_some(
                net::buffer(region.data(), region.size()),
                beast::bind_front_handler(&WebSocketSession::on_read, this->shared_from_this()));
        }
    }
}

template <class Stream>
void WebSocketSession<Stream>::on_read(beast::error_code ec, std::size_t bytes) {
    reading_ = false;
    if (ended_) return;
    if (ec) {
        // The client closed (Beast has answered its close frame) or the connection failed:
        // what it sent is delivered, nothing more goes to it.
        if (closing_) {  // the close handshake completes in on_closed()
            channel_->inbound().close();
            return;
        }
        return end_now();
    }
    if (closing_) return;  // late data; the close handshake goes on without this read
    if (!ws_.got_binary()) {
        channel_->inbound().abort();
        return close({1003, "Only binary messages are relayed."});
    }
    channel_->inbound().commit(bytes);
    pump();
}

template <class Stream>
void WebSocketSession<Stream>::on_written(beast::error_code ec, std::size_t bytes) {
    writing_ = false;
    if (ended_) return;
    if (ec) {
        channel_->inbound().close();
        return end_now();
    }
    channel_->outbound().consume(bytes);
    if (close_pending_) {
        auto status = std::move(*close_pending_);
        close_pending_.reset();
        return close(std::move(status));
    }
    pump();
}

template <class Stream>
void WebSocketSession<Stream>::close(CloseStatus status) {
    if (ended_ || closing_) return;
    if (writing_) {
        close_pending_ = std::move(status);
        return;
    }
    closing_ = true;
    // Nothing more is read into the relay: a read still pending takes the client's close
    // frame, which lets the close handshake finish.
    channel_->inbound().close();
    channel_->outbound().abort();
    ws_.async_close(close_reason_of(status), beast::bind_front_handler(&WebSocketSession::on_closed,
                                                                       this->shared_from_this()));
}

template <class Stream>
void WebSocketSession<Stream>::on_closed(beast::error_code /*ec*/) {
    if (ended_) return;
    // Beast has shut the connection down (or it failed, or the close timed out).
    ended_ = true;
    close_now(ws_.next_layer());
    release();
}

template <class Stream>
void WebSocketSession<Stream>::end_now() {
    if (ended_) return;
    ended_ = true;
    release();
    close_now(ws_.next_layer());
}

template <class Stream>
void WebSocketSession<Stream>::release() {
    release_channel(*channel_, released_);
}

template <class Stream>
void WebSocketSession<Stream>::shutdown(bool graceful) {
    net::post(executor_, [self = this->shared_from_this(), graceful] {
        if (self->ended_) return;
        if (!graceful || !self->open_) return self->end_now();
        self->close({1001, "The server is shutting down."});
    });
}

template class WebSocketSession<PlainStream>;
template class WebSocketSession<TlsStream>;

}  // namespace helpline::server::http
