#pragma once
// The client's own sockets — the relay tunnel's side towards the backend and its wake-up, the
// launcher's port probes — behind one interface for POSIX and Winsock. Platform code lives in
// net_socket_posix.cpp and net_socket_win32.cpp, chosen by CMake. The socket type is
// libcurl's (int on POSIX, SOCKET on Windows), so that a CONNECT_ONLY connection's socket
// and ours wait in one poll_sockets().

#include <curl/curl.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include "shared/result.h"

namespace helpline::client::net {

using SocketHandle = curl_socket_t;
inline constexpr SocketHandle kNoSocket = CURL_SOCKET_BAD;

/// Makes the system's socket library usable: WSAStartup on Windows, once per process (never
/// undone: sockets may live until exit); nothing on POSIX. The functions below call it.
Status startup();

/// Closes a socket (close, closesocket).
void close_socket(SocketHandle s);

/// A socket closed at scope end.
class Socket {
  public:
    explicit Socket(SocketHandle s = kNoSocket) : s_(s) {}
    ~Socket() { reset(); }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    Socket(Socket&& other) noexcept : s_(std::exchange(other.s_, kNoSocket)) {}
    Socket& operator=(Socket&& other) noexcept {
        if (this != &other) {
            reset();
            s_ = std::exchange(other.s_, kNoSocket);
        }
        return *this;
    }
    SocketHandle get() const { return s_; }
    bool valid() const { return s_ != kNoSocket; }
    SocketHandle release() { return std::exchange(s_, kNoSocket); }
    void reset() {
        if (s_ != kNoSocket) close_socket(s_);
        s_ = kNoSocket;
    }

  private:
    SocketHandle s_;
};

/// The last socket error of this thread as text for people (errno, WSAGetLastError).
std::string last_error_text();

/// A TCP connection to 127.0.0.1:`port`, blocking, not inherited by child processes. The
/// error's message is the system's reason alone ("Connection refused"), for the caller's
/// sentence.
Result<Socket> connect_loopback(std::uint16_t port);

/// A 127.0.0.1 port the system considered free a moment ago (bound to port 0 and read back).
/// The error's message is the system's reason alone.
Result<std::uint16_t> free_loopback_port();

/// Whether something accepts TCP connections on 127.0.0.1:`port` now.
bool loopback_accepts(std::uint16_t port);

/// Puts the socket in non-blocking mode; the error's message is the system's reason alone.
Status set_nonblocking(SocketHandle s);

enum class Io { done, would_block, closed, failed };
struct IoResult {
    Io status = Io::failed;
    std::size_t bytes = 0;  ///< with Io::done: how many bytes moved (at least 1)
};
/// One recv() on a non-blocking socket; an interrupted call is retried.
IoResult receive(SocketHandle s, char* buffer, std::size_t size);
/// One send() on a non-blocking socket, never raising SIGPIPE; interrupted calls are retried.
IoResult send(SocketHandle s, const char* data, std::size_t size);

/// What poll_sockets() waits for and reports.
namespace poll_flag {
inline constexpr unsigned kReadable = 1;
inline constexpr unsigned kWritable = 2;
inline constexpr unsigned kHangup = 4;  ///< reported only
inline constexpr unsigned kError = 8;   ///< reported only
}  // namespace poll_flag

struct PollEntry {
    SocketHandle socket = kNoSocket;
    unsigned want = 0;  ///< poll_flag bits; an entry that wants nothing is not watched
    unsigned got = 0;   ///< set by poll_sockets()
};

inline constexpr std::size_t kMaxPollEntries = 8;

/// Waits until one of (at most kMaxPollEntries) entries is ready or `timeout_ms` passes
/// (negative: no limit); poll() or WSAPoll(). The number of entries ready; 0 on a timeout or
/// an interrupting signal (the caller looks at its clock and state again); -1 on an error.
int poll_sockets(std::span<PollEntry> entries, int timeout_ms);

/// Wakes a thread waiting in poll_sockets(): it watches handle() for kReadable, another thread
/// calls signal(). An eventfd on Linux; on Windows, where WSAPoll waits on sockets only, a
/// UDP socket on 127.0.0.1 connected to itself. Stays readable once signalled.
class Wakeup {
  public:
    static Result<Wakeup> create();
    SocketHandle handle() const { return socket_.get(); }
    /// Thread-safe; may be called any number of times.
    void signal();

  private:
    explicit Wakeup(Socket s) : socket_(std::move(s)) {}
    Socket socket_;
};

}  // namespace helpline::client::net
