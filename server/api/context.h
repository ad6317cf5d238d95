#pragma once
// What every handler works with: the store, the clock, the event hub, settings.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "server/api/clock.h"
#include "server/api/event_hub.h"
#include "server/api/metrics.h"
#include "server/api/rate_limiter.h"
#include "server/api/seen_devices.h"
#include "server/store/store.h"

namespace helpline::server {

/// Email as the API sees it (server/mail/mail_settings.h has the rest). No relay: email
/// is off — no notifications, and new users get a generated password, not an invitation.
struct EmailConfig {
    std::string relay;       ///< the --smtp-url, without credentials; empty: email is off
    std::string from;        ///< the sender address
    std::string public_url;  ///< links in emails point under it (no trailing '/')
    bool configured() const { return !relay.empty(); }
};

struct Config {
    std::chrono::seconds ticket_ttl{24 * 3600};      ///< unclosed tickets expire into history
    int default_request_timeout_s = 60;              ///< when no published profile says otherwise
    std::chrono::seconds session_ttl{12 * 3600};     ///< operator sign-in
    int login_attempts_per_minute = 10;              ///< per client address and per email
    int submissions_per_minute = 30;                 ///< per device
    int registrations_per_minute = 30;               ///< per client address
    std::chrono::seconds event_retention{48 * 3600};  ///< stored device events kept for resume
    std::vector<std::string> allowed_origins;         ///< console origins (besides same-origin)
    /// Behind a local TLS proxy: key limits and audit on the last X-Forwarded-For entry of
    /// requests from a loopback peer (client_address.h).
    bool trust_forwarded_for = false;
    /// Proxies on other machines (HAProxy in front of servers on several machines) whose
    /// X-Forwarded-For is trusted as from loopback is with trust_forwarded_for (exact
    /// addresses, --trusted-proxy).
    std::vector<std::string> trusted_proxies;
    std::filesystem::path console_dir;  ///< the console's files (docs/console.md); empty: none
    std::filesystem::path novnc_dir;    ///< noVNC, served under /console/vendor/novnc/
    std::filesystem::path chartjs_dir;  ///< Chart.js, served under /console/vendor/chart.js/
    EmailConfig email;                  ///< the SMTP relay, when there is one
    std::filesystem::path qrcode_dir;   ///< qrcode-generator, under /console/vendor/qrcode-generator/
    /// A customer's reply to a closed or expired ticket reopens it (--reopen-on-reply);
    /// else it is refused, telling them to send a new request.
    bool reopen_on_reply = false;
    /// The largest attachment, in bytes (--attachment-max-mib): the upload's body limit.
    std::int64_t attachment_max_bytes = 20 * 1024 * 1024;
    /// Where uploads are written as they arrive and downloads are copied before they are
    /// sent (the data folder's uploads/); emptied at start.
    std::filesystem::path spool_dir;
};

namespace relay {
class Registry;  // server/relay/registry.h
}
class Cluster;  // server/api/cluster.h

struct Context {
    Store& store;
    const Clock& clock;
    EventHub& hub;
    const Config& config;
    RateLimiter& limiter;
    Metrics& metrics;
    relay::Registry* relay = nullptr;  ///< pairs sessions' tunnels and viewers; null: no relay
    Cluster* cluster = nullptr;        ///< the other servers on the same database; null: alone
    Timestamp attachments_swept_at = 0;  ///< the sweep's last removal of old attachments (hourly)
    /// Devices' last_seen_at, written by the sweep (flush_seen_devices), not by handshakes.
    std::unique_ptr<SeenDevices> seen_devices = std::make_unique<SeenDevices>();
};

}  // namespace helpline::server
