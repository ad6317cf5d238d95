#include "server/app/run_command.h"

#include <fmt/ostream.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <csignal>

#include "shared/atomic_file.h"

namespace helpline::server {
namespace {

namespace fs = std::filesystem;

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

}  // namespace

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
    } else if (o.self_signed) {
        auto tls = self_signed_for(o.data, run.address);
        if (!tls) {
            fmt::print(io.err, "error: {}\n", tls.error().message);
            return 1;
        }
        run.tls = std::move(*tls);
    }
    run.config.ticket_ttl = std::chrono::seconds(o.ticket_ttl_s);
    run.config.login_attempts_per_minute = o.login_limit;
    run.config.submissions_per_minute = o.submit_limit;
    run.config.registrations_per_minute = o.register_limit;
    run.config.default_request_timeout_s = o.request_timeout_s;
    run.sse_heartbeat = std::chrono::milliseconds(o.sse_heartbeat_ms);
    run.sweep_interval = std::chrono::milliseconds(o.sweep_interval_ms);

    // Block the stop signals before any thread starts, so only sigwait below sees them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

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
    sigwait(&signals, &received);
    spdlog::info("signal {} received: stopping gracefully", received);
    (*app)->stop();
    spdlog::info("stopped");
    return 0;
}

}  // namespace helpline::server
