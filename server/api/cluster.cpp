#include "server/api/cluster.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <utility>

#include "server/api/context.h"
#include "server/api/services.h"
#include "server/relay/registry.h"
#include "server/store/pg_db.h"
#include "server/store/pg_listener.h"

namespace helpline::server {

namespace {

constexpr const char* kChannel = "helpline";

std::string random_node_id() {
    unsigned char bytes[8];
    randombytes_buf(bytes, sizeof bytes);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id;
    for (const unsigned char b : bytes) {
        id += kHex[b >> 4];
        id += kHex[b & 0x0f];
    }
    return id;
}

std::string sodium_hex(const unsigned char* bytes, std::size_t size) {
    std::string hex(size * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), bytes, size);
    hex.pop_back();
    return hex;
}

std::optional<std::string> optional_string(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

}  // namespace

Cluster::Cluster(Context& ctx, std::string database_url, std::string node_url)
    : ctx_(ctx), database_url_(std::move(database_url)) {
    self_.id = random_node_id();
    self_.url = std::move(node_url);
}

Cluster::~Cluster() { stop(); }

void Cluster::start() {
    if (!ctx_.store.setting("cluster_secret")) {
        // Two servers starting at once may both write one: the last stays, and every use
        // reads it from the database, so all agree.
        unsigned char bytes[32];
        randombytes_buf(bytes, sizeof bytes);
        (void)ctx_.store.set_setting("cluster_secret", sodium_hex(bytes, sizeof bytes));
    }
    self_.started_at = ctx_.clock.now();
    self_.heartbeat_at = self_.started_at;
    if (auto s = ctx_.store.node_alive(self_); !s)
        spdlog::error("this server could not register itself among the servers: {}", s.error().message);
    listener_ = std::make_unique<PgListener>(
        database_url_, kChannel, [this](const std::string& payload) { on_message(payload); },
        [this](bool again) { on_listening(again); });
    listener_->start();
    spdlog::info("one of several servers: node {} reachable at {}", self_.id, self_.url);
}

void Cluster::stop() {
    if (!listener_) return;
    listener_->stop();
    listener_.reset();
    // A clean stop: the others forget this node (and who streamed here) at once.
    (void)ctx_.store.remove_node(self_.id);
    send("gone", nlohmann::json{{"node", self_.id}}.dump());
}

bool Cluster::listening() const { return listener_ && listener_->listening(); }

void Cluster::send(const std::string& kind, std::string body_json) {
    // {"n": sender, "k": kind, ...body}: built as text so the body's fields come after.
    std::string payload = R"({"n":")" + self_.id + R"(","k":")" + kind + "\"";
    if (body_json.size() > 2) payload += "," + body_json.substr(1, body_json.size() - 2);
    payload += "}";
    if (auto s = ctx_.store.notify(payload); !s)
        spdlog::error("could not tell the other servers ({}): {}", kind, s.error().message);
}

void Cluster::device_event(const std::string& device_id, std::int64_t event_id) {
    send("event", nlohmann::json{{"d", device_id}, {"e", event_id}}.dump());
}

void Cluster::ticket_changed(const Ticket& after, const Ticket* before) {
    nlohmann::json body{{"t", after.number}};
    if (before != nullptr) {
        // What decided who could see it before: the others cannot read the old row.
        body["bs"] = to_string(before->status);
        body["bg"] = before->group_id ? nlohmann::json(*before->group_id) : nlohmann::json();
        body["bo"] = before->operator_id ? nlohmann::json(*before->operator_id) : nlohmann::json();
    }
    send("ticket", body.dump());
}

void Cluster::request_changed(const std::string& request_id) {
    send("request", nlohmann::json{{"r", request_id}}.dump());
}

void Cluster::presence(const std::string& device_id, bool online) {
    if (auto s = ctx_.store.set_device_stream(device_id, self_.id, online); !s)
        spdlog::error("could not record device {}'s stream: {}", device_id, s.error().message);
    send("presence", nlohmann::json{{"d", device_id}, {"o", online}}.dump());
}

void Cluster::end_relay(const std::string& session_id) {
    send("relay-end", nlohmann::json{{"s", session_id}}.dump());
}

std::string Cluster::relay_home(const std::string& session_id) {
    auto home = ctx_.store.claim_relay_home(session_id, self_.id, ctx_.clock.now());
    return home ? *home : self_.id;
}

std::string Cluster::secret() { return ctx_.store.setting("cluster_secret").value_or(""); }

std::string Cluster::relay_token(const std::string& session_id, const std::string& side) {
    const std::string key = secret();
    const std::string message = "relay:" + session_id + ":" + side;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
    crypto_auth_hmacsha256_final(&state, mac);
    return sodium_hex(mac, sizeof mac);
}

bool Cluster::valid_relay_token(const std::string& session_id, const std::string& side, const std::string& token) {
    if (secret().empty()) return false;
    const std::string expected = relay_token(session_id, side);
    return token.size() == expected.size() && sodium_memcmp(token.data(), expected.data(), expected.size()) == 0;
}

bool Cluster::online_elsewhere(const std::string& device_id) const {
    std::lock_guard lock(mutex_);
    const auto it = remote_.find(device_id);
    return it != remote_.end() && !it->second.empty();
}

std::optional<ClusterNode> Cluster::node(const std::string& node_id) {
    {
        std::lock_guard lock(mutex_);
        if (const auto it = nodes_.find(node_id); it != nodes_.end()) return it->second;
    }
    const Timestamp alive_since = ctx_.clock.now() - kNodeTimeout;
    for (ClusterNode& n : ctx_.store.cluster_nodes())
        if (n.id == node_id && n.heartbeat_at >= alive_since) return std::move(n);
    return std::nullopt;
}

void Cluster::on_message(const std::string& payload) {
    const auto j = nlohmann::json::parse(payload, nullptr, false);
    if (!j.is_object()) return;
    const auto sender = optional_string(j, "n");
    const auto kind = optional_string(j, "k");
    if (!sender || !kind || *sender == self_.id) return;  // its own news it has delivered
    if (*kind == "event") {
        const auto device = optional_string(j, "d");
        const std::int64_t id = j.value("e", std::int64_t{0});
        if (!device || id <= 0 || !ctx_.hub.device_online(*device)) return;
        for (const StoredEvent& e : ctx_.store.events_after(*device, id - 1, 1))
            if (e.id == id) ctx_.hub.publish_device(*device, e);
    } else if (*kind == "ticket") {
        if (ctx_.hub.console_streams() == 0) return;  // nobody here to tell: nothing to read
        const auto after = ctx_.store.ticket(j.value("t", TicketNumber{0}));
        if (!after) return;
        std::optional<Ticket> before;
        if (const auto status = optional_string(j, "bs")) {
            before = *after;
            if (const auto s = parse_ticket_status(*status)) before->status = *s;
            before->group_id = optional_string(j, "bg");
            const auto op = j.find("bo");
            before->operator_id =
                op != j.end() && op->is_number_integer() ? std::optional<UserId>(op->get<UserId>()) : std::nullopt;
        }
        api::deliver_ticket_change(ctx_, *after, before ? &*before : nullptr, nullptr);
    } else if (*kind == "request") {
        if (ctx_.hub.console_streams() == 0) return;
        if (const auto r = ctx_.store.connection_request(optional_string(j, "r").value_or("")))
            api::deliver_request_change(ctx_, *r);
    } else if (*kind == "presence") {
        const auto device = optional_string(j, "d");
        if (!device) return;
        {
            std::lock_guard lock(mutex_);
            if (j.value("o", false)) {
                remote_[*device].insert(*sender);
            } else if (auto it = remote_.find(*device); it != remote_.end()) {
                it->second.erase(*sender);
                if (it->second.empty()) remote_.erase(it);
            }
        }
        api::device_presence_changed(ctx_, *device);
    } else if (*kind == "gone") {
        node_gone(optional_string(j, "node").value_or(*sender));
    } else if (*kind == "relay-end") {
        const std::string session = optional_string(j, "s").value_or("");
        const auto counts = ctx_.relay ? ctx_.relay->end(session, relay::EndReason::session_ended) : std::nullopt;
        if (!counts) return;
        // The server that ended the session could not count its bytes: this one does.
        const auto r = ctx_.store.request_by_session(session);
        api::audit(ctx_, "system", "relay-ended", r ? std::optional(r->ticket_number) : std::nullopt,
                   r ? r->id : std::string(), session,
                   {{"bytes_to_operator", counts->to_viewer}, {"bytes_to_customer", counts->to_customer}});
    }
}

void Cluster::on_listening(bool again) {
    reload_presence();
    if (!again) return;
    // What was notified while this server was not listening is lost: its streams catch
    // up from the database. Device clients resume from their Last-Event-ID; consoles
    // reload their queue.
    ctx_.hub.close_device_streams();
    ctx_.hub.push_consoles("queue-changed", "{}");
}

void Cluster::reload_presence() {
    const Timestamp alive_since = ctx_.clock.now() - kNodeTimeout;
    std::map<std::string, ClusterNode> nodes;
    for (ClusterNode& n : ctx_.store.cluster_nodes())
        if (n.id != self_.id && n.heartbeat_at >= alive_since) nodes.emplace(n.id, std::move(n));
    std::map<std::string, std::set<std::string>> remote;
    for (auto& [device, node] : ctx_.store.device_streams())
        if (nodes.count(node) > 0) remote[device].insert(node);
    std::lock_guard lock(mutex_);
    nodes_ = std::move(nodes);
    remote_ = std::move(remote);
}

void Cluster::node_gone(const std::string& node) {
    std::vector<std::string> changed;
    {
        std::lock_guard lock(mutex_);
        nodes_.erase(node);
        for (auto it = remote_.begin(); it != remote_.end();) {
            if (it->second.erase(node) > 0 && it->second.empty()) {
                changed.push_back(it->first);
                it = remote_.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (const std::string& device : changed) api::device_presence_changed(ctx_, device);
}

void Cluster::update_tls_pin(std::string pin) {
    std::lock_guard lock(mutex_);
    new_tls_pin_ = std::move(pin);
}

void Cluster::tick(bool leading_jobs) {
    const Timestamp now = ctx_.clock.now();
    self_.heartbeat_at = now;
    {
        // self_ is the sweeper's (this thread's); a reload only leaves the pin here.
        std::lock_guard lock(mutex_);
        if (new_tls_pin_) self_.tls_pin = *std::exchange(new_tls_pin_, std::nullopt);
    }
    if (auto s = ctx_.store.node_alive(self_); !s) return;  // the database is away: nothing to learn
    std::vector<std::string> silent;
    std::map<std::string, ClusterNode> alive;
    for (ClusterNode& n : ctx_.store.cluster_nodes()) {
        if (n.id == self_.id) continue;
        if (n.heartbeat_at < now - kNodeTimeout) {
            silent.push_back(n.id);
        } else {
            alive.emplace(n.id, std::move(n));
        }
    }
    std::vector<std::string> gone;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, n] : nodes_)
            if (alive.count(id) == 0) gone.push_back(id);
        nodes_ = std::move(alive);
    }
    for (const std::string& id : gone) node_gone(id);
    if (!leading_jobs) return;
    for (const std::string& id : silent) {
        spdlog::warn("server {} has not been heard of for {} s: it is forgotten, and so are its device streams", id,
                     kNodeTimeout);
        (void)ctx_.store.remove_node(id);
        send("gone", nlohmann::json{{"node", id}}.dump());
    }
}

}  // namespace helpline::server
