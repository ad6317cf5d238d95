#pragma once
// Where the client's team server is and how to trust it; every libcurl handle of the
// client is set up by apply_endpoint() so TLS, pins and proxies stay in one place.

#include <curl/curl.h>

#include <chrono>
#include <string>
#include <vector>

#include "shared/profile.h"
#include "shared/result.h"

namespace helpline::client {

struct ServerEndpoint {
    std::string base_url;           ///< "https://support.acme.example:8443" (no trailing '/')
    std::vector<std::string> pins;  ///< "sha256//BASE64" public-key pins; empty: CA trust only
    std::string ca_pem;             ///< trusted instead of the system's CAs when not empty
    std::string user_agent = "helpline-client";

    static ServerEndpoint from_profile(const Profile& profile);
    std::string url(std::string_view path) const {
        // Appended, not `base_url + std::string(path)`: GCC 12 at -O3 (the Windows build)
        // warns -Wrestrict about that operator+ (GCC bug 105651).
        std::string out = base_url;
        out += path;
        return out;
    }
};

/// Process-wide libcurl initialisation (idempotent, thread-safe).
void ensure_curl();

/// TLS verification on (always: there is no option to turn it off), the pins, proxies
/// from the environment (libcurl's default: http_proxy, https_proxy, no_proxy), the user
/// agent, a connect timeout, and no signals (worker threads).
void apply_endpoint(CURL* curl, const ServerEndpoint& endpoint, std::chrono::milliseconds connect_timeout);

/// Error codes for transport failures.
namespace net_error {
inline constexpr const char* kUnreachable = "net.unreachable";  ///< DNS, refused, no route, proxy
inline constexpr const char* kTls = "net.tls";                  ///< certificate, pin, handshake
inline constexpr const char* kTimeout = "net.timeout";
inline constexpr const char* kOther = "net.other";
}  // namespace net_error

/// Turns a libcurl failure into an Error a person can act on, naming the server.
Error transport_error(CURLcode code, const char* error_buffer, const ServerEndpoint& endpoint);

}  // namespace helpline::client
