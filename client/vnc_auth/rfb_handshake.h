#pragma once
// The RFB handshakes helpline-vnc-auth runs (RFC 6143 §7.1–7.2): as the server toward the
// viewer, with VNC authentication against the one-time password, and as the client toward
// the backend on its private Unix socket, with security type None. After both, the bytes
// from ClientInit onward are the viewer's and the backend's own, copied unchanged.

#include <string>
#include <string_view>

#include "client/vnc_auth/socket_io.h"

namespace helpline::client::vnc_auth {

/// How a viewer's handshake ended, when the connection itself did not fail.
enum class ViewerVerdict {
    authenticated,   ///< right password; its SecurityResult is still to be sent
    wrong_password,  ///< SecurityResult "failed" (and the reason, in 3.8) sent
    refused,         ///< an RFB version or a security type we do not serve; reason sent
};

struct ViewerHandshake {
    ViewerVerdict verdict = ViewerVerdict::refused;
    int minor = 8;       ///< the protocol version agreed: 3.7 or 3.8
    std::string detail;  ///< what happened, for the log
};

/// The server side up to the password check: our version (3.8), the viewer's (3.7 or 3.8;
/// 3.3 and any other is refused with a reason), the security types [2], a random
/// challenge, the viewer's answer checked against `password` (its first 8 characters).
/// A wrong answer gets SecurityResult "failed" with a reason; the caller closes. A right
/// one gets nothing yet: the caller reaches the backend first, then calls
/// send_security_result(). Errors are the connection's (closed, timeout, cancelled).
Result<ViewerHandshake> authenticate_viewer(int fd, std::string_view password,
                                            Clock::time_point deadline, int stop_fd = -1);

/// SecurityResult: OK, or failed with `reason` (which RFB 3.7 has no room for).
Status send_security_result(int fd, int minor, bool ok, std::string_view reason,
                            Clock::time_point deadline, int stop_fd = -1);

/// What a server sends a viewer it turns away right after the viewer's 12-byte version:
/// for 3.7 and 3.8 an empty list of security types, else (3.3) security type 0; then the
/// reason.
std::string refusal_after_version(std::string_view viewer_version, std::string_view reason);

/// Our version string, sent first to every viewer.
inline constexpr std::string_view kServerVersion = "RFB 003.008\n";

/// The client side with the backend: its version (3.7 or later), ours (3.8), security type
/// None (1) — an error saying so when the backend does not offer it — and its
/// SecurityResult. The connection is then at ClientInit.
Status open_backend(int fd, Clock::time_point deadline, int stop_fd = -1);

/// Error codes of open_backend besides the io_error ones.
namespace handshake_error {
inline constexpr const char* kBackendVersion = "rfb.backend_version";
inline constexpr const char* kBackendNoNone = "rfb.backend_no_none";
inline constexpr const char* kBackendRefused = "rfb.backend_refused";
}  // namespace handshake_error

}  // namespace helpline::client::vnc_auth
