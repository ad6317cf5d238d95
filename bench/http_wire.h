#pragma once
// A minimal HTTP/1.1 client on raw sockets for the server benchmarks: request bytes, an
// incremental response parser (Content-Length and chunked bodies, also streamed bodies
// such as text/event-stream) and a blocking keep-alive connection for setup steps.
// libcurl is not used here so that the client's own cost stays small and measurable.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace helpline::bench {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  ///< names lower-case
    std::string body;
};

/// The bytes of one request to 127.0.0.1 (keep-alive). A non-empty body is sent as JSON.
std::string http_request(std::string_view method, std::string_view path,
                         const Headers& headers = {}, std::string_view body = {});

/// Parses the responses of one connection as bytes arrive. Throws std::runtime_error on
/// a response it cannot parse.
class ResponseParser {
  public:
    void feed(std::string_view data);
    /// The oldest complete response, if any.
    std::optional<HttpResponse> next();
    /// For a response that does not end (an event stream): whether its head has arrived,
    /// the head itself, and the body decoded so far (taken out).
    bool head_complete() const { return state_ != State::head; }
    const HttpResponse& current() const { return current_; }
    std::string take_body() { return std::exchange(current_.body, {}); }

  private:
    enum class State { head, length_body, chunk_size, chunk_data, chunk_data_end, trailer };
    bool step();  ///< consumes what it can; false when it needs more bytes
    void finish_response();

    std::string buffer_;
    std::size_t offset_ = 0;  ///< parsed up to here in buffer_
    State state_ = State::head;
    std::size_t remaining_ = 0;
    HttpResponse current_;
    std::vector<HttpResponse> done_;
};

/// One event of a text/event-stream.
struct SseEvent {
    std::string type;  ///< "message" when the event names none
    std::string data;
    std::string id;
};

/// Splits a decoded event-stream body into events (comments such as ": ping" dropped).
class SseParser {
  public:
    /// Appends text; returns the events it completes.
    std::vector<SseEvent> feed(std::string_view text);
    std::size_t comments() const { return comments_; }

  private:
    std::string pending_;
    std::size_t comments_ = 0;
};

/// A connected TCP socket to 127.0.0.1:port (blocking unless `nonblocking`); -1 with errno set.
int connect_loopback(std::uint16_t port, bool nonblocking = false);

/// A blocking keep-alive connection for setup and for timed single requests.
class BlockingClient {
  public:
    explicit BlockingClient(std::uint16_t port) : port_(port) {}
    ~BlockingClient();
    BlockingClient(const BlockingClient&) = delete;
    BlockingClient& operator=(const BlockingClient&) = delete;

    /// Sends `request` (from http_request) and waits for the whole response. Throws on a
    /// connection failure or after `timeout`.
    HttpResponse send(const std::string& request,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

  private:
    void reconnect();
    std::uint16_t port_;
    int fd_ = -1;
    ResponseParser parser_;
};

}  // namespace helpline::bench
