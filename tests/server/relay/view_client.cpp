#include "tests/server/relay/view_client.h"

#include <catch2/catch.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

namespace helpline::test {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out;
}

}  // namespace

/// What both stream kinds share; the stream itself is in Session<Stream>.
struct ViewClient::Impl {
    virtual ~Impl() = default;
    virtual void read_next() = 0;
    virtual void write(std::string bytes, bool text, std::shared_ptr<std::promise<bool>> done) = 0;
    virtual void send_close() = 0;
    virtual void close_socket() = 0;

    net::io_context ioc;
    /// run() must not return while the client waits with nothing pending (paused).
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work{
        ioc.get_executor()};
    std::thread thread;
    mutable std::mutex mutex;
    std::condition_variable changed;
    bool handshake_done = false;
    ViewHandshake handshake;
    std::string received;
    bool paused = false;
    bool reading = false;
    bool ended = false;
    int close_code = 0;
    std::string reason;
    std::string write_error;

    void finish_handshake(ViewHandshake result) {
        std::lock_guard lock(mutex);
        handshake = std::move(result);
        handshake_done = true;
        if (handshake.status != 101) ended = true;
        changed.notify_all();
    }
    void on_message(const std::string& payload) {
        std::lock_guard lock(mutex);
        received += payload;
        changed.notify_all();
    }
    void on_end(int code, std::string why) {
        std::lock_guard lock(mutex);
        if (ended) return;
        ended = true;
        close_code = code;
        reason = std::move(why);
        changed.notify_all();
    }
};

namespace {

template <class Stream>
class Session : public ViewClient::Impl, public std::enable_shared_from_this<Session<Stream>> {
  public:
    Session(std::uint16_t port, ViewOptions options, std::shared_ptr<net::ssl::context> tls)
        : port_(port),
          options_(std::move(options)),
          tls_(std::move(tls)),
          ws_(make_stream(tls_.get())) {}

    void start() {
        auto self = this->shared_from_this();
        beast::get_lowest_layer(ws_).expires_after(options_.timeout);
        beast::get_lowest_layer(ws_).async_connect(
            tcp::endpoint(net::ip::make_address("127.0.0.1"), port_),
            [self](beast::error_code ec) { self->on_connect(ec); });
    }

    void read_next() override {
        {
            std::lock_guard lock(mutex);
            if (paused || reading || ended) return;
            reading = true;
        }
        ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec,
                                                                  std::size_t) {
            {
                std::lock_guard lock(self->mutex);
                self->reading = false;
            }
            if (ec) {
                const int code = ec == websocket::error::closed ? self->ws_.reason().code : 1006;
                self->on_end(code, std::string(self->ws_.reason().reason.c_str()));
                return;
            }
            self->on_message(beast::buffers_to_string(self->buffer_.data()));
            self->buffer_.consume(self->buffer_.size());
            self->read_next();
        });
    }

    void write(std::string bytes, bool text, std::shared_ptr<std::promise<bool>> done) override {
        auto payload = std::make_shared<std::string>(std::move(bytes));
        ws_.text(text);
        ws_.async_write(net::buffer(*payload), [self = this->shared_from_this(), payload, done](
                                                   beast::error_code ec, std::size_t) {
            self->ws_.binary(true);
            if (ec) {
                std::lock_guard lock(self->mutex);
                self->write_error = ec.message();
            }
            done->set_value(!ec);
        });
    }

    void send_close() override {
        if (closing_) return;
        closing_ = true;
        ws_.async_close(websocket::close_code::normal,
                        [self = this->shared_from_this()](beast::error_code) {
                            self->on_end(1000, "closed by the client");
                        });
    }

    void close_socket() override {
        beast::error_code ec;
        beast::get_lowest_layer(ws_).socket().close(ec);
    }

  private:
    static websocket::stream<Stream> make_stream_impl(net::io_context& ioc,
                                                      net::ssl::context* tls) {
        if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
            (void)tls;
            return websocket::stream<Stream>(ioc);
        } else {
            return websocket::stream<Stream>(ioc, *tls);
        }
    }
    websocket::stream<Stream> make_stream(net::ssl::context* tls) {
        return make_stream_impl(ioc, tls);
    }

    void on_connect(beast::error_code ec) {
        if (ec) return fail("connect: " + ec.message());
        if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
            websocket_handshake();
        } else {
            ws_.next_layer().async_handshake(
                net::ssl::stream_base::client,
                [self = this->shared_from_this()](beast::error_code e) {
                    if (e) return self->fail("TLS: " + e.message());
                    self->websocket_handshake();
                });
        }
    }

    void websocket_handshake() {
        ws_.set_option(websocket::stream_base::decorator(
            [headers = options_.headers,
             protocols = options_.protocols](websocket::request_type& req) {
                for (const auto& h : headers) {
                    const auto colon = h.find(':');
                    auto value = h.substr(colon + 1);
                    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
                    req.set(h.substr(0, colon), value);
                }
                if (!protocols.empty())
                    req.set(beast::http::field::sec_websocket_protocol, join(protocols));
            }));
        ws_.async_handshake(
            response_, "127.0.0.1:" + std::to_string(port_), options_.target,
            [self = this->shared_from_this()](beast::error_code ec) { self->on_handshake(ec); });
    }

    void on_handshake(beast::error_code ec) {
        ViewHandshake result;
        result.status = static_cast<int>(response_.result_int());
        result.body = response_.body();
        if (auto it = response_.find(beast::http::field::sec_websocket_protocol);
            it != response_.end())
            result.protocol = std::string(it->value());
        if (ec) {
            result.error = ec.message();
            if (result.status == 101) result.status = 0;
            finish_handshake(std::move(result));
            return;
        }
        beast::get_lowest_layer(ws_).expires_never();
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
        ws_.binary(true);
        finish_handshake(std::move(result));
        read_next();
    }

    void fail(std::string what) {
        ViewHandshake result;
        result.error = std::move(what);
        finish_handshake(std::move(result));
    }

    std::uint16_t port_;
    ViewOptions options_;
    std::shared_ptr<net::ssl::context> tls_;  ///< outlives the stream
    websocket::stream<Stream> ws_;
    websocket::response_type response_;
    beast::flat_buffer buffer_;
    bool closing_ = false;
};

}  // namespace

ViewClient::ViewClient(std::uint16_t port, ViewOptions options) {
    if (options.tls) {
        auto tls = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
        tls->set_verify_mode(net::ssl::verify_peer);
        tls->add_certificate_authority(net::buffer(options.ca_pem));
        auto session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
            port, std::move(options), std::move(tls));
        impl_ = session;
        session->start();
    } else {
        auto session =
            std::make_shared<Session<beast::tcp_stream>>(port, std::move(options), nullptr);
        impl_ = session;
        session->start();
    }
    impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
    std::unique_lock lock(impl_->mutex);
    impl_->changed.wait_for(lock, std::chrono::seconds(30), [&] { return impl_->handshake_done; });
}

ViewClient::~ViewClient() {
    // Closing the socket ends its operations; then, without the work guard, run() returns.
    net::post(impl_->ioc, [impl = impl_] {
        impl->close_socket();
        impl->work.reset();
    });
    if (impl_->thread.joinable()) impl_->thread.join();
}

const ViewHandshake& ViewClient::handshake() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->handshake;
}

bool ViewClient::send(const std::string& bytes, bool text) {
    auto done = std::make_shared<std::promise<bool>>();
    auto result = done->get_future();
    net::post(impl_->ioc, [impl = impl_, bytes, text, done] { impl->write(bytes, text, done); });
    if (result.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
        std::lock_guard lock(impl_->mutex);
        impl_->write_error = "no completion within 10 s";
        return false;
    }
    return result.get();
}

std::string ViewClient::wait_bytes(std::size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(impl_->mutex);
    impl_->changed.wait_for(lock, timeout,
                            [&] { return impl_->received.size() >= count || impl_->ended; });
    return impl_->received;
}

std::optional<std::string> ViewClient::take(std::size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(impl_->mutex);
    if (!impl_->changed.wait_for(lock, timeout, [&] { return impl_->received.size() >= count; }))
        return std::nullopt;
    std::string out = impl_->received.substr(0, count);
    impl_->received.erase(0, count);
    return out;
}

std::size_t ViewClient::received_size() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->received.size();
}

void ViewClient::pause_reading() {
    std::lock_guard lock(impl_->mutex);
    impl_->paused = true;
}

void ViewClient::resume_reading() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->paused = false;
    }
    net::post(impl_->ioc, [impl = impl_] { impl->read_next(); });
}

std::optional<int> ViewClient::wait_closed(std::chrono::milliseconds timeout) {
    std::unique_lock lock(impl_->mutex);
    if (!impl_->changed.wait_for(lock, timeout, [&] { return impl_->ended; })) return std::nullopt;
    return impl_->close_code;
}

std::string ViewClient::write_error() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->write_error;
}

std::string ViewClient::close_reason() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->reason;
}

void ViewClient::close() {
    net::post(impl_->ioc, [impl = impl_] { impl->send_close(); });
    wait_closed(std::chrono::seconds(10));
}

std::unique_ptr<ViewClient> open_operator_view(std::uint16_t port, const std::string& token,
                                               const std::string& session) {
    ViewOptions options;
    options.target = "/api/v1/relay/" + session + "/view";
    options.headers = {"Authorization: Bearer " + token};
    options.protocols = {"binary"};
    auto view = std::make_unique<ViewClient>(port, options);
    INFO(view->handshake().status << " " << view->handshake().body);
    REQUIRE(view->open());
    return view;
}

}  // namespace helpline::test
