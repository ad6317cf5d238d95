#include "server/http/event_stream_session.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <charconv>

#include "server/http/closing_session.h"

namespace helpline::server::http {
namespace {

constexpr std::string_view kPing = ": ping\n\n";
constexpr std::string_view kLastChunk = "0\r\n\r\n";

void append_chunk(std::string& out, std::string_view data) {
    std::array<char, 16> size{};
    const auto end = std::to_chars(size.data(), size.data() + size.size(), data.size(), 16).ptr;
    out.append(size.data(), end);
    out += "\r\n";
    out += data;
    out += "\r\n";
}

}  // namespace

template <class Stream>
EventStreamSession<Stream>::EventStreamSession(Stream stream, std::string head,
                                               std::shared_ptr<EventSink> sink, Origin origin,
                                               ConnectionTicket ticket,
                                               std::shared_ptr<SharedState> state)
    : stream_(std::move(stream)),
      executor_(stream_.get_executor()),
      head_(std::move(head)),
      heartbeat_(executor_),
      sink_(std::move(sink)),
      origin_(std::move(origin)),
      ticket_(std::move(ticket)),
      state_(std::move(state)) {}

template <class Stream>
EventStreamSession<Stream>::~EventStreamSession() {
    sink_->disconnected();  // idempotent; covers an end that skipped end_now()
    state_->leave(this);
}

template <class Stream>
void EventStreamSession<Stream>::run() {
    auto self = this->shared_from_this();
    // Called by producers on their own threads: it only posts. Weak, because the sink
    // may outlive the connection in a producer's subscriber list.
    sink_->set_waker([weak = std::weak_ptr<EventStreamSession>(self)] {
        if (auto session = weak.lock())
            net::post(session->executor_, [session] { session->flush(); });
    });
    if (!state_->join(self)) sink_->close();  // stopping: send what is queued, then end

    // A read stays pending for the whole stream: it is how a client that goes away is
    // noticed. It has no deadline; writes do (write_timeout).
    tcp_layer(stream_).expires_never();
    read_some();
    arm_heartbeat();
    flush();  // the head, with any frames pushed before the response was written
}

template <class Stream>
void EventStreamSession<Stream>::read_some() {
    stream_.async_read_some(
        net::buffer(discard_),
        beast::bind_front_handler(&EventStreamSession::on_read, this->shared_from_this()));
}

template <class Stream>
void EventStreamSession<Stream>::on_read(beast::error_code ec, std::size_t /*bytes*/) {
    if (ended_) return;
    if (finishing_ && !writing_) {
        // The last chunk is written and this read (cancelled by finish()) was the last
        // operation: the connection can be closed politely.
        ended_ = true;
        sink_->disconnected();
        close_gracefully(std::move(stream_), std::move(ticket_), state_);
        return;
    }
    if (ec) return end_now();  // the client went away, or a write timed out and closed it
    read_some();               // a client has nothing to say on an event stream: dropped
}

template <class Stream>
void EventStreamSession<Stream>::arm_heartbeat() {
    if (state_->options().sse_heartbeat.count() <= 0) return;  // off, rather than a busy loop
    heartbeat_.expires_after(state_->options().sse_heartbeat);
    heartbeat_.async_wait(
        beast::bind_front_handler(&EventStreamSession::on_heartbeat, this->shared_from_this()));
}

template <class Stream>
void EventStreamSession<Stream>::on_heartbeat(beast::error_code ec) {
    if (ec || ended_ || finishing_) return;
    ping_due_ = true;
    flush();
    arm_heartbeat();
}

template <class Stream>
void EventStreamSession<Stream>::flush() {
    if (ended_ || finishing_ || writing_) return;  // on_written() flushes again
    // closed() before drain(): a closed sink takes no more frames, so this drain gets
    // them all and the last chunk cannot overtake one.
    const bool closed = sink_->closed();
    const auto frames = sink_->drain();

    out_ = std::move(head_);
    head_.clear();
    std::string batch;
    for (const auto& frame : frames) batch += frame;
    if (ping_due_) batch += kPing;
    ping_due_ = false;
    if (!batch.empty()) append_chunk(out_, batch);
    if (closed) {
        out_ += kLastChunk;
        finishing_ = true;
    }
    if (out_.empty()) return;

    writing_ = true;
    tcp_layer(stream_).expires_after(state_->options().write_timeout);  // the read is pending
    net::async_write(
        stream_, net::buffer(out_),
        beast::bind_front_handler(&EventStreamSession::on_written, this->shared_from_this()));
}

template <class Stream>
void EventStreamSession<Stream>::on_written(beast::error_code ec, std::size_t /*bytes*/) {
    writing_ = false;
    if (ended_) return;
    if (ec) return end_now();
    if (!reported_) {
        reported_ = true;
        state_->report(origin_.request, origin_.status, origin_.started);
    }
    out_.clear();
    if (finishing_) return finish();
    flush();  // what producers pushed during the write goes out as one batch
}

template <class Stream>
void EventStreamSession<Stream>::finish() {
    heartbeat_.cancel();
    // Only the read is pending now; once it returns, on_read() hands the stream over.
    tcp_layer(stream_).cancel();
}

template <class Stream>
void EventStreamSession<Stream>::end_now() {
    if (ended_) return;
    ended_ = true;
    heartbeat_.cancel();
    close_now(stream_);
    sink_->disconnected();
}

template <class Stream>
void EventStreamSession<Stream>::shutdown(bool graceful) {
    net::post(executor_, [self = this->shared_from_this(), graceful] {
        if (self->ended_) return;
        if (!graceful) return self->end_now();
        self->sink_->close();  // the queued frames go out, then the last chunk
        self->flush();
    });
}

template class EventStreamSession<PlainStream>;
template class EventStreamSession<TlsStream>;

}  // namespace helpline::server::http
