#pragma once
// Clients for the HTTP server tests: libcurl for what a real client does, a raw socket
// for what curl cannot express (slow writers, clients that stop reading, bad HTTP).

#include <curl/curl.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace helpline::test {

struct CurlOptions {
    std::string method = "GET";
    std::string body;
    std::vector<std::string> headers;  ///< "Name: value"
    /// Trusted certificate (CURLOPT_CAINFO_BLOB); when empty, default_ca_pem() if any.
    std::string ca_pem;
    std::string pin;                   ///< CURLOPT_PINNEDPUBLICKEY
    std::chrono::milliseconds timeout{10'000};
    std::chrono::milliseconds expect_100_timeout{0};  ///< 0: curl's default (1 s)
};

struct CurlResponse {
    CURLcode code = CURLE_OK;
    std::string error;
    long status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  ///< lower-case names
    long new_connections = 0;                    ///< CURLINFO_NUM_CONNECTS

    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

/// Adds `ca_pem` to the certificates every client of this process trusts when its
/// CurlOptions::ca_pem is empty: a test's HAProxy (ServerProcess behind HAProxy), so that
/// no call site has to pass it. Several teams at once each add theirs.
void trust_by_default(const std::string& ca_pem);
/// The certificates trust_by_default() added (PEM, one after the other); "" when none.
std::string default_ca_pem();

/// One easy handle: consecutive requests reuse its connection when the server keeps it.
class CurlClient {
  public:
    CurlClient();
    ~CurlClient();
    CurlClient(const CurlClient&) = delete;
    CurlClient& operator=(const CurlClient&) = delete;

    CurlResponse request(const std::string& url, const CurlOptions& options = {});

  private:
    CURL* curl_;
};

inline CurlResponse curl_request(const std::string& url, const CurlOptions& options = {}) {
    CurlClient client;
    return client.request(url, options);
}

/// The response body as JSON; null when it is not JSON.
nlohmann::json body_json(const CurlResponse& response);

/// A random RFC 4122 version-4 UUID (an Idempotency-Key).
std::string new_uuid();

/// Reads an event stream with curl on a thread of its own; text() grows as data arrives.
class CurlEventStream {
  public:
    explicit CurlEventStream(std::string url, CurlOptions options = {});
    ~CurlEventStream();
    CurlEventStream(const CurlEventStream&) = delete;
    CurlEventStream& operator=(const CurlEventStream&) = delete;

    std::string text() const;
    std::string header(const std::string& name) const;
    long status() const;
    bool finished() const { return finished_; }
    CURLcode result() const { return result_; }
    /// Aborts the transfer (the client goes away) and joins the thread.
    void stop();

  private:
    static std::size_t on_data(char* data, std::size_t size, std::size_t count, void* self);
    static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self);
    static int on_progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t);

    mutable std::mutex mutex_;
    std::string text_;
    std::map<std::string, std::string> headers_;
    long status_ = 0;
    std::atomic<bool> abort_{false};
    std::atomic<bool> finished_{false};
    std::atomic<CURLcode> result_{CURLE_OK};
    std::thread thread_;
};

/// A blocking TCP client with deadlines on every read.
class RawSocket {
  public:
    /// `receive_buffer` > 0 sets SO_RCVBUF before connecting (a client that reads little).
    RawSocket(const std::string& host, std::uint16_t port, int receive_buffer = 0);
    ~RawSocket();
    RawSocket(const RawSocket&) = delete;
    RawSocket& operator=(const RawSocket&) = delete;

    bool connected() const { return fd_ >= 0; }
    /// Sends all of `data`; false if the peer closed or reset the connection.
    bool send(std::string_view data);
    /// Reads until `done(received)` holds, the peer closes, or `timeout` passes.
    std::string receive_until(const std::function<bool(const std::string&)>& done,
                              std::chrono::milliseconds timeout);
    /// Reads (and keeps) everything until the peer closes; false if `timeout` passed first.
    bool wait_closed(std::chrono::milliseconds timeout);
    /// Whether the peer has closed, without waiting.
    bool peer_closed();
    const std::string& received() const { return received_; }
    void close();

  private:
    int fd_ = -1;
    bool peer_closed_ = false;
    std::string received_;
};

/// A local TCP port that was free a moment ago (for tests that must name the port).
std::uint16_t free_port();
/// Whether `port` can be bound on all IPv4 addresses right now.
bool port_is_free(std::uint16_t port);
/// Whether this machine can bind ::1.
bool has_ipv6_loopback();

}  // namespace helpline::test
