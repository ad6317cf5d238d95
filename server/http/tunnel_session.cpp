#include "server/http/tunnel_session.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "server/http/closing_session.h"

namespace helpline::server::http {
namespace {

/// One write takes at most this much, so that its deadline measures progress.
constexpr std::size_t kMaxWrite = 64 * 1024;
/// A peer that takes none of kMaxWrite bytes for this long is gone. No read deadline: an
/// idle session is the relay's to time out (server/relay).
constexpr auto kWriteTimeout = std::chrono::seconds(30);

}  // namespace

template <class Stream>
TunnelSession<Stream>::TunnelSession(Stream stream, std::string head, std::string early,
                                     std::shared_ptr<ByteChannel> channel, Origin origin,
                                     ConnectionTicket ticket, std::shared_ptr<SharedState> state)
    : stream_(std::move(stream)),
      executor_(stream_.get_executor()),
      head_(std::move(head)),
      early_(std::move(early)),
      channel_(std::move(channel)),
      origin_(std::move(origin)),
      ticket_(std::move(ticket)),
      state_(std::move(state)) {}

template <class Stream>
TunnelSession<Stream>::~TunnelSession() {
    release();  // idempotent; covers an end that skipped end_now()
    state_->leave(this);
}

template <class Stream>
void TunnelSession<Stream>::run() {
    auto self = this->shared_from_this();
    // The pipes call this on the other side's thread: it only posts. It holds the session:
    // while it waits for the other side (no read or write pending) nothing else does.
    // release() lets go of it, which breaks the cycle through the pipes.
    const auto waker = [self] { net::post(self->executor_, [self] { self->pump(); }); };
    channel_->inbound().set_producer_waker(waker);
    channel_->outbound().set_consumer_waker(waker);
    if (!state_->join(self)) return end_now();  // the server is stopping

    tcp_layer(stream_).expires_after(state_->options().write_timeout);
    net::async_write(
        stream_, net::buffer(head_),
        beast::bind_front_handler(&TunnelSession::on_head_written, this->shared_from_this()));
}

template <class Stream>
void TunnelSession<Stream>::on_head_written(beast::error_code ec, std::size_t /*bytes*/) {
    if (ended_) return;
    if (ec) return end_now();
    head_.clear();
    open_ = true;
    state_->report(origin_.request, 101, origin_.started);
    channel_->opened();
    // The client may have sent stream bytes right behind its request; the pipe's capacity
    // is far above what one read of the request could have taken in.
    if (!early_.empty()) channel_->inbound().write(early_);
    early_.clear();
    pump();
}

template <class Stream>
void TunnelSession<Stream>::pump() {
    if (ended_ || !open_ || finishing_) return;
    BytePipe& in = channel_->inbound();
    BytePipe& out = channel_->outbound();
    if (out.aborted()) return end_now();

    if (!writing_) {
        const auto region = out.data();
        if (!region.empty()) {
            writing_ = true;
            tcp_layer(stream_).expires_after(kWriteTimeout);  // the write timer only, if reading
            net::async_write(
                stream_, net::buffer(region.data(), std::min(region.size(), kMaxWrite)),
                beast::bind_front_handler(&TunnelSession::on_written, this->shared_from_this()));
        } else if (out.finished()) {
            return finish();
        }
    }
    if (!reading_ && !in.aborted() && !in.closed()) {
        const auto region = in.prepare();
        if (!region.empty()) {
            reading_ = true;
            tcp_layer(stream_).expires_never();  // the read timer only, if writing
            stream_.async_read_some(
                net::buffer(region.data(), region.size()),
                beast::bind_front_handler(&TunnelSession::on_read, this->shared_from_this()));
        }
        // No room: the producer waker runs pump() once the other side has taken some.
    }
}

template <class Stream>
void TunnelSession<Stream>::on_read(beast::error_code ec, std::size_t bytes) {
    reading_ = false;
    if (ended_) return;
    if (bytes > 0) channel_->inbound().commit(bytes);
    if (finishing_) return finish();  // the read was cancelled so the stream can be closed
    if (ec) return end_now();         // the client closed or failed: what it sent is delivered
    pump();
}

template <class Stream>
void TunnelSession<Stream>::on_written(beast::error_code ec, std::size_t bytes) {
    writing_ = false;
    if (ended_) return;
    if (ec) return end_now();
    channel_->outbound().consume(bytes);
    if (finishing_) return finish();
    pump();
}

template <class Stream>
void TunnelSession<Stream>::finish() {
    if (ended_) return;
    finishing_ = true;
    if (writing_) return;  // on_written() comes back here
    if (reading_) {
        tcp_layer(stream_).cancel();  // on_read() comes back here
        return;
    }
    ended_ = true;
    release();
    close_gracefully(std::move(stream_), std::move(ticket_), state_);
}

template <class Stream>
void TunnelSession<Stream>::end_now() {
    if (ended_) return;
    ended_ = true;
    release();
    close_now(stream_);
}

template <class Stream>
void TunnelSession<Stream>::release() {
    release_channel(*channel_, released_);
}

template <class Stream>
void TunnelSession<Stream>::shutdown(bool graceful) {
    net::post(executor_, [self = this->shared_from_this(), graceful] {
        if (self->ended_) return;
        if (!graceful || !self->open_) return self->end_now();
        self->finish();  // what is being written is finished, the rest dropped
    });
}

template class TunnelSession<PlainStream>;
template class TunnelSession<TlsStream>;

}  // namespace helpline::server::http
