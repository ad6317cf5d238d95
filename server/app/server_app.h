#pragma once
// The running team server: store + API + HTTP front + the background sweeper.

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "server/api/cluster.h"
#include "server/api/context.h"
#include "server/http/server.h"
#include "server/mail/outbox_worker.h"
#include "server/relay/registry.h"

namespace helpline::server {

struct RunOptions {
    std::filesystem::path data_dir;
    std::string database;  ///< a postgresql:// URL; empty: SQLite in data_dir
    /// Where the other servers on the same database reach this one (relay forwarding);
    /// empty: http://ADDRESS:PORT of the listening socket (TLS: https).
    std::string node_url;
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;
    std::optional<http::TlsMaterial> tls;
    Config config;
    std::chrono::milliseconds sse_heartbeat{25'000};
    std::chrono::milliseconds sweep_interval{1'000};
    std::size_t worker_threads = 16;
    relay::Options relay;  ///< timeouts and buffers of the session relay
    /// The SMTP relay (config.email says the same to the API); nullopt: no email.
    std::optional<mail::MailSettings> mail;
    mail::WorkerOptions mail_worker;  ///< how the outbox is sent
};

class ServerApp {
public:
    /// Opens the store; `clock` may be injected (tests), else the system clock.
    static Result<std::unique_ptr<ServerApp>> open(RunOptions options, std::shared_ptr<Clock> clock = nullptr);
    ~ServerApp();

    /// Starts serving; returns the bound port.
    Result<std::uint16_t> start();
    /// Graceful stop: event streams end, in-flight requests finish, the store closes.
    void stop();
    /// New TLS connections get `material` (SIGHUP after a certificate's renewal); open ones
    /// keep theirs. On an error the server keeps its certificate.
    Status reload_tls(const http::TlsMaterial& material);

    Context& context() { return *context_; }

private:
    ServerApp() = default;
    void sweeper_loop();

    RunOptions options_;
    std::shared_ptr<Clock> clock_;
    std::unique_ptr<Store> store_;
    std::unique_ptr<EventHub> hub_;
    std::unique_ptr<RateLimiter> limiter_;
    std::unique_ptr<Metrics> metrics_;
    std::unique_ptr<relay::Registry> relay_;
    std::unique_ptr<Context> context_;
    std::unique_ptr<Cluster> cluster_;  ///< on PostgreSQL: the other servers
    std::unique_ptr<http::HttpServer> http_;
    std::unique_ptr<mail::OutboxWorker> mail_;  ///< sends the outbox; none without email
    std::thread sweeper_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
};

/// The database file inside a data folder.
std::filesystem::path database_path(const std::filesystem::path& data_dir);

/// Where a team's data is: its data folder (TLS material; SQLite's database file) and,
/// for a team on PostgreSQL, the database's URL (--database).
struct TeamData {
    std::filesystem::path folder;
    std::string database;  ///< a postgresql:// URL, or empty: helpline.db in the folder

    /// What open_store() takes: the URL, or the folder's database file.
    std::string store_location() const;
    bool on_postgres() const;
    /// For messages: the URL without its password, or the folder.
    std::string shown() const;
    /// The options that name it again on a command line (--data DIR and/or --database URL).
    std::string as_options() const;
    /// Whether a team may be there: SQLite's file exists (PostgreSQL: opening tells).
    bool may_exist() const;
};

}  // namespace helpline::server
