#include "server/http/http_session.h"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <sstream>
#include <unistd.h>

#include "server/http/closing_session.h"
#include "server/http/event_stream_session.h"
#include "server/http/problem.h"
#include "server/http/router.h"
#include "server/http/upgrade_start.h"
#include "shared/text.h"

namespace helpline::server::http {
namespace {

namespace bhttp = beast::http;

/// How much an idle connection reads at once while waiting for its next request.
constexpr std::size_t kIdleReadSize = 4096;

/// A handler's header value must not be able to start a new header line.
bool safe_header(std::string_view name, std::string_view value) {
    return !name.empty() && name.find_first_of(":\r\n") == std::string_view::npos &&
           value.find_first_of("\r\n") == std::string_view::npos;
}

bool has_no_body(int status) {
    return status == 204 || status == 304;
}

}  // namespace

void start_http_session(tcp::socket socket, net::ssl::context* tls, ConnectionTicket ticket,
                        std::shared_ptr<SharedState> state) {
    auto remote = remote_address(socket);
    if (tls) {
        std::make_shared<HttpSession<TlsStream>>(TlsStream(std::move(socket), *tls),
                                                 std::move(remote), std::move(ticket),
                                                 std::move(state))
            ->run();
    } else {
        std::make_shared<HttpSession<PlainStream>>(
            PlainStream(std::move(socket)), std::move(remote), std::move(ticket), std::move(state))
            ->run();
    }
}

template <class Stream>
HttpSession<Stream>::HttpSession(Stream stream, std::string remote_address, ConnectionTicket ticket,
                                 std::shared_ptr<SharedState> state)
    : stream_(std::move(stream)),
      executor_(stream_.get_executor()),
      state_(std::move(state)),
      ticket_(std::move(ticket)),
      remote_address_(std::move(remote_address)) {}

template <class Stream>
HttpSession<Stream>::~HttpSession() {
    drop_spool();  // an upload cut short by a stop
    state_->leave(this);
}

template <class Stream>
void HttpSession<Stream>::run() {
    // Everything the session does happens on its strand, starting now.
    net::dispatch(executor_,
                  beast::bind_front_handler(&HttpSession::start, this->shared_from_this()));
}

template <class Stream>
void HttpSession<Stream>::start() {
    if (!state_->join(this->shared_from_this())) return end_now();
    // The first request must arrive, TLS handshake included, within request_timeout of
    // the connection opening: a client that connects and then dawdles is dropped.
    tcp_layer(stream_).expires_after(state_->options().request_timeout);
    if constexpr (kIsTls<Stream>) {
        stream_.async_handshake(
            net::ssl::stream_base::server,
            beast::bind_front_handler(&HttpSession::on_handshake, this->shared_from_this()));
    } else {
        read_request();
    }
}

template <class Stream>
void HttpSession<Stream>::on_handshake(beast::error_code ec) {
    if (phase_ == Phase::ended) return;
    if (ec) return end_now();  // not TLS, or a client that does not trust us: nothing to say
    read_request();
}

template <class Stream>
void HttpSession<Stream>::read_request() {
    phase_ = Phase::receiving;
    parser_.emplace();
    const auto header_limit = std::min<std::size_t>(state_->options().header_limit,
                                                    std::numeric_limits<std::uint32_t>::max());
    parser_->header_limit(static_cast<std::uint32_t>(header_limit));
    // The body limit depends on the route, so it is set once the header is in; until then
    // the parser must not apply its own default to Content-Length. (Not boost::none: Beast
    // 1.74 compares the length with the empty optional and refuses every body.)
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());

    if (first_request_) return read_header();  // its deadline runs since start()
    if (buffer_.size() > 0) {                  // a pipelined request is already here
        tcp_layer(stream_).expires_after(state_->options().request_timeout);
        return read_header();
    }
    // Between requests the connection may idle for idle_timeout; from the first byte of
    // the next request, that request has request_timeout to arrive in full.
    tcp_layer(stream_).expires_after(state_->options().idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(kIdleReadSize),
        beast::bind_front_handler(&HttpSession::on_idle_read, this->shared_from_this()));
}

template <class Stream>
void HttpSession<Stream>::on_idle_read(beast::error_code ec, std::size_t bytes) {
    if (phase_ == Phase::ended) return;
    if (ec) return end_now();
    buffer_.commit(bytes);
    tcp_layer(stream_).expires_after(state_->options().request_timeout);
    read_header();
}

template <class Stream>
void HttpSession<Stream>::read_header() {
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&HttpSession::on_header, this->shared_from_this()));
}

template <class Stream>
void HttpSession<Stream>::on_header(beast::error_code ec, std::size_t /*bytes*/) {
    if (phase_ == Phase::ended) return;
    first_request_ = false;
    request_ = Request{};
    request_.remote_address = remote_address_;
    request_.tls = kIsTls<Stream>;
    if (ec) return on_read_error(ec);

    started_ = std::chrono::steady_clock::now();
    const auto& header = parser_->get();
    request_.method = std::string(header.method_string());
    request_.target = std::string(header.target());
    for (const auto& field : header)
        request_.headers.add(std::string(field.name_string()), std::string(field.value()));

    // Normalised before anything looks at the path: body limits, routing, authorization.
    auto target = normalize_target(request_.target);
    if (!target) return refuse(400, target.error().message);
    request_.path = std::move(target->path);
    request_.segments = std::move(target->segments);
    request_.query = std::move(target->query);

    const auto limit = state_->body_limit(request_.method, request_.path);
    // Refused from Content-Length, before a byte of the body is read.
    if (const auto length = parser_->content_length(); length && *length > limit)
        return refuse(413, "The request body exceeds the limit of " + std::to_string(limit) +
                               " bytes for this resource.");
    parser_->body_limit(static_cast<std::uint64_t>(limit));  // enforced on chunked bodies

    const auto& options = state_->options();
    if (options.spools_body && options.spools_body(request_.method, request_.path)) {
        if (!parser_->content_length())
            return refuse(411, "An upload needs a Content-Length header (a chunked body is not accepted here).");
        return admit_upload();
    }
    if (send_continue()) return;
    read_body();
}

template <class Stream>
bool HttpSession<Stream>::send_continue() {
    const auto expect = request_.header("Expect");
    if (!expect || !iequals(*expect, "100-continue") || parser_->is_done()) return false;
    // curl waits a second for this before sending a body of more than 1 KiB.
    interim_ = "HTTP/1.1 100 Continue\r\n\r\n";
    net::async_write(stream_, net::buffer(interim_),
                     beast::bind_front_handler(&HttpSession::on_continue_sent, this->shared_from_this()));
    return true;
}

template <class Stream>
void HttpSession<Stream>::on_continue_sent(beast::error_code ec, std::size_t /*bytes*/) {
    if (phase_ == Phase::ended) return;
    if (ec) return end_now();
    if (parser_ && state_->options().spools_body && state_->options().spools_body(request_.method, request_.path))
        return start_spooling();
    read_body();
}

template <class Stream>
void HttpSession<Stream>::admit_upload() {
    // The handler's own checks (who, which ticket, its state) before the body is read:
    // a refused upload costs no disk and no bandwidth.
    tcp_layer(stream_).expires_never();
    phase_ = Phase::handling;
    Request first = request_;
    first.admitting = true;
    net::post(state_->workers(), [self = this->shared_from_this(), request = std::move(first)]() mutable {
        auto answer = self->state_->invoke(request);
        std::optional<Response> refusal;
        if (answer.status != 100) refusal = std::move(answer);
        auto executor = self->executor_;
        net::post(executor, [self = std::move(self), refusal = std::move(refusal)]() mutable {
            self->on_admitted(std::move(refusal));
        });
    });
}

template <class Stream>
void HttpSession<Stream>::on_admitted(std::optional<Response> refusal) {
    if (phase_ == Phase::ended) return;
    phase_ = Phase::receiving;
    if (refusal) {
        parser_.reset();
        // The body is not read, so the connection cannot carry another request.
        return send(std::move(*refusal), false);
    }
    tcp_layer(stream_).expires_after(state_->options().request_timeout);
    if (send_continue()) return;
    start_spooling();
}

namespace {
/// How much of an upload's body one read takes at most.
constexpr std::size_t kSpoolReadSize = 64 * 1024;
/// The slowest an upload may come on average (64 kbit/s): a 20 MiB file has 43 minutes.
/// Without it, a body dribbled a byte every few seconds would hold its connection and its
/// spool file for years, request_timeout being only the longest pause between pieces.
constexpr std::uint64_t kMinUploadBytesPerSecond = 8 * 1024;
}  // namespace

template <class Stream>
void HttpSession<Stream>::start_spooling() {
    std::string pattern = (std::filesystem::path(state_->options().spool_dir) / "upload-XXXXXX").string();
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0) return refuse(503, "The server cannot take uploads just now (its upload folder is not writable).");
    ::close(fd);
    spool_path_ = pattern;
    const auto limit = parser_->content_length().value_or(0);
    spool_parser_.emplace(std::move(*parser_));
    parser_.reset();
    // Beast reads into the buffer's free room: as left by the head, a few hundred bytes —
    // 40,960 reads and writes for 20 MiB (docs/benchmarks.md "Attachments (issue 17)").
    buffer_.reserve(buffer_.size() + kSpoolReadSize);
    spool_parser_->body_limit(limit);
    const auto slowest = static_cast<std::int64_t>(limit * 1000 / kMinUploadBytesPerSecond);
    upload_deadline_ = std::chrono::steady_clock::now() + state_->options().request_timeout +
                       std::chrono::milliseconds(slowest);
    beast::error_code ec;
    spool_parser_->get().body().open(spool_path_.c_str(), beast::file_mode::write, ec);
    if (ec) {
        drop_spool();
        return refuse(503, "The server cannot take uploads just now (" + ec.message() + ").");
    }
    if (spool_parser_->is_done()) return handle_request();
    read_spooled_piece();
}

template <class Stream>
void HttpSession<Stream>::read_spooled_piece() {
    tcp_layer(stream_).expires_at(std::min(
        std::chrono::steady_clock::now() + state_->options().request_timeout, upload_deadline_));
    bhttp::async_read_some(stream_, buffer_, *spool_parser_,
                           beast::bind_front_handler(&HttpSession::on_spooled_piece, this->shared_from_this()));
}

template <class Stream>
void HttpSession<Stream>::on_spooled_piece(beast::error_code ec, std::size_t /*bytes*/) {
    if (phase_ == Phase::ended) return drop_spool();
    if (ec) {
        drop_spool();  // a body that stopped short stores nothing
        return on_read_error(ec);
    }
    if (spool_parser_->is_done()) return handle_request();
    read_spooled_piece();
}

template <class Stream>
void HttpSession<Stream>::drop_spool() {
    spool_parser_.reset();
    if (spool_path_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove(spool_path_, ignored);
    spool_path_.clear();
}

template <class Stream>
void HttpSession<Stream>::read_body() {
    if (parser_->is_done()) return handle_request();
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&HttpSession::on_body, this->shared_from_this()));
}

template <class Stream>
void HttpSession<Stream>::on_body(beast::error_code ec, std::size_t /*bytes*/) {
    if (phase_ == Phase::ended) return;
    if (ec) return on_read_error(ec);
    handle_request();
}

template <class Stream>
void HttpSession<Stream>::on_read_error(beast::error_code ec) {
    if (ec == bhttp::error::header_limit)
        return refuse(431, "The request's header exceeds the limit of " +
                               std::to_string(state_->options().header_limit) + " bytes.");
    if (ec == bhttp::error::body_limit) {
        const auto limit = state_->body_limit(request_.method, request_.path);
        return refuse(413, "The request body exceeds the limit of " + std::to_string(limit) +
                               " bytes for this resource.");
    }
    // The client closed the connection, timed out, reset it: there is no one to answer.
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
        ec.category() != bhttp::make_error_code(bhttp::error::bad_target).category())
        return end_now();
    refuse(400, "The request is not valid HTTP/1.1 (" + ec.message() + ").");
}

template <class Stream>
void HttpSession<Stream>::handle_request() {
    if (spool_parser_) {
        auto message = spool_parser_->release();
        spool_parser_.reset();
        message.body().close();
        request_.body_file = std::exchange(spool_path_, {});  // the worker deletes it after the handler
        request_keep_alive_ = message.keep_alive();
    } else {
        auto message = parser_->release();
        parser_.reset();
        request_.body = std::move(message.body());
        request_keep_alive_ = message.keep_alive();
    }
    // While the handler runs, no timer runs: its time is not the client's fault.
    tcp_layer(stream_).expires_never();
    phase_ = Phase::handling;

    // Handlers may block (database, disk): they run on the worker pool, and the answer
    // comes back to this connection's strand.
    // Device handshakes on their own pool (ServerOptions::background); chosen before the
    // request moves into the job.
    const auto pool = state_->workers_for(request_);
    net::post(pool,
              [self = this->shared_from_this(), request = std::move(request_)]() mutable {
                  auto response = self->state_->invoke(request);
                  if (!request.body_file.empty()) {
                      std::error_code ignored;
                      std::filesystem::remove(request.body_file, ignored);
                  }
                  auto executor = self->executor_;
                  net::post(executor, [self = std::move(self), request = std::move(request),
                                       response = std::move(response)]() mutable {
                      self->on_response(std::move(request), std::move(response));
                  });
              });
}

template <class Stream>
void HttpSession<Stream>::on_response(Request request, Response response) {
    request_ = std::move(request);
    if (phase_ == Phase::ended) {  // closed while the handler ran (a stop, ...)
        if (response.stream) response.stream->disconnected();
        if (response.upgrade) abandon_upgrade(*response.upgrade);
        if (response.delete_file) {
            std::error_code ignored;
            std::filesystem::remove(response.file, ignored);
        }
        return;
    }
    if (response.stream) return start_event_stream(std::move(response));
    // An upgrade (the relay's helpline-relay/1 tunnel, its WebSocket view): the stream is
    // handed to its session, as it is to EventStreamSession above.
    if (response.upgrade) {
        const auto& upgrade = *response.upgrade;
        if (response.status == 101 && upgrade.channel &&
            safe_header("Upgrade", upgrade.protocol) &&
            (upgrade.kind == Upgrade::Kind::websocket || !upgrade.protocol.empty())) {
            phase_ = Phase::ended;
            std::string early(static_cast<const char*>(buffer_.data().data()), buffer_.size());
            buffer_.consume(buffer_.size());
            start_upgrade(std::move(stream_), std::move(early), std::move(request_),
                          std::move(response.upgrade), started_, std::move(ticket_), state_);
            return;
        }
        abandon_upgrade(upgrade);
        response = problem(500, "The server produced an invalid response.");
    }
    // Any other 1xx from a handler is a bug.
    if (response.status < 200 || response.status > 999)
        response = problem(500, "The server produced an invalid response.");
    send(std::move(response), request_keep_alive_ && !close_after_response_ && !state_->stopping());
}

template <class Stream>
void HttpSession<Stream>::start_event_stream(Response response) {
    bhttp::response<bhttp::empty_body> head{static_cast<bhttp::status>(response.status), 11};
    for (const auto& [name, value] : response.headers)
        if (safe_header(name, value)) head.insert(name, value);
    head.set(bhttp::field::content_type, "text/event-stream");
    head.set(bhttp::field::cache_control, "no-store");
    head.set(bhttp::field::connection, "keep-alive");
    // Chunked: the frames are an HTTP/1.1 message with a proper end, so a proxy in front
    // (TLS offloading) knows where the stream stops and a client can tell a stream the
    // server ended (last chunk) from a cut connection.
    head.set(bhttp::field::transfer_encoding, "chunked");
    std::ostringstream serialised;
    serialised << head.base();

    phase_ = Phase::ended;
    typename EventStreamSession<Stream>::Origin origin{std::move(request_), response.status,
                                                       started_};
    std::make_shared<EventStreamSession<Stream>>(std::move(stream_), serialised.str(),
                                                 std::move(response.stream), std::move(origin),
                                                 std::move(ticket_), state_)
        ->run();
}

template <class Stream>
void HttpSession<Stream>::send(Response response, bool keep_alive) {
    if (!response.file.empty() && !has_no_body(response.status) && request_.method != "HEAD")
        return send_file(std::move(response), keep_alive);
    if (!response.file.empty() && response.delete_file) {
        std::error_code ignored;
        std::filesystem::remove(response.file, ignored);
    }
    status_ = response.status;
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(response.status));
    for (const auto& [name, value] : response.headers)
        if (safe_header(name, value)) response_.insert(name, value);
    if (has_no_body(response.status)) {
        response_.keep_alive(keep_alive);
    } else {
        if (!response.content_type.empty())
            response_.set(bhttp::field::content_type, response.content_type);
        response_.body() = std::move(response.body);
        response_.keep_alive(keep_alive);
        response_.prepare_payload();
        // HEAD: the header a GET would get, Content-Length included, and no body.
        if (request_.method == "HEAD") response_.body().clear();
    }

    phase_ = Phase::sending;
    tcp_layer(stream_).expires_after(state_->options().write_timeout);
    bhttp::async_write(
        stream_, response_,
        beast::bind_front_handler(&HttpSession::on_sent, this->shared_from_this(), keep_alive));
}

template <class Stream>
void HttpSession<Stream>::send_file(Response response, bool keep_alive) {
    file_response_.emplace();
    beast::error_code ec;
    file_response_->body().open(response.file.c_str(), beast::file_mode::scan, ec);
    if (response.delete_file) {
        // Open already: the name can go now (the bytes stay until the file is closed).
        std::error_code ignored;
        std::filesystem::remove(response.file, ignored);
    }
    if (ec) {
        file_response_.reset();
        return send(problem(500, "The server could not read the file it was to send."), false);
    }
    status_ = response.status;
    file_response_->version(11);
    file_response_->result(static_cast<unsigned>(response.status));
    for (const auto& [name, value] : response.headers)
        if (safe_header(name, value)) file_response_->insert(name, value);
    if (!response.content_type.empty()) file_response_->set(bhttp::field::content_type, response.content_type);
    file_response_->keep_alive(keep_alive);
    file_response_->prepare_payload();
    file_serializer_.emplace(*file_response_);
    phase_ = Phase::sending;
    write_file_piece(keep_alive);
}

template <class Stream>
void HttpSession<Stream>::write_file_piece(bool keep_alive) {
    // write_timeout for each piece, not for the whole file: a slow client still gets it.
    tcp_layer(stream_).expires_after(state_->options().write_timeout);
    bhttp::async_write_some(
        stream_, *file_serializer_,
        beast::bind_front_handler(&HttpSession::on_file_piece, this->shared_from_this(), keep_alive));
}

template <class Stream>
void HttpSession<Stream>::on_file_piece(bool keep_alive, beast::error_code ec, std::size_t /*bytes*/) {
    if (phase_ == Phase::ended) return;
    if (ec) return end_now();
    if (!file_serializer_->is_done()) return write_file_piece(keep_alive);
    file_serializer_.reset();
    file_response_.reset();
    on_sent(keep_alive, ec, 0);
}

template <class Stream>
void HttpSession<Stream>::on_sent(bool keep_alive, beast::error_code ec, std::size_t /*bytes*/) {
    if (phase_ == Phase::ended) return;
    if (ec) return end_now();
    state_->report(request_, status_, started_);
    response_ = {};
    if (!keep_alive || close_after_response_) return end_gracefully();
    read_request();
}

template <class Stream>
void HttpSession<Stream>::refuse(int status, std::string detail) {
    parser_.reset();
    started_ = std::chrono::steady_clock::now();
    // The rest of the request is not read, so the connection cannot carry another one.
    send(problem(status, std::move(detail)), false);
}

template <class Stream>
void HttpSession<Stream>::end_gracefully() {
    phase_ = Phase::ended;
    close_gracefully(std::move(stream_), std::move(ticket_), state_);
}

template <class Stream>
void HttpSession<Stream>::end_now() {
    if (phase_ == Phase::ended) return;
    phase_ = Phase::ended;
    close_now(stream_);
}

template <class Stream>
void HttpSession<Stream>::shutdown(bool graceful) {
    net::post(executor_, [self = this->shared_from_this(), graceful] {
        if (self->phase_ == Phase::ended) return;
        // A request still arriving is dropped: clients retry, and submissions are
        // idempotent. One being handled or answered is finished first.
        if (!graceful || self->phase_ == Phase::receiving) return self->end_now();
        self->close_after_response_ = true;
    });
}

template class HttpSession<PlainStream>;
template class HttpSession<TlsStream>;

}  // namespace helpline::server::http
