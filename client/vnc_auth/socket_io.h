#pragma once
// Socket plumbing for helpline-vnc-auth: non-blocking sockets read and written with a
// deadline and a stop descriptor (a signal, a test's eventfd) that cuts any wait short, a
// listener on 127.0.0.1 only, and a connection to a Unix socket.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "shared/result.h"
#include "shared/unique_fd.h"

namespace helpline::client::vnc_auth {

using Clock = std::chrono::steady_clock;

/// Error codes of the waits below, besides "io.error" (the system's, in the message).
namespace io_error {
inline constexpr const char* kClosed = "io.closed";        ///< the peer closed first
inline constexpr const char* kTimeout = "io.timeout";      ///< the deadline passed
inline constexpr const char* kCancelled = "io.cancelled";  ///< the stop descriptor fired
inline constexpr const char* kError = "io.error";
}  // namespace io_error

/// Exactly `size` bytes from `fd`. `stop_fd` < 0: none.
Result<std::string> read_exact(int fd, std::size_t size, Clock::time_point deadline,
                               int stop_fd = -1);
/// All of `bytes` to `fd` (never SIGPIPE).
Status write_all(int fd, std::string_view bytes, Clock::time_point deadline, int stop_fd = -1);

void set_nonblocking(int fd);

/// A listening TCP socket on 127.0.0.1:`port` (never another address), SO_REUSEADDR so a
/// port the launcher found free a moment ago is not refused for a connection in TIME_WAIT.
Result<UniqueFd> listen_loopback(std::uint16_t port);
/// The next waiting connection on `listener` (non-blocking, close-on-exec), or an invalid
/// fd when there is none right now.
UniqueFd accept_connection(int listener);
/// A non-blocking connection to the Unix socket `path`; an error when nothing accepts there.
Result<UniqueFd> connect_unix(const std::filesystem::path& path);

/// Big-endian encodings of RFB's integers.
std::string be16(unsigned v);
std::string be32(std::uint32_t v);
std::uint32_t read_be32(std::string_view bytes, std::size_t at = 0);

}  // namespace helpline::client::vnc_auth
