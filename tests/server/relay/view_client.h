#pragma once
// The operator's side of the relay in tests: a WebSocket client (Boost.Beast, on a thread
// of its own) for GET /api/v1/relay/{session}/view, plain or over TLS. It keeps a read
// pending at all times (so the server's pings are answered), collects the binary payloads
// and remembers how the connection ended.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace helpline::test {

struct ViewOptions {
    std::string target;                  ///< "/api/v1/relay/SESSION/view"
    std::vector<std::string> headers;    ///< "Name: value" (Cookie, Authorization, Origin)
    std::vector<std::string> protocols;  ///< offered in Sec-WebSocket-Protocol
    bool tls = false;
    std::string ca_pem;  ///< the certificate to trust over TLS
    std::chrono::milliseconds timeout{10'000};
};

/// What the server answered to the handshake.
struct ViewHandshake {
    int status = 0;        ///< 101 when open; the refusal's status otherwise; 0 no answer
    std::string protocol;  ///< the Sec-WebSocket-Protocol the server chose
    std::string body;      ///< a refusal's body (problem+json)
    std::string error;
};

class ViewClient {
  public:
    ViewClient(std::uint16_t port, ViewOptions options);
    ~ViewClient();
    ViewClient(const ViewClient&) = delete;
    ViewClient& operator=(const ViewClient&) = delete;

    const ViewHandshake& handshake() const;
    bool open() const { return handshake().status == 101; }

    /// Sends `bytes` as one binary message (or a text message); false on failure.
    bool send(const std::string& bytes, bool text = false);
    /// Waits until at least `count` bytes have arrived in total (or the end); all so far.
    std::string wait_bytes(std::size_t count, std::chrono::milliseconds timeout);
    /// Takes (removes) the first `count` bytes once they are there; nullopt after `timeout`.
    std::optional<std::string> take(std::size_t count, std::chrono::milliseconds timeout);
    std::size_t received_size() const;
    /// Stops reading: the server's pipe toward this client fills (back-pressure tests).
    void pause_reading();
    void resume_reading();

    /// Waits for the connection to end; the close code the server sent (1006 when the
    /// connection ended without a close frame), nullopt while still open after `timeout`.
    std::optional<int> wait_closed(std::chrono::milliseconds timeout);
    std::string close_reason() const;
    /// Why the last send() failed.
    std::string write_error() const;
    /// Sends a close frame (code 1000) and waits for the end.
    void close();

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

/// The operator's view of `session` (`GET /api/v1/relay/{session}/view`, subprotocol
/// "binary", as noVNC asks for it) with `token` as bearer; REQUIREs that it opens.
std::unique_ptr<ViewClient> open_operator_view(std::uint16_t port, const std::string& token,
                                               const std::string& session);

}  // namespace helpline::test
