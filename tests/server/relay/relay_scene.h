#pragma once
// A remote session ready to relay, on the real helpline-server: a device with a ticket, the
// admin (as the operator) asking to connect, the device accepting; and the small clients
// the relay tests drive it with (a raw upgrade request, a TLS tunnel, socket helpers).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "client/core/relay_tunnel.h"
#include "tests/client/session/session_support.h"
#include "tests/server/relay/view_client.h"
#include "tests/support/fixtures.h"
#include "tests/support/server_process.h"
#include "tests/support/test_client.h"

namespace helpline::test {

using Json = nlohmann::json;

/// `run` arguments for the relay tests: rate limits lifted, then `extra`.
std::vector<std::string> relay_args(std::vector<std::string> extra = {});

struct DeviceLogin {
    std::string id;
    std::string token;
};

class RelayScene {
  public:
    /// Starts a server with `run_args` ("--self-signed" makes it TLS); registers a device
    /// that files a ticket; the admin asks to connect; the device accepts unless told not to.
    explicit RelayScene(std::vector<std::string> run_args = relay_args(), bool accept = true);

    ServerProcess& server() { return server_; }
    const ServerProcess& server() const { return server_; }
    std::uint16_t port() const { return server_.port(); }

    /// One request (bearer `token`, JSON `body`), trusting the server's certificate.
    CurlResponse call(const std::string& method, const std::string& path,
                      const std::string& token = {}, const std::optional<Json>& body = {}) const;
    std::string login(const std::string& email, const std::string& password) const;
    /// A team member with `role` ("operator" or "admin").
    void add_user(const std::string& email, const std::string& name, const std::string& password,
                  const std::string& role = "operator") const;
    /// A new connection request on the ticket (by the admin); its id.
    std::string connect() const;
    /// The device accepts `request`: session_id and relay_token are set.
    void accept(const std::string& request);
    /// The state of `request` (default: this scene's).
    std::string state(const std::string& request = {}) const;
    /// The audit entries of this scene's session.
    std::vector<Json> audit() const;
    /// POST /api/v1/sessions/{id}/end with `token`; the status.
    long end(const std::string& token) const;

    /// Viewer options with a bearer token (no Origin), offering "binary".
    ViewOptions bearer_view(const std::string& token) const;
    /// Viewer options as a browser sends them: the session cookie and `origin` (none if
    /// empty), offering "binary".
    ViewOptions cookie_view(const std::string& token, const std::string& origin) const;

    DeviceLogin device;
    std::string operator_token;  ///< the admin's, who asks to connect
    std::int64_t ticket = 0;
    std::string request_id;
    std::string session_id;
    std::string relay_token;
    std::string ca_pem;  ///< the server's certificate when it serves TLS

  private:
    TempDir dir_;
    ServerProcess server_;
    bool tls_ = false;
};

/// The customer's whole side: a backend listening on 127.0.0.1 and the client core's tunnel
/// (RelayTunnel) to it, open and connected to the backend.
struct Customer {
    /// The tunnel goes to the scene's server, or to `port` (another server of the team).
    explicit Customer(const RelayScene& scene, std::uint16_t port = 0);
    ~Customer();
    Customer(const Customer&) = delete;
    Customer& operator=(const Customer&) = delete;

    void send(const std::string& bytes);
    std::string receive(std::size_t count);

    Listener backend_listener;
    std::unique_ptr<client::RelayTunnel> tunnel;
    std::atomic<bool> closed{false};
    int backend = -1;
};

/// Sends `request` (a whole request head, written by hand) on a raw plain connection; the
/// answer's status (0: none).
int raw_status(std::uint16_t port, const std::string& request);

/// Sends the tunnel's upgrade request on a raw plain connection; the answer's status.
/// `token` empty: no Authorization; `upgrade` false: no Upgrade/Connection headers.
int raw_tunnel_status(std::uint16_t port, const std::string& session, const std::string& token,
                      bool upgrade = true);

/// A tunnel over TLS made with OpenSSL directly (libcurl's CA bundle cannot be pointed at
/// the test's certificate through the client core's endpoint).
class TlsTunnel {
  public:
    TlsTunnel(std::uint16_t port, const std::string& ca_pem, const std::string& session,
              const std::string& token);
    ~TlsTunnel();
    TlsTunnel(const TlsTunnel&) = delete;
    TlsTunnel& operator=(const TlsTunnel&) = delete;

    int status() const { return status_; }
    bool send(const std::string& bytes);
    std::string receive(std::size_t count, std::chrono::milliseconds timeout);
    /// Whether the server closed the tunnel within `timeout`.
    bool wait_closed(std::chrono::milliseconds timeout);

  private:
    int fd_ = -1;
    void* ctx_ = nullptr;
    void* ssl_ = nullptr;
    int status_ = 0;
    std::string early_;
};

// Socket helpers for the non-blocking sockets of session_support's Listener.

/// Sends all of `data` (waiting for room with poll); false on error or after `timeout`.
bool send_all(int fd, const std::string& data,
              std::chrono::milliseconds timeout = std::chrono::seconds(30));
/// Reads exactly `count` bytes (less if the peer closes or `timeout` passes).
std::string read_exactly(int fd, std::size_t count, std::chrono::milliseconds timeout);
/// Sends `out` while reading until `want` bytes arrived; what arrived.
std::string transfer(int fd, const std::string& out, std::size_t want,
                     std::chrono::milliseconds timeout);
/// Writes pattern_bytes() until a write makes no progress for `stall`, `limit` bytes were
/// written or `timeout` passed; how many were written.
std::size_t push_until_blocked(int fd, std::size_t limit, std::chrono::milliseconds stall,
                               std::chrono::milliseconds timeout);
/// A deterministic byte pattern: bytes [offset, offset + count) of it.
std::string pattern_bytes(std::size_t offset, std::size_t count);

}  // namespace helpline::test
