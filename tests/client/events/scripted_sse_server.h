#pragma once
// A tiny HTTP server on 127.0.0.1 for event-stream tests, written with raw sockets so it
// can misbehave in ways the real server never does: unknown and malformed events, a
// stream that goes silent, a refusal. Each connection runs the test's script on a thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace helpline::test {

/// One accepted connection, as seen by the script.
class ScriptedConnection {
  public:
    ScriptedConnection(int fd, std::string request, std::size_t index,
                       const std::atomic<bool>& stopping)
        : fd_(fd), request_(std::move(request)), index_(index), stopping_(stopping) {}

    const std::string& request() const { return request_; }  ///< the request head
    std::size_t index() const { return index_; }             ///< 0 for the first connection
    bool send(std::string_view bytes);
    /// A 200 text/event-stream head (no length: the body runs until the connection closes).
    bool send_stream_head();
    /// Keeps the connection open, sending nothing, until the client closes it, the server
    /// stops or `timeout` passes; true when the client closed it.
    bool hold_silently(std::chrono::milliseconds timeout);

  private:
    int fd_;
    std::string request_;
    std::size_t index_;
    const std::atomic<bool>& stopping_;
};

class ScriptedSseServer {
  public:
    using Script = std::function<void(ScriptedConnection&)>;
    /// Binds 127.0.0.1 on a free port; each accepted connection runs `script` (bounded:
    /// at most `max_connections`, later ones are closed at once).
    explicit ScriptedSseServer(Script script, std::size_t max_connections = 20);
    ~ScriptedSseServer();
    ScriptedSseServer(const ScriptedSseServer&) = delete;
    ScriptedSseServer& operator=(const ScriptedSseServer&) = delete;

    std::uint16_t port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::size_t connections() const { return accepted_; }
    std::vector<std::string> requests() const;

  private:
    void accept_loop();

    Script script_;
    std::size_t max_connections_;
    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<std::size_t> accepted_{0};
    mutable std::mutex mutex_;
    std::vector<std::string> requests_;
    std::vector<std::thread> workers_;
    std::thread acceptor_;
};

}  // namespace helpline::test
