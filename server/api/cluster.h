#pragma once
// This server as one of several sharing a PostgreSQL database (docs/operations.md "Several
// servers behind HAProxy"). Any server may take any request, so what one server does must
// reach the event streams another one holds:
//  - it tells the others through PostgreSQL NOTIFY on the channel "helpline", after the
//    change is committed, with a small JSON payload of ids (the rest is read from the
//    database): a stored device event, a ticket or connection request that changed, a
//    device stream that opened or closed here, a relay session to end;
//  - it listens (store/pg_listener.h) and delivers what concerns its own streams: device
//    events to the devices streaming here, ticket and request changes to its consoles;
//  - after a lost database connection it catches up from the database, the source of
//    truth: its device streams are closed so that their clients resume from their
//    Last-Event-ID, its consoles are told to reload their queue, and who is online where
//    is read again.
// It also says it is alive (a heartbeat each sweep) and where the others reach it (its
// node URL, for relay sessions whose two sides reached different servers), and the one
// server that leads the jobs forgets servers that stopped beating.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "server/store/model.h"

namespace helpline::server {

class PgListener;
struct Context;

class Cluster {
  public:
    /// Seconds without a heartbeat after which a server counts as gone.
    static constexpr Timestamp kNodeTimeout = 15;

    /// `database_url`: the PostgreSQL database all servers share; `node_url`: where the
    /// others reach this one directly (--node-url).
    Cluster(Context& ctx, std::string database_url, std::string node_url);
    ~Cluster();
    Cluster(const Cluster&) = delete;
    Cluster& operator=(const Cluster&) = delete;

    /// Registers this node and starts listening; stop() removes it (a clean stop).
    void start();
    void stop();

    const std::string& node_id() const { return self_.id; }
    const std::string& node_url() const { return self_.url; }
    /// Before start(): where the others reach this server, and for https the pin of its
    /// certificate's key, by which they trust it.
    void set_node_url(std::string url) { self_.url = std::move(url); }
    void set_tls_pin(std::string pin) { self_.tls_pin = std::move(pin); }
    /// After the certificate was reloaded (SIGHUP), any thread: the pin of its key, which
    /// the others learn from the next heartbeat, so that they go on trusting this server
    /// when they forward relayed sessions to it.
    void update_tls_pin(std::string pin);
    /// Whether the listener is connected (readiness: a server that cannot hear the others
    /// would miss events).
    bool listening() const;

    // What this server tells the others (after the change is committed).
    void device_event(const std::string& device_id, std::int64_t event_id);
    void ticket_changed(const Ticket& after, const Ticket* before);
    void request_changed(const std::string& request_id);
    void presence(const std::string& device_id, bool online);
    void end_relay(const std::string& session_id);

    /// The node a relayed session pairs on (the first of its sides to arrive anywhere
    /// chose it; this node when the database cannot say).
    std::string relay_home(const std::string& session_id);
    /// The token that lets this server forward a session's side to its home, and its check:
    /// an HMAC-SHA256 of the session and side under the team's cluster secret (kept in the
    /// database, made by the first server).
    std::string relay_token(const std::string& session_id, const std::string& side);
    bool valid_relay_token(const std::string& session_id, const std::string& side, const std::string& token);

    /// Whether a device holds an event stream on another server.
    bool online_elsewhere(const std::string& device_id) const;
    /// Another live server, by id (relay forwarding); nullopt if unknown or gone.
    std::optional<ClusterNode> node(const std::string& node_id);

    /// Each sweep: the heartbeat; when leading the jobs, servers gone silent are removed.
    void tick(bool leading_jobs);

  private:
    void send(const std::string& kind, std::string body_json);
    std::string secret();
    void on_message(const std::string& payload);
    void on_listening(bool again);
    /// Reads who streams where from the database (at start and after a lost connection).
    void reload_presence();
    /// Removes `node` from who is online; the devices it held changed presence.
    void node_gone(const std::string& node);

    Context& ctx_;
    std::string database_url_;
    ClusterNode self_;
    std::unique_ptr<PgListener> listener_;
    mutable std::mutex mutex_;
    std::optional<std::string> new_tls_pin_;  ///< under mutex_: for the next heartbeat
    std::map<std::string, std::set<std::string>> remote_;  ///< device -> other nodes it streams on
    std::map<std::string, ClusterNode> nodes_;             ///< the other live nodes, last read
};

}  // namespace helpline::server
