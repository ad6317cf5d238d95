#pragma once
// Helpers for the remote-session tests: the process table (/proc), a private Xvfb, loopback
// listeners, a two-way bulk transfer over sockets, and a small loopback server that speaks
// the relay upgrade (`GET /api/v1/relay/{session}` + `Upgrade: helpline-relay/1` → 101).

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace helpline::test {

struct ProcessInfo {
    int pid = 0;
    int ppid = 0;
    int pgid = 0;
    char state = '?';  ///< 'Z' for a zombie
};

/// Every process visible in /proc.
std::vector<ProcessInfo> list_processes();
/// The live processes (zombies aside) whose command line contains `text`.
std::vector<int> processes_mentioning(const std::string& text);

/// Sets or unsets environment variables for one test and restores them afterwards.
class EnvGuard {
  public:
    EnvGuard() = default;
    EnvGuard(const EnvGuard&) = delete;
    EnvGuard& operator=(const EnvGuard&) = delete;
    ~EnvGuard() {
        for (const auto& [name, value] : saved_) {
            if (value)
                ::setenv(name.c_str(), value->c_str(), 1);
            else
                ::unsetenv(name.c_str());
        }
    }
    void set(const std::string& name, std::optional<std::string> value) {
        const char* old = std::getenv(name.c_str());
        saved_.emplace_back(name, old != nullptr ? std::optional<std::string>(old) : std::nullopt);
        if (value)
            ::setenv(name.c_str(), value->c_str(), 1);
        else
            ::unsetenv(name.c_str());
    }

  private:
    std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

/// Local addresses (hex, as /proc/net shows them: "0100007F" is 127.0.0.1) of the listening
/// TCP sockets on `port`.
std::vector<std::string> listening_addresses(std::uint16_t port);
/// Whether no process of group `pgid` is alive (zombies, already dead, do not count).
bool group_gone(int pgid);
/// Whether `pid` has exited (gone, or a zombie waiting for its parent).
bool process_dead(int pid);

/// `count` random bytes (a fixed seed per call site keeps failures reproducible).
std::string random_bytes(std::size_t count, std::uint32_t seed);
/// FNV-1a, to name a payload in a failure message.
std::uint64_t checksum(const std::string& data);

/// A private Xvfb on a display it picks itself (-displayfd); stopped on destruction.
class Xvfb {
  public:
    Xvfb();
    ~Xvfb();
    Xvfb(const Xvfb&) = delete;
    Xvfb& operator=(const Xvfb&) = delete;
    bool running() const { return pid_ > 0; }
    const std::string& display() const { return display_; }  ///< ":N"

  private:
    int pid_ = -1;
    std::string display_;
};

/// A socket listening on 127.0.0.1 (port picked by the system).
class Listener {
  public:
    Listener();
    ~Listener();
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;
    std::uint16_t port() const { return port_; }
    int fd() const { return fd_; }
    /// The next connection (non-blocking fd owned by the caller), or -1 after `timeout`.
    int accept(std::chrono::milliseconds timeout);

  private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

/// A connected socket to 127.0.0.1:port (blocking), or -1.
int connect_loopback(std::uint16_t port);

/// One side of a bulk transfer: sends `out` on `fd` while reading until `want` bytes have
/// arrived in `in` (or the peer closes).
struct TransferSide {
    TransferSide(int socket, std::string to_send, std::size_t to_receive)
        : fd(socket), out(std::move(to_send)), want(to_receive) {}
    int fd = -1;
    std::string out;
    std::size_t want = 0;
    std::string in;
    std::size_t sent = 0;
    bool closed = false;
};
/// Drives both sides at once (one poll loop, so neither can block the other); true when
/// everything was sent and the wanted bytes arrived before `timeout`.
bool exchange(TransferSide& a, TransferSide& b, std::chrono::milliseconds timeout);
/// Reads from `fd` until the peer closes (true) or `timeout` passes (false).
bool wait_eof(int fd, std::chrono::milliseconds timeout, std::string* received = nullptr);

/// The server side of the relay upgrade, on 127.0.0.1, plain HTTP.
class UpgradeServer {
  public:
    UpgradeServer(std::string session, std::string token, std::string early_bytes = {});
    ~UpgradeServer();
    UpgradeServer(const UpgradeServer&) = delete;
    UpgradeServer& operator=(const UpgradeServer&) = delete;

    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(listener_.port()); }
    /// The server end of the next upgraded connection (non-blocking; the caller closes it),
    /// or -1 after `timeout`.
    int take_stream(std::chrono::milliseconds timeout);
    /// The head of the last request received.
    std::string last_request() const;

  private:
    void serve();
    void handle(int fd);

    std::string session_;
    std::string token_;
    std::string early_;
    Listener listener_;
    int wake_fd_ = -1;
    mutable std::mutex mutex_;
    std::deque<int> streams_;
    std::string last_request_;
    std::thread thread_;
};

}  // namespace helpline::test
