#pragma once
// The team server's records, as the store keeps them. Times are Unix seconds (UTC).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shared/profile.h"  // Priority

namespace helpline::server {

using UserId = std::int64_t;
using TicketNumber = std::int64_t;
using Timestamp = std::int64_t;

enum class Role { admin, operator_ };
std::string_view to_string(Role r);
std::optional<Role> parse_role(std::string_view s);

struct User {
    UserId id = 0;
    std::string email;
    std::string name;
    Role role = Role::operator_;
    std::string password_hash;  ///< Argon2id (libsodium crypto_pwhash_str)
    bool disabled = false;
    bool notify_email = false;
    Timestamp created_at = 0;
    /// Set by the store whenever a session of the user starts (add_session); update_user
    /// leaves it alone. nullopt: never signed in.
    std::optional<Timestamp> last_sign_in_at;
    std::string language = "en";  ///< the console's language: en, pt, pt_BR or it (emails use it)
    /// Whether two-factor sign-in is on. Read only here: the store's two-factor methods
    /// change it (account_model.h); update_user leaves it alone.
    bool two_factor = false;
};

struct Group {
    std::string id;  ///< [a-z0-9-]{2,40}, chosen by the admin
    std::string name;
};

struct Organization {
    std::string domain;  ///< lower-case email domain, "acme.example"
    std::string name;
};

struct Device {
    std::string id;          ///< random, 128 bits, hex
    std::string token_hash;  ///< sha256 hex of the bearer token
    std::string profile_id;
    std::string hostname;
    std::string os;
    std::string client_version;
    Timestamp created_at = 0;
    Timestamp last_seen_at = 0;
};

enum class TicketStatus { open, closed, expired };
std::string_view to_string(TicketStatus s);
std::optional<TicketStatus> parse_ticket_status(std::string_view s);

struct Ticket {
    TicketNumber number = 0;
    std::string device_id;  ///< empty for tickets not made by a device
    std::string email;
    std::string subject;
    std::string description;
    Priority priority = Priority::medium;
    std::optional<std::string> group_id;
    std::optional<UserId> operator_id;
    TicketStatus status = TicketStatus::open;
    Timestamp created_at = 0;
    Timestamp updated_at = 0;
    std::optional<Timestamp> closed_at;  ///< closed or expired
    std::optional<UserId> closed_by;
    std::optional<Timestamp> assigned_at;  ///< when the current operator was assigned
    std::vector<UserId> handled_by;      ///< operators who were assigned, connected or closed it
    std::int64_t message_count = 0;             ///< messages after the description (notes too)
    std::int64_t last_customer_message_id = 0;  ///< the customer's newest message (0: none)
};

struct NewTicket {
    std::string device_id;
    std::string email;
    std::string subject;
    std::string description;
    Priority priority = Priority::medium;
    std::optional<std::string> group_id;
    Timestamp created_at = 0;
    /// When set, the "ticket-created" audit entry is written in the ticket's own
    /// transaction: one durable commit per submission instead of two.
    std::string audit_actor;
};

enum class RequestState { pending, accepted, declined, expired, cancelled, ended };
std::string_view to_string(RequestState s);
std::optional<RequestState> parse_request_state(std::string_view s);

/// Why a device declined a connection request: the customer said no in the client's own
/// question (`customer`, also what clients before these reasons mean), cancelled the
/// desktop's own sharing dialog (the Wayland portal's "Share screen"), or no screen-sharing
/// program could start on their computer. The operator is told which (docs/protocol.md).
enum class DeclineReason { customer, desktop_dialog, no_backend };
std::string_view to_string(DeclineReason r);
std::optional<DeclineReason> parse_decline_reason(std::string_view s);

struct ConnectionRequest {
    std::string id;  ///< random, 128 bits, hex
    TicketNumber ticket_number = 0;
    std::string device_id;
    UserId operator_id = 0;
    RequestState state = RequestState::pending;
    Timestamp created_at = 0;
    Timestamp expires_at = 0;
    std::optional<Timestamp> answered_at;
    std::optional<std::string> session_id;        ///< set on accept
    std::optional<std::string> relay_token_hash;  ///< sha256 hex; the relay token is single-use
    std::optional<std::string> vnc_password;      ///< only ever shown to the requesting operator
    std::optional<Timestamp> ended_at;
    /// Set when declined (the store keeps it only then; a request declined before reasons
    /// were stored reads as `customer`), nullopt in every other state.
    std::optional<DeclineReason> decline_reason;
};

/// A message for one device's event stream, kept so a reconnecting client can resume
/// with Last-Event-ID.
struct StoredEvent {
    std::int64_t id = 0;
    std::string device_id;
    std::string type;  ///< connection-request | connection-cancelled | ticket-updated
    std::string data;  ///< JSON text
    Timestamp created_at = 0;
};

struct OperatorSession {
    std::string token_hash;  ///< sha256 hex of the session token
    UserId user_id = 0;
    std::string csrf_token;
    Timestamp created_at = 0;
    Timestamp expires_at = 0;
    std::string user_agent{};  ///< as the browser sent it at sign-in (at most 512 bytes)
    std::string address{};     ///< the client's address at sign-in (client_address.h)
    Timestamp last_seen_at = 0;  ///< the last request, to the minute (touch_session)
};

struct PublishedProfile {
    std::string id;
    std::int64_t revision = 0;
    std::string envelope;    ///< the signed envelope, as published
    std::string public_key;  ///< base64, the key that signed it
    Timestamp published_at = 0;
};

struct AuditEntry {
    std::int64_t id = 0;
    Timestamp at = 0;
    std::string actor;   ///< "user:12", "device:ab12..", "system"
    std::string action;  ///< requested | accepted | declined | expired | cancelled | started | ended | ...
    std::optional<TicketNumber> ticket_number;
    std::string request_id;
    std::string session_id;
    std::string detail;  ///< JSON object text
};

/// One server of several sharing a database (store.h "Several servers").
struct ClusterNode {
    std::string id;   ///< random, new at every start
    std::string url;  ///< where the other servers reach this one directly (--node-url)
    std::string tls_pin;  ///< an https url: the pin of the node's certificate key ("" for http)
    Timestamp started_at = 0;
    Timestamp heartbeat_at = 0;
};

}  // namespace helpline::server
