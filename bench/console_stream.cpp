#include "bench/console_stream.h"

#include <poll.h>
#include <unistd.h>

#include <stdexcept>

namespace helpline::bench {

using Clock = std::chrono::steady_clock;

ConsoleStream::ConsoleStream(std::uint16_t port, const std::string& token)
    : fd_(connect_loopback(port)) {
    if (fd_ < 0) throw std::runtime_error("cannot connect for the console stream");
    const std::string request =
        http_request("GET", "/api/v1/console/events",
                     {{"Authorization", "Bearer " + token}, {"Accept", "text/event-stream"}});
    if (::write(fd_, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
        ::close(fd_);
        throw std::runtime_error("cannot send the console stream's request");
    }
}

ConsoleStream::~ConsoleStream() {
    ::close(fd_);
}

SseEvent ConsoleStream::next(const std::string& type, std::chrono::milliseconds timeout,
                             std::size_t& wire_bytes) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        for (auto it = pending_.begin(); it != pending_.end(); ++it) {
            if (it->type != type) continue;
            SseEvent e = std::move(*it);
            pending_.erase(it);
            return e;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0)
            throw std::runtime_error("no " + type + " event on the console stream in time");
        pollfd pfd{fd_, POLLIN, 0};
        if (::poll(&pfd, 1, static_cast<int>(left)) <= 0) continue;
        char buffer[65536];
        const ssize_t n = ::read(fd_, buffer, sizeof buffer);
        if (n <= 0) throw std::runtime_error("the console stream ended");
        wire_bytes += static_cast<std::size_t>(n);
        http_.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
        if (!http_.head_complete()) continue;
        if (http_.current().status != 200)
            throw std::runtime_error("the console stream answered " +
                                     std::to_string(http_.current().status));
        for (auto& e : sse_.feed(http_.take_body())) pending_.push_back(std::move(e));
    }
}

}  // namespace helpline::bench
