#pragma once
// The customer's side of a remote session's transport: an outbound HTTPS connection to
// the team server, upgraded (`Upgrade: helpline-relay/1`) on /api/v1/relay/{session},
// then bytes pumped both ways between it and the backend on 127.0.0.1:port until either
// side closes or stop() is called. libcurl CONNECT_ONLY keeps TLS, pins and proxies in
// one place (apply_endpoint).

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "client/core/server_endpoint.h"
#include "shared/result.h"

namespace helpline::client {

struct TunnelStats {
    std::uint64_t to_server = 0;  ///< bytes backend -> server
    std::uint64_t to_backend = 0;  ///< bytes server -> backend
};

/// Error codes besides the transport ones of net_error (server unreachable, TLS, timeout).
namespace tunnel_error {
inline constexpr const char* kRefused = "relay.refused";    ///< the server answered, not with 101
inline constexpr const char* kProtocol = "relay.protocol";  ///< malformed answer or argument
inline constexpr const char* kBackend = "relay.backend";    ///< 127.0.0.1:port did not accept
}  // namespace tunnel_error

class RelayTunnel {
public:
    /// Connects, sends the upgrade request with the relay token and waits for 101; then
    /// connects to 127.0.0.1:`backend_port` and starts pumping on a thread of its own.
    /// `on_closed` runs once (on that thread) when the tunnel ends for any reason.
    static Result<std::unique_ptr<RelayTunnel>> open(const ServerEndpoint& endpoint, const std::string& session_id,
                                                     const std::string& relay_token, std::uint16_t backend_port,
                                                     std::function<void(const TunnelStats&)> on_closed = {});
    virtual ~RelayTunnel() = default;
    /// Closes both sides and joins the pump thread (within ~1 s). Idempotent.
    virtual void stop() = 0;
    virtual bool running() const = 0;
    virtual TunnelStats stats() const = 0;
};

}  // namespace helpline::client
