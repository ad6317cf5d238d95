#include "server/http/shared_state.h"

#include <vector>

#include "server/http/problem.h"

namespace helpline::server::http {

namespace {
constexpr std::size_t kDefaultBodyLimit = 64 * 1024;
}

ConnectionTicket::~ConnectionTicket() {
    if (state_) state_->release();
}

SharedState::SharedState(ServerOptions options, Handler handler, WorkExecutor workers,
                         WorkExecutor background)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      workers_(std::move(workers)),
      background_(std::move(background)) {}

SharedState::WorkExecutor SharedState::workers_for(const Request& request) const {
    return options_.background && options_.background(request.method, request.path) ? background_
                                                                                    : workers_;
}

std::size_t SharedState::body_limit(std::string_view method, std::string_view path) const {
    return options_.body_limit ? options_.body_limit(method, path) : kDefaultBodyLimit;
}

Response SharedState::invoke(const Request& request) const noexcept {
    try {
        return handler_(request);
    } catch (...) {
        // The detail stays generic: exception texts can carry internals (SQL, paths).
        return problem(500, "The server could not handle the request.");
    }
}

void SharedState::report(const Request& request, int status,
                         std::chrono::steady_clock::time_point started) const noexcept {
    if (!options_.on_request) return;
    try {
        options_.on_request(request, status,
                            std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::steady_clock::now() - started));
    } catch (...) {
    }
}

std::optional<ConnectionTicket> SharedState::try_open() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || open_ >= options_.max_connections) return std::nullopt;
        ++open_;
    }
    return ConnectionTicket(shared_from_this());
}

void SharedState::release() {
    {
        std::lock_guard lock(mutex_);
        --open_;
    }
    closed_.notify_all();
}

std::size_t SharedState::open_connections() const {
    std::lock_guard lock(mutex_);
    return open_;
}

bool SharedState::join(const std::shared_ptr<Connection>& connection) {
    std::lock_guard lock(mutex_);
    connections_[connection.get()] = connection;
    return !stopping_;
}

void SharedState::leave(const Connection* connection) {
    std::lock_guard lock(mutex_);
    connections_.erase(connection);
}

bool SharedState::stopping() const {
    std::lock_guard lock(mutex_);
    return stopping_;
}

void SharedState::shutdown_all(bool graceful) {
    std::vector<std::shared_ptr<Connection>> live;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        live.reserve(connections_.size());
        for (const auto& [key, weak] : connections_)
            if (auto connection = weak.lock()) live.push_back(std::move(connection));
    }
    for (const auto& connection : live) connection->shutdown(graceful);
}

bool SharedState::wait_until_closed(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return closed_.wait_until(lock, deadline, [this] { return open_ == 0; });
}

}  // namespace helpline::server::http
