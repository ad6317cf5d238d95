#pragma once
// The running half of a relay tunnel: one thread moves bytes both ways between the upgraded
// server connection (a libcurl CONNECT_ONLY handle) and the backend's socket, with poll(),
// bounded buffers and back-pressure (a side is not read while the other side's buffer is
// full), until either side closes, an error occurs or stop() wakes it (net::Wakeup).

#include <curl/curl.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "client/core/net_socket.h"
#include "client/core/relay_tunnel.h"
#include "shared/result.h"

namespace helpline::client {

class TunnelPump final : public RelayTunnel {
  public:
    /// Bytes buffered per direction at most.
    static constexpr std::size_t kBufferSize = 256 * 1024;

    /// Takes ownership of `curl` (connected and upgraded) and of `backend` (connected) in
    /// every case; `early` are stream bytes that arrived together with the 101 answer.
    static Result<std::unique_ptr<RelayTunnel>> start(
        CURL* curl, net::Socket backend, std::string early,
        std::function<void(const TunnelStats&)> on_closed);
    ~TunnelPump() override;

    void stop() override;
    bool running() const override { return running_; }
    TunnelStats stats() const override { return {to_server_.load(), to_backend_.load()}; }

  private:
    TunnelPump(CURL* curl, net::SocketHandle server, net::Socket backend, net::Wakeup wake,
               std::function<void(const TunnelStats&)> on_closed);
    void run(std::string early);

    CURL* curl_;
    net::SocketHandle server_;  ///< curl's: closed by curl_easy_cleanup
    net::Socket backend_;
    net::Wakeup wake_;
    std::function<void(const TunnelStats&)> on_closed_;
    std::atomic<bool> stop_requested_{false};
    std::atomic<bool> running_{true};
    std::atomic<std::uint64_t> to_server_{0};
    std::atomic<std::uint64_t> to_backend_{0};
    std::mutex stop_mutex_;  ///< serialises stop() against itself
    std::thread thread_;
};

}  // namespace helpline::client
