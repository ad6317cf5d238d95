#include "server/http/closing_session.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <chrono>

namespace helpline::server::http {
namespace {

/// How long a closing connection waits for the peer to close its side.
constexpr auto kLinger = std::chrono::seconds(2);

}  // namespace

template <class Stream>
ClosingSession<Stream>::ClosingSession(Stream stream, ConnectionTicket ticket,
                                       std::shared_ptr<SharedState> state)
    : stream_(std::move(stream)),
      executor_(stream_.get_executor()),
      ticket_(std::move(ticket)),
      state_(std::move(state)) {}

template <class Stream>
ClosingSession<Stream>::~ClosingSession() {
    state_->leave(this);
}

template <class Stream>
void ClosingSession<Stream>::run() {
    auto self = this->shared_from_this();
    state_->join(self);  // a stop may only make it faster (shutdown(false))
    tcp_layer(stream_).expires_after(kLinger);
    if constexpr (kIsTls<Stream>) {
        // close_notify, then the peer's (or its FIN), within the linger time.
        stream_.async_shutdown([self](beast::error_code) { close_now(self->stream_); });
    } else {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        if (ec) return close_now(stream_);
        drain();
    }
}

template <class Stream>
void ClosingSession<Stream>::drain() {
    stream_.async_read_some(
        net::buffer(discard_),
        beast::bind_front_handler(&ClosingSession::on_drained, this->shared_from_this()));
}

template <class Stream>
void ClosingSession<Stream>::on_drained(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) return close_now(stream_);  // the peer closed, or the linger time is over
    drain();
}

template <class Stream>
void ClosingSession<Stream>::shutdown(bool graceful) {
    if (graceful) return;  // it is closing already
    net::post(executor_, [self = this->shared_from_this()] { close_now(self->stream_); });
}

template class ClosingSession<PlainStream>;
template class ClosingSession<TlsStream>;

}  // namespace helpline::server::http
