#pragma once
// The baseline of the attachment benchmark: a tiny HTTP/1.1 server in the benchmark's own
// process that takes PUT bodies over the same kind of connection the upload uses (plain
// HTTP on 127.0.0.1, or TLS with the server's own certificate) and answers 201 once the
// whole body is in. helpline-server has no route that reads a large body and drops it
// (every route but uploads refuses more than 64 KiB from Content-Length, before reading
// it), so the floor of "the same bytes PUT by libcurl" is measured against this.
//
// Two ways to take a body, chosen by the request's path:
//  - `/discard/...`: read and thrown away (the transfer alone: the target's baseline);
//  - `/durable/...`: written to a new file in `folder` and fdatasync'd before the answer
//    (what any durable upload must at least do: the disk's share of the cost).
// One connection at a time, keep-alive, `Expect: 100-continue` answered; reads of 64 KiB,
// as Beast's parser reads the server's.

#include <openssl/ssl.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>

namespace helpline::bench {

class UploadSink {
  public:
    /// Listens on 127.0.0.1 (a port of the system's choice); `tls`: the server context to
    /// accept TLS with (nullptr: plain HTTP). `folder`: where `/durable/` bodies go.
    UploadSink(SSL_CTX* tls, std::filesystem::path folder);
    ~UploadSink();  ///< stops the thread: the listener and the open connection are shut down
    UploadSink(const UploadSink&) = delete;
    UploadSink& operator=(const UploadSink&) = delete;

    std::uint16_t port() const { return port_; }
    /// Body bytes taken so far (every request), to check that the baseline moved them all.
    std::uint64_t bytes_received() const { return received_.load(); }
    /// What went wrong in the sink's thread, if anything (empty: nothing).
    std::string error() const;

  private:
    void serve();
    void serve_connection(int fd);

    SSL_CTX* tls_;
    std::filesystem::path folder_;
    int listener_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> connection_{-1};  ///< shut down from the destructor to end a blocked read
    std::atomic<std::uint64_t> received_{0};
    mutable std::atomic<bool> failed_{false};
    std::string error_;  ///< written by the thread before failed_ is set
    std::thread thread_;
};

}  // namespace helpline::bench
