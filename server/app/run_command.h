#pragma once
// `helpline-server run`: serves until SIGTERM/SIGINT, then stops gracefully.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "server/app/admin_commands.h"
#include "server/app/server_app.h"
#include "server/mail/mail_settings.h"

namespace helpline::server {

struct RunCommandOptions {
    std::filesystem::path data;
    std::string database;  ///< --database: a postgresql:// URL; empty: SQLite in `data`
    std::string node_url;  ///< --node-url: where the other servers reach this one
    std::string listen = "127.0.0.1:8080";
    std::string tls_cert;
    std::string tls_key;
    bool self_signed = false;
    bool trust_forwarded_for = false;  ///< behind a local TLS proxy (client_address.h)
    std::vector<std::string> trusted_proxies;  ///< --trusted-proxy: proxies on other machines
    std::filesystem::path port_file;  ///< written once listening (tests, supervisors)
    int ticket_ttl_s = 24 * 3600;
    bool reopen_on_reply = false;
    int attachment_max_mib = 20;
    int sse_heartbeat_ms = 25'000;
    int sweep_interval_ms = 1'000;
    int login_limit = 10;
    int submit_limit = 30;
    int register_limit = 30;
    int request_timeout_s = 60;
    int relay_pair_timeout_s = 60;     ///< a relayed session's side waits this long for the other
    int relay_idle_timeout_s = 1800;   ///< a relayed session with no byte either way ends; 0: never
    /// The operator console's files; empty: the installed copy next to the program
    /// (BIN/../share/helpline/console), else the source tree's server/console.
    std::filesystem::path console_dir;
    std::filesystem::path novnc_dir = "/usr/share/novnc";  ///< Debian's novnc package
    std::filesystem::path chartjs_dir = "/usr/share/javascript/chart.js";  ///< Debian's libjs-chart.js
    /// Debian's node-qrcode-generator: the account page draws the two-factor QR code with it.
    std::filesystem::path qrcode_dir = "/usr/share/javascript/qrcode-generator";
    /// Email (--smtp-url, --smtp-from, --smtp-credentials, --smtp-ca, --public-url); no --smtp-url: off.
    mail::MailOptions mail;
};

/// Where the console's files are when --console-dir is not given; empty if nowhere.
std::filesystem::path default_console_dir();

int run_command(const RunCommandOptions& options, CliIo io);

/// "127.0.0.1:8080" / "[::1]:8080" -> address and port; false when malformed.
bool parse_listen(const std::string& text, std::string& address, std::uint16_t& port);

}  // namespace helpline::server
