#include "server/app/server_app.h"

#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "server/api/attachment_file.h"
#include "server/api/client_address.h"
#include "server/api/handlers.h"
#include "server/api/routes.h"
#include "server/api/services.h"
#include "server/store/pg_db.h"

namespace helpline::server {

std::filesystem::path database_path(const std::filesystem::path& data_dir) { return data_dir / "helpline.db"; }

std::string TeamData::store_location() const {
    return on_postgres() ? database : database_path(folder).string();
}

bool TeamData::on_postgres() const { return is_postgres_url(database); }

std::string TeamData::shown() const {
    return on_postgres() ? PgDb::without_password(database) : folder.string();
}

std::string TeamData::as_options() const {
    std::string options;
    if (!folder.empty()) options = "--data " + folder.string();
    if (on_postgres()) options += (options.empty() ? "" : " ") + std::string("--database '") + shown() + "'";
    return options;
}

bool TeamData::may_exist() const {
    if (!on_postgres()) return std::filesystem::exists(database_path(folder));
    // A database `init` has not been run on has no schema yet; one that cannot be reached
    // may hold a team (opening it says why it cannot be reached).
    try {
        return PgDb::open(database)->schema_version() > 0;
    } catch (const DbException&) {
        return true;
    }
}

namespace {

/// The folder uploads are written to as they arrive (docs/protocol.md "Conversations"):
/// the data folder's uploads/, private, emptied of what a stopped server left.
Result<std::filesystem::path> prepare_spool(const std::filesystem::path& data_dir) {
    namespace fs = std::filesystem;
    const fs::path dir = data_dir.empty() ? fs::temp_directory_path() / ("helpline-uploads-" + std::to_string(::getpid()))
                                          : data_dir / "uploads";
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (!ec) fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec)
        return make_error("server.spool", "Cannot make the upload folder '" + dir.string() + "': " + ec.message() +
                                              ". The server's user must be able to write in the data folder.",
                          dir.string());
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with("upload-") || name.starts_with("download-")) fs::remove(entry.path(), ec);
    }
    return dir;
}

}  // namespace

Result<std::unique_ptr<ServerApp>> ServerApp::open(RunOptions options, std::shared_ptr<Clock> clock) {
    const TeamData team{options.data_dir, options.database};
    if (!team.may_exist())
        return make_error("server.not_initialised",
                          "There is no Helpline data in '" + team.shown() +
                              "'. Create it first with: helpline-server init " + team.as_options() +
                              " --admin-email YOU@EXAMPLE");
    auto store = open_store(team.store_location());
    if (!store) return store.error();
    std::unique_ptr<ServerApp> app(new ServerApp());
    app->options_ = std::move(options);
    if (auto spool = prepare_spool(app->options_.data_dir); spool) {
        app->options_.config.spool_dir = *spool;
    } else {
        return spool.error();
    }
    app->clock_ = clock ? std::move(clock) : std::make_shared<SystemClock>();
    app->store_ = std::move(*store);
    app->hub_ = std::make_unique<EventHub>();
    app->limiter_ = std::make_unique<RateLimiter>(*app->clock_);
    app->metrics_ = std::make_unique<Metrics>();
    app->relay_ = std::make_unique<relay::Registry>(app->options_.relay);
    app->context_ = std::make_unique<Context>(
        Context{*app->store_, *app->clock_, *app->hub_, app->options_.config, *app->limiter_, *app->metrics_});
    app->context_->relay = app->relay_.get();
    if (team.on_postgres()) {
        // Other servers may share the database; the node URL is known once listening.
        app->cluster_ = std::make_unique<Cluster>(*app->context_, team.database, app->options_.node_url);
        app->context_->cluster = app->cluster_.get();
    }
    // With a relay, ticket changes queue their notifications (in their own transactions).
    app->store_->set_mail_notifications(app->options_.mail.has_value());
    return app;
}

ServerApp::~ServerApp() { stop(); }

Result<std::uint16_t> ServerApp::start() {
    http::ServerOptions o;
    o.address = options_.address;
    o.port = options_.port;
    o.tls = options_.tls;
    o.body_limit = [ctx = context_.get()](std::string_view method, std::string_view path) {
        return api::body_limit(method, path, ctx->config);
    };
    o.spools_body = api::is_upload;
    o.spool_dir = context_->config.spool_dir.string();
    o.sse_heartbeat = options_.sse_heartbeat;
    o.worker_threads = options_.worker_threads;
    // Devices' event-stream handshakes (a reconnect storm after a restart) on their own pool.
    o.background = api::is_device_stream;
    o.background_threads = 4;
    o.on_request = [ctx = context_.get()](const http::Request& r, int status, std::chrono::microseconds elapsed) {
        // Every answer written: the handlers' and those the HTTP layer gives by itself.
        ctx->metrics.count_request(status);
        const double ms = static_cast<double>(elapsed.count()) / 1000.0;
        // Behind a trusted proxy the client is not the peer; both are worth a look.
        const std::string client = api::client_address(r, ctx->config);
        if (client != r.remote_address)
            spdlog::info("request method={} path={} status={} ms={:.1f} remote={} client={}", r.method, r.path,
                         status, ms, r.remote_address, client);
        else
            spdlog::info("request method={} path={} status={} ms={:.1f} remote={}", r.method, r.path, status, ms,
                         r.remote_address);
    };
    relay_->set_hooks([ctx = context_.get()](const relay::Started& s) { api::relay_started(*ctx, s); },
                      [ctx = context_.get()](const relay::Ended& e) { api::relay_ended(*ctx, e); });
    relay_->start();
    api::load_file_types();  // once, now: not at the first customer's upload
    http_ = std::make_unique<http::HttpServer>(std::move(o), api::make_handler(*context_));
    auto port = http_->start();
    if (!port) return port;
    if (cluster_) {
        if (cluster_->node_url().empty()) {
            const bool v6 = options_.address.find(':') != std::string::npos;
            cluster_->set_node_url(fmt::format("{}://{}{}{}:{}", options_.tls ? "https" : "http", v6 ? "[" : "",
                                               options_.address, v6 ? "]" : "", *port));
        }
        if (options_.tls) {
            if (auto pin = http::public_key_pin(options_.tls->cert_pem)) cluster_->set_tls_pin(*pin);
        }
        cluster_->start();
    }
    sweeper_ = std::thread([this] { sweeper_loop(); });
    if (options_.mail) {
        mail_ = std::make_unique<mail::OutboxWorker>(*store_, *clock_, *metrics_, *options_.mail, nullptr,
                                                     options_.mail_worker);
        mail_->start();
        spdlog::info("email: sending through {} as {} (links under {})", options_.mail->smtp_url,
                     options_.mail->from, options_.mail->public_url);
    }
    return port;
}

Status ServerApp::reload_tls(const http::TlsMaterial& material) {
    if (!http_) return make_error("server.not_running", "The server is not serving yet.");
    if (auto s = http_->reload_tls(material); !s) return s;
    if (cluster_) {
        if (auto pin = http::public_key_pin(material.cert_pem)) cluster_->update_tls_pin(*pin);
    }
    return Ok{};
}

void ServerApp::sweeper_loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        try {
            api::sweep(*context_);
        } catch (const std::exception& e) {
            spdlog::error("sweep failed: {}", e.what());
        }
        lock.lock();
        wake_.wait_for(lock, options_.sweep_interval, [this] { return stopping_; });
    }
}

void ServerApp::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    wake_.notify_all();
    if (sweeper_.joinable()) sweeper_.join();
    if (mail_) mail_->stop();  // a message being sent stays queued for the next start
    // Streams end first: telling the others (a database write) may wait for another
    // server's write transaction, and no client should wait for that.
    if (hub_) hub_->close_all();
    if (cluster_) cluster_->stop();  // the others forget this server and its streams
    // Relayed sessions end as stopped by the server (not as closed by a side), and their
    // end is audited before the store closes.
    if (relay_) relay_->end_all(relay::EndReason::shutdown);
    if (http_) http_->stop();
    if (relay_) relay_->stop();
    if (context_) api::flush_seen_devices(*context_);  // the handshakes since the last sweep
}

}  // namespace helpline::server
