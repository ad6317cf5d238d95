#include "server/store/pg_listener.h"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "server/store/pg_db.h"

namespace helpline::server {

namespace {
constexpr auto kFirstPause = std::chrono::milliseconds(200);
constexpr auto kLongestPause = std::chrono::milliseconds(5000);
/// How often the thread looks whether it should stop while nothing arrives.
constexpr int kPollMs = 200;
}  // namespace

PgListener::PgListener(std::string url, std::string channel, OnMessage on_message, OnListening on_listening)
    : url_(std::move(url)),
      channel_(std::move(channel)),
      on_message_(std::move(on_message)),
      on_listening_(std::move(on_listening)) {}

PgListener::~PgListener() { stop(); }

void PgListener::start() {
    thread_ = std::thread([this] { run(); });
}

void PgListener::stop() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

bool PgListener::pause(std::chrono::milliseconds pause) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, pause, [this] { return stop_; });
}

void PgListener::run() {
    bool again = false;
    auto backoff = kFirstPause;
    while (true) {
        {
            std::lock_guard lock(mutex_);
            if (stop_) return;
        }
        const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
        const char* values[] = {"5", "helpline-server events", url_.c_str(), nullptr};
        PGconn* conn = PQconnectdbParams(keywords, values, 1);
        PGresult* listen = nullptr;
        if (PQstatus(conn) == CONNECTION_OK) listen = PQexec(conn, ("LISTEN \"" + channel_ + "\"").c_str());
        if (listen == nullptr || PQresultStatus(listen) != PGRES_COMMAND_OK) {
            spdlog::warn("events between servers: cannot listen on {} ({}); trying again in {} ms",
                         PgDb::without_password(url_), PQerrorMessage(conn), backoff.count());
            PQclear(listen);
            PQfinish(conn);
            if (!pause(backoff)) return;
            backoff = std::min(backoff * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kLongestPause));
            continue;
        }
        PQclear(listen);
        backoff = kFirstPause;
        listening_ = true;
        if (again) spdlog::info("events between servers: listening again");
        on_listening_(again);
        again = true;
        // Notifications arrive on the socket; poll it, and look at the stop flag between.
        while (true) {
            {
                std::lock_guard lock(mutex_);
                if (stop_) break;
            }
            pollfd fd{PQsocket(conn), POLLIN, 0};
            const int ready = ::poll(&fd, 1, kPollMs);
            if (ready < 0 && errno != EINTR) break;
            if (ready <= 0) continue;
            if (PQconsumeInput(conn) == 0) break;  // the connection is gone
            while (PGnotify* n = PQnotifies(conn)) {
                const std::string payload = n->extra != nullptr ? n->extra : "";
                PQfreemem(n);
                try {
                    on_message_(payload);
                } catch (const std::exception& e) {
                    spdlog::error("events between servers: handling a message failed: {}", e.what());
                }
            }
            if (PQstatus(conn) != CONNECTION_OK) break;
        }
        listening_ = false;
        PQfinish(conn);
        {
            std::lock_guard lock(mutex_);
            if (stop_) return;
        }
        spdlog::warn("events between servers: the connection to the database was lost; connecting again");
    }
}

}  // namespace helpline::server
