#pragma once
// Listens on a PostgreSQL notification channel (LISTEN) on a connection of its own, on a
// thread of its own, and hands each payload to a callback. A lost connection (the
// database restarted) is made again with a growing pause (0.2 s up to 5 s); once listening
// again it says so, because what was notified meanwhile is lost: the caller reads the
// database, which holds everything that matters, to catch up.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace helpline::server {

class PgListener {
  public:
    using OnMessage = std::function<void(const std::string& payload)>;
    /// Listening took effect: `again` is false the first time, true after a lost connection.
    using OnListening = std::function<void(bool again)>;

    PgListener(std::string url, std::string channel, OnMessage on_message, OnListening on_listening);
    ~PgListener();  ///< stop()
    PgListener(const PgListener&) = delete;
    PgListener& operator=(const PgListener&) = delete;

    void start();
    void stop();
    /// Whether the connection is up and listening now.
    bool listening() const { return listening_; }

  private:
    void run();
    /// Waits up to `pause` unless stopped; false when stopped.
    bool pause(std::chrono::milliseconds pause);

    std::string url_;
    std::string channel_;
    OnMessage on_message_;
    OnListening on_listening_;
    std::atomic<bool> listening_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace helpline::server
