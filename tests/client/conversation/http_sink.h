#pragma once
// A loopback HTTP server for the client's transfers, with raw sockets: it records each
// request's head and what its body was (length, SHA-256, whether it was chunked) without
// keeping it, and answers as the test's script says — before the body (as the server
// does for a refused upload), after it, or with a generated body of any size (downloads).
// One request per connection (answers say Connection: close).

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace helpline::test {

struct SinkRequest {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  ///< lower-case names
    bool chunked = false;                        ///< Transfer-Encoding: chunked (not read)
    bool continued = false;                      ///< "100 Continue" was sent
    std::uint64_t body_bytes = 0;
    std::string body_sha256;  ///< hex
    std::string body_start;   ///< the first 64 KiB

    std::string header(const std::string& name) const {
        const auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

struct SinkAnswer {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    bool before_body = false;           ///< answer at once, never read the body
    std::uint64_t generated_bytes = 0;  ///< send pattern_byte(0..n-1) instead of `body`
};

/// The bytes of generated bodies and of the tests' files: not all alike, cheap to check.
inline std::uint8_t pattern_byte(std::uint64_t i) {
    return static_cast<std::uint8_t>((i * 31 + 7) % 251);
}

class HttpSink {
  public:
    /// The script sees the request's head (no body yet) and says how to answer.
    using Script = std::function<SinkAnswer(const SinkRequest&)>;
    explicit HttpSink(Script script);
    ~HttpSink();
    HttpSink(const HttpSink&) = delete;
    HttpSink& operator=(const HttpSink&) = delete;

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    /// The requests answered so far.
    std::vector<SinkRequest> requests() const;

  private:
    void accept_loop();
    void serve(int fd);

    Script script_;
    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    std::vector<SinkRequest> requests_;
    std::vector<std::thread> workers_;
    std::thread acceptor_;
};

/// Writes `size` pattern bytes to `path` in pieces (never the whole in memory).
void write_pattern_file(const std::string& path, std::uint64_t size);
/// The hex SHA-256 of a file, read in pieces.
std::string sha256_of_file(const std::string& path);
/// The hex SHA-256 of the first `size` pattern bytes.
std::string sha256_of_pattern(std::uint64_t size);

}  // namespace helpline::test
