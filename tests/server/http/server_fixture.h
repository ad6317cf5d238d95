#pragma once
// A running HttpServer on 127.0.0.1 (or ::1) with a router, for the HTTP server tests.

#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "server/http/router.h"
#include "server/http/server.h"

namespace helpline::test {

/// Options with the production defaults but a few threads: tests set what they exercise.
inline server::http::ServerOptions test_options() {
    server::http::ServerOptions options;
    options.io_threads = 2;
    options.worker_threads = 4;
    return options;
}

class TestServer {
  public:
    TestServer(server::http::ServerOptions options, std::shared_ptr<server::http::Router> router)
        : router_(std::move(router)),
          host_(options.address),
          server_(std::make_unique<server::http::HttpServer>(
              std::move(options), [router = router_](const server::http::Request& request) {
                  server::http::Request copy = request;
                  return router->route(copy);
              })) {
        auto started = server_->start();
        INFO((started.ok() ? std::string() : started.error().message));
        REQUIRE(started.ok());
        port_ = started.value();
    }

    server::http::HttpServer& server() { return *server_; }
    std::uint16_t port() const { return port_; }
    std::string url(const std::string& path, const std::string& scheme = "http") const {
        const bool v6 = host_.find(':') != std::string::npos;
        return scheme + "://" + (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_) +
               path;
    }
    const std::string& host() const { return host_; }

  private:
    std::shared_ptr<server::http::Router> router_;
    std::string host_;
    std::unique_ptr<server::http::HttpServer> server_;
    std::uint16_t port_ = 0;
};

/// A gate handlers wait at until the test opens it; never longer than 10 s, so a failed
/// test cannot hang the worker pool.
class Gate {
  public:
    void wait() {
        std::unique_lock lock(mutex_);
        ++waiting_;
        changed_.notify_all();
        changed_.wait_for(lock, std::chrono::seconds(10), [this] { return open_; });
    }
    void open() {
        {
            std::lock_guard lock(mutex_);
            open_ = true;
        }
        changed_.notify_all();
    }
    int waiting() const {
        std::lock_guard lock(mutex_);
        return waiting_;
    }

  private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    int waiting_ = 0;
    bool open_ = false;
};

inline server::http::Response text_response(std::string body, int status = 200) {
    server::http::Response response;
    response.status = status;
    response.content_type = "text/plain";
    response.body = std::move(body);
    return response;
}

}  // namespace helpline::test
