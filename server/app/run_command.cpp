#include "server/app/run_command.h"

#include <fmt/ostream.h>
#include <spdlog/spdlog.h>

#include <arpa/inet.h>
#include <sys/resource.h>

#include <array>
#include <charconv>
#include <csignal>

#include "server/api/password_rules.h"
#include "server/app/data_lock.h"
#include "shared/atomic_file.h"

namespace helpline::server {
namespace {

namespace fs = std::filesystem;

/// Every connection takes a descriptor, and the usual soft limit (1,024; systemd's default
/// too) would stop the server far below its 20,000 connections: raise the soft limit to the
/// hard one, as nginx (worker_rlimit_nofile) and HAProxy do. Past the limit, connections
/// would wait in the kernel's backlog while the listener backs off (listener.cpp).
void raise_open_file_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
    const auto soft = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0)
        spdlog::warn("could not raise the open-file limit from {} to {}: at most about {} "
                     "connections at once",
                     soft, limit.rlim_max, soft);
    else
        spdlog::info("open-file limit raised from {} to {} (one per connection)", soft,
                     limit.rlim_max);
}

/// The self-signed certificate of a data folder, made once and kept, so the pin that
/// profiles carry stays valid across restarts.
Result<http::TlsMaterial> self_signed_for(const fs::path& data, const std::string& address) {
    const fs::path dir = data / "tls";
    const fs::path cert = dir / "self-signed-cert.pem";
    const fs::path key = dir / "self-signed-key.pem";
    if (fs::exists(cert) && fs::exists(key)) return http::load_tls(cert.string(), key.string());
    std::vector<std::string> names = {"localhost", "127.0.0.1", "::1"};
    if (address != "0.0.0.0" && address != "::" && address != "127.0.0.1" && address != "::1") names.push_back(address);
    auto made = http::make_self_signed(names);
    if (!made) return made;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (auto s = write_file_atomic(key, as_bytes(made->key_pem), 0600); !s) return s.error();
    if (auto s = write_file_atomic(cert, as_bytes(made->cert_pem), 0644); !s) return s.error();
    return made;
}

/// SIGHUP: the certificate and key are read again (renewed by certbot, say) and serve new
/// connections; established ones keep theirs. Files that cannot be used leave the server
/// with the certificate it has, and the log says why.
void reload_tls(const RunCommandOptions& o, ServerApp& app) {
    fs::path cert = o.tls_cert, key = o.tls_key;
    if (o.self_signed) {
        cert = o.data / "tls" / "self-signed-cert.pem";
        key = o.data / "tls" / "self-signed-key.pem";
    }
    if (cert.empty()) {
        spdlog::warn("SIGHUP: this server serves plain HTTP; there is no TLS certificate to reload");
        return;
    }
    auto material = http::load_tls(cert.string(), key.string());
    Status reloaded = material ? app.reload_tls(*material) : Status(material.error());
    if (!reloaded) {
        const Error& e = reloaded.error();
        spdlog::error("SIGHUP: the TLS certificate was not reloaded, the server keeps the one it has: {}{} "
                      "(certificate {}, key {})",
                      e.message, e.where.empty() ? "" : " (" + e.where + ")", cert.string(), key.string());
        return;
    }
    const auto pin = http::public_key_pin(material->cert_pem);
    spdlog::info("SIGHUP: TLS certificate reloaded from {} for new connections; public-key pin {}", cert.string(),
                 pin ? *pin : std::string("unknown"));
}

bool has_console(const fs::path& dir) {
    std::error_code ec;
    return !dir.empty() && fs::is_regular_file(dir / "index.html", ec);
}

/// Settles where the console and noVNC come from, and says in the log what is missing.
/// Only a --console-dir without the console in it is an error: without noVNC the console
/// still works, and its viewer says what is missing.
bool configure_console(const RunCommandOptions& o, Config& config, std::ostream& err) {
    if (!o.console_dir.empty()) {
        if (!has_console(o.console_dir)) {
            fmt::print(err,
                       "error: --console-dir '{}' does not hold the operator console (no "
                       "index.html); point it at the installed share/helpline/console folder.\n",
                       o.console_dir.string());
            return false;
        }
        config.console_dir = o.console_dir;
    } else {
        config.console_dir = default_console_dir();
        if (config.console_dir.empty())
            spdlog::warn("the operator console's files were not found (looked in "
                         "BIN/../share/helpline/console and {}): /console is not served; pass "
                         "--console-dir DIR",
                         HELPLINE_CONSOLE_SOURCE_DIR);
    }
    config.novnc_dir = o.novnc_dir;
    std::error_code ec;
    if (!fs::is_regular_file(o.novnc_dir / "core" / "rfb.js", ec))
        spdlog::warn("noVNC was not found in '{}' (no core/rfb.js): the console's viewer cannot "
                     "show screens; install Debian's novnc package or pass --novnc-dir DIR",
                     o.novnc_dir.string());
    config.chartjs_dir = o.chartjs_dir;
    if (!fs::is_regular_file(o.chartjs_dir / "chart.mjs", ec))
        spdlog::warn("Chart.js was not found in '{}' (no chart.mjs): the console's dashboard shows "
                     "its figures without charts; install Debian's libjs-chart.js package or pass "
                     "--chartjs-dir DIR",
                     o.chartjs_dir.string());
    config.qrcode_dir = o.qrcode_dir;
    if (!fs::is_regular_file(o.qrcode_dir / "qrcode.js", ec))
        spdlog::warn("qrcode-generator was not found in '{}' (no qrcode.js): the console's account "
                     "page cannot draw the two-factor QR code (users type the key instead); install "
                     "Debian's node-qrcode-generator package or pass --qrcode-dir DIR",
                     o.qrcode_dir.string());
    if (!config.console_dir.empty())
        spdlog::info("operator console served from {}", config.console_dir.string());
    return true;
}

}  // namespace

fs::path default_console_dir() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path installed =
            exe.parent_path().parent_path() / "share" / "helpline" / "console";
        if (has_console(installed)) return installed;
    }
    if (has_console(HELPLINE_CONSOLE_SOURCE_DIR)) return HELPLINE_CONSOLE_SOURCE_DIR;
    return {};
}

bool parse_listen(const std::string& text, std::string& address, std::uint16_t& port) {
    std::string host, port_text;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') return false;
        host = text.substr(1, close - 1);
        port_text = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string::npos || text.find(':') != colon) return false;
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
    }
    unsigned value = 0;
    if (host.empty() || port_text.empty() ||
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), value).ec != std::errc() ||
        value > 65535)
        return false;
    address = host == "localhost" ? "127.0.0.1" : host;
    port = static_cast<std::uint16_t>(value);
    return true;
}

int run_command(const RunCommandOptions& o, CliIo io) {
    RunOptions run;
    run.data_dir = o.data;
    run.database = o.database;
    run.node_url = o.node_url;
    if (!parse_listen(o.listen, run.address, run.port)) {
        fmt::print(io.err, "error: --listen takes ADDRESS:PORT, e.g. 127.0.0.1:8080 or [::1]:8443 (got '{}').\n",
                   o.listen);
        return 2;
    }
    if (o.self_signed && (!o.tls_cert.empty() || !o.tls_key.empty())) {
        fmt::print(io.err, "error: use either --self-signed or --tls-cert/--tls-key, not both.\n");
        return 2;
    }
    if (o.tls_cert.empty() != o.tls_key.empty()) {
        fmt::print(io.err, "error: --tls-cert and --tls-key go together.\n");
        return 2;
    }
    if (!o.tls_cert.empty()) {
        auto tls = http::load_tls(o.tls_cert, o.tls_key);
        if (!tls) {
            fmt::print(io.err, "error: {}\n", tls.error().message);
            return 1;
        }
        run.tls = std::move(*tls);
    } else if (o.self_signed && o.data.empty()) {
        fmt::print(io.err, "error: --self-signed keeps its certificate in the data folder: give --data DIR too.\n");
        return 2;
    } else if (o.self_signed) {
        auto tls = self_signed_for(o.data, run.address);
        if (!tls) {
            fmt::print(io.err, "error: {}\n", tls.error().message);
            return 1;
        }
        run.tls = std::move(*tls);
    }
    run.config.ticket_ttl = std::chrono::seconds(o.ticket_ttl_s);
    run.config.reopen_on_reply = o.reopen_on_reply;
    run.config.attachment_max_bytes = static_cast<std::int64_t>(o.attachment_max_mib) * 1024 * 1024;
    run.config.login_attempts_per_minute = o.login_limit;
    run.config.submissions_per_minute = o.submit_limit;
    run.config.registrations_per_minute = o.register_limit;
    run.config.default_request_timeout_s = o.request_timeout_s;
    run.config.trust_forwarded_for = o.trust_forwarded_for;
    for (const std::string& proxy : o.trusted_proxies) {
        std::array<unsigned char, 16> bytes{};
        if (inet_pton(AF_INET, proxy.c_str(), bytes.data()) != 1 && inet_pton(AF_INET6, proxy.c_str(), bytes.data()) != 1) {
            fmt::print(io.err, "error: --trusted-proxy takes the IP address of a proxy, e.g. 10.0.0.5 (got '{}').\n",
                       proxy);
            return 2;
        }
    }
    run.config.trusted_proxies = o.trusted_proxies;
    if (!configure_console(o, run.config, io.err)) return 2;
    if (common_password_count() == 0)
        spdlog::warn("the list of common passwords was not found (BIN/../share/helpline/common-passwords.txt): "
                     "new passwords are checked for their length only; reinstall the server package");
    auto mail = mail::load_mail_settings(o.mail);
    if (!mail) {
        fmt::print(io.err, "error: {}\n", mail.error().message);
        // A file to fix (credentials, CA), or options to fix.
        return mail.error().code == "mail.credentials" || mail.error().code == "mail.ca" ? 1 : 2;
    }
    if (*mail) {
        run.config.email = {(*mail)->smtp_url, (*mail)->from, (*mail)->public_url};
        run.mail = std::move(*mail);
    }
    run.sse_heartbeat = std::chrono::milliseconds(o.sse_heartbeat_ms);
    run.sweep_interval = std::chrono::milliseconds(o.sweep_interval_ms);
    run.relay.pair_timeout = std::chrono::seconds(o.relay_pair_timeout_s);
    run.relay.idle_timeout = std::chrono::seconds(o.relay_idle_timeout_s);

    // Block the stop signals and SIGHUP (reload the TLS certificate) before any thread
    // starts, so only sigwait below sees them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    // Held while serving: restore refuses to replace the data under a running server
    // (data_lock.h). A folder that is not there yet is ServerApp::open's to report.
    std::optional<DataLock> data_lock;
    if (std::error_code ec; !o.data.empty() && std::filesystem::is_directory(o.data, ec)) {
        auto lock = DataLock::acquire(o.data, DataLock::Kind::shared);
        if (!lock) {
            if (lock.error().code == data_lock_error::kInUse)
                fmt::print(io.err, "error: a restore is replacing the data in '{}'; start the server once it is done.\n",
                           o.data.string());
            else
                fmt::print(io.err, "error: {} The server's user must be able to write in the data folder.\n",
                           lock.error().message);
            return 1;
        }
        data_lock.emplace(std::move(*lock));
    }

    raise_open_file_limit();
    auto app = ServerApp::open(run);
    if (!app) {
        fmt::print(io.err, "error: {}\n", app.error().message);
        return 1;
    }
    auto port = (*app)->start();
    if (!port) {
        fmt::print(io.err, "error: {}\n", port.error().message);
        return 1;
    }
    const bool v6 = run.address.find(':') != std::string::npos;
    fmt::print(io.out, "Helpline team server listening on {}://{}{}{}:{}\n", run.tls ? "https" : "http", v6 ? "[" : "",
               run.address, v6 ? "]" : "", *port);
    if (run.tls) {
        if (auto pin = http::public_key_pin(run.tls->cert_pem))
            fmt::print(io.out, "TLS public-key pin (for a profile's server.pins): {}\n", *pin);
    }
    io.out.flush();
    if (!o.port_file.empty()) (void)write_file_atomic(o.port_file, as_bytes(std::to_string(*port)));

    int received = 0;
    while (sigwait(&signals, &received) == 0 && received == SIGHUP) reload_tls(o, **app);
    spdlog::info("signal {} received: stopping gracefully", received);
    (*app)->stop();
    spdlog::info("stopped");
    return 0;
}

}  // namespace helpline::server
