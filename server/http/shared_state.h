#pragma once
// What every connection of one HttpServer shares: options, the handler, the worker pool,
// the connection count and a registry of live connections for stop(). Internal to
// server/http (as shared_state in Beast's examples).

#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "server/http/message.h"
#include "server/http/server.h"

namespace helpline::server::http {

/// A live connection as stop() sees it. Implementations post to their own strand.
class Connection {
  public:
    virtual ~Connection() = default;
    /// graceful: finish the exchange under way (a handler running, a response or the
    /// queued events being written), then close; otherwise close at once. Any thread.
    virtual void shutdown(bool graceful) = 0;
};

class SharedState;

/// One accepted socket counted against max_connections; moves with the stream from one
/// session object to the next (HTTP → event stream), released when the last owner dies.
class ConnectionTicket {
  public:
    ConnectionTicket() = default;
    explicit ConnectionTicket(std::shared_ptr<SharedState> state) : state_(std::move(state)) {}
    ConnectionTicket(ConnectionTicket&&) noexcept = default;
    ConnectionTicket& operator=(ConnectionTicket&&) noexcept = default;
    ConnectionTicket(const ConnectionTicket&) = delete;
    ConnectionTicket& operator=(const ConnectionTicket&) = delete;
    ~ConnectionTicket();

  private:
    std::shared_ptr<SharedState> state_;
};

class SharedState : public std::enable_shared_from_this<SharedState> {
  public:
    using WorkExecutor = boost::asio::thread_pool::executor_type;

    /// `background`: the pool of ServerOptions::background's requests (may be `workers`).
    SharedState(ServerOptions options, Handler handler, WorkExecutor workers,
                WorkExecutor background);

    const ServerOptions& options() const { return options_; }
    bool tls() const { return options_.tls.has_value(); }
    WorkExecutor workers() const { return workers_; }
    /// Where `request`'s handler runs: the background pool for ServerOptions::background's
    /// requests, else the workers.
    WorkExecutor workers_for(const Request& request) const;

    /// The body limit for a request line: options.body_limit or 64 KiB.
    std::size_t body_limit(std::string_view method, std::string_view path) const;
    /// Runs the handler; an exception becomes a 500 problem. Worker threads only.
    Response invoke(const Request& request) const noexcept;
    /// Calls options.on_request (exceptions from it are swallowed: logging must not
    /// break serving).
    void report(const Request& request, int status,
                std::chrono::steady_clock::time_point started) const noexcept;

    /// A ticket for a new socket, or nullopt when max_connections are open.
    std::optional<ConnectionTicket> try_open();
    std::size_t open_connections() const;

    /// Registers a live connection; false once stop() has begun (the caller then shuts
    /// itself down, so a connection accepted during stop() is not missed).
    bool join(const std::shared_ptr<Connection>& connection);
    void leave(const Connection* connection);
    bool stopping() const;

    /// Marks the server as stopping and shuts every registered connection down. The
    /// connections are collected under the lock and told outside it.
    void shutdown_all(bool graceful);
    /// Waits until no connection is open or `deadline` passes; true if none is open.
    bool wait_until_closed(std::chrono::steady_clock::time_point deadline);

  private:
    friend class ConnectionTicket;
    void release();

    const ServerOptions options_;
    const Handler handler_;
    const WorkExecutor workers_;
    const WorkExecutor background_;

    mutable std::mutex mutex_;
    std::condition_variable closed_;
    std::size_t open_ = 0;
    bool stopping_ = false;
    std::unordered_map<const Connection*, std::weak_ptr<Connection>> connections_;
};

}  // namespace helpline::server::http
