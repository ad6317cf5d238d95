#pragma once
// One HTTP/1.1 connection: reads requests (within the limits and timeouts of
// ServerOptions), runs the handler on the worker pool, writes the response on the
// connection's strand, and hands the stream over when a response is an event stream.
// Internal to server/http.

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "server/http/beast_stream.h"
#include "server/http/shared_state.h"

namespace helpline::server::http {

/// Starts serving an accepted socket; over TLS when `tls` is not null.
void start_http_session(tcp::socket socket, net::ssl::context* tls, ConnectionTicket ticket,
                        std::shared_ptr<SharedState> state);

/// Instantiated for PlainStream and TlsStream (http_session.cpp).
template <class Stream>
class HttpSession : public Connection, public std::enable_shared_from_this<HttpSession<Stream>> {
  public:
    HttpSession(Stream stream, std::string remote_address, ConnectionTicket ticket,
                std::shared_ptr<SharedState> state);
    ~HttpSession() override;
    HttpSession(const HttpSession&) = delete;
    HttpSession& operator=(const HttpSession&) = delete;

    void run();
    void shutdown(bool graceful) override;

  private:
    /// receiving: waiting for or reading a request (dropped at once by a stop);
    /// handling: the handler runs on a worker; sending: the response is being written.
    enum class Phase { receiving, handling, sending, ended };

    void start();
    void on_handshake(beast::error_code ec);
    void read_request();
    void on_idle_read(beast::error_code ec, std::size_t bytes);
    void read_header();
    void on_header(beast::error_code ec, std::size_t bytes);
    /// Writes "100 Continue" when the client waits for it; false when it does not.
    bool send_continue();
    void on_continue_sent(beast::error_code ec, std::size_t bytes);
    void read_body();
    void on_body(beast::error_code ec, std::size_t bytes);
    /// Uploads (ServerOptions::spools_body): admitted on a worker first, then the body is
    /// read into a file in the spool folder, a piece at a time.
    void admit_upload();
    void on_admitted(std::optional<Response> refusal);
    void start_spooling();
    void read_spooled_piece();
    void on_spooled_piece(beast::error_code ec, std::size_t bytes);
    void drop_spool();
    /// A response whose body is a file (Response::file), a piece at a time.
    void send_file(Response response, bool keep_alive);
    void write_file_piece(bool keep_alive);
    void on_file_piece(bool keep_alive, beast::error_code ec, std::size_t bytes);
    void handle_request();
    void on_response(Request request, Response response);
    void start_event_stream(Response response);
    void send(Response response, bool keep_alive);
    void on_sent(bool keep_alive, beast::error_code ec, std::size_t bytes);
    /// A request that cannot be served (limits, malformed): answer, then close.
    void refuse(int status, std::string detail);
    void on_read_error(beast::error_code ec);
    void end_gracefully();
    void end_now();

    Stream stream_;
    const net::any_io_executor executor_;  ///< the strand; stays valid after stream_ moves on
    beast::flat_buffer buffer_;
    std::optional<beast::http::request_parser<beast::http::string_body>> parser_;
    beast::http::response<beast::http::string_body> response_;
    std::optional<beast::http::request_parser<beast::http::file_body>> spool_parser_;
    std::string spool_path_;  ///< the upload's file while this session owns it
    /// The whole upload must have arrived by then (a minimum average rate).
    std::chrono::steady_clock::time_point upload_deadline_;
    std::optional<beast::http::response<beast::http::file_body>> file_response_;
    std::optional<beast::http::response_serializer<beast::http::file_body>> file_serializer_;
    std::string sent_file_;  ///< deleted once sent (Response::delete_file)
    std::string interim_;  ///< "100 Continue" while it is written
    Request request_;      ///< the request being answered, for on_request
    std::shared_ptr<SharedState> state_;
    ConnectionTicket ticket_;
    std::string remote_address_;
    Phase phase_ = Phase::receiving;
    int status_ = 0;
    bool first_request_ = true;
    bool request_keep_alive_ = false;
    bool close_after_response_ = false;
    std::chrono::steady_clock::time_point started_;
};

}  // namespace helpline::server::http
