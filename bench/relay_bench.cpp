// bench/relay_bench: the session relay of the real helpline-server, over TLS (--self-signed).
//
// Throughput: --megabytes (256) from a customer's tunnel (`Upgrade: helpline-relay/1`)
// through the server to an operator's WebSocket viewer, against the baseline measured in
// the same run: a direct loopback TLS stream between two threads of this process, with the
// server's own certificate and key. Runs alternate; medians. Target (DESIGN.md §10): relay
// >= 80 % of the direct stream.
//
// Memory: the server's RSS with --sessions (100) paired sessions open, after --per-session-kib
// each way through every one, and with every viewer stalled while its tunnel pushes until
// the relay stops taking (its buffers full: the bound), against the idle server's RSS.
//
// Both ends of every relayed stream are in this process (OpenSSL for the tunnel, Boost.Beast
// for the viewer); the server does the relaying.
//
// Placement: with the ends and the server on the same cores, the relayed stream pays for
// the server's work out of the ends' CPU, which in production are other machines. So the
// throughput runs twice: "shared" (nothing pinned) and "server on a core of its own" (the
// server's threads on CPU 0, this process — both ends, direct and relayed — on CPU 1; needs
// 2 CPUs): the second asks what the design asks, whether putting the relay between two
// ends slows their stream.
//
// usage: relay_bench HELPLINE_SERVER [--megabytes 256] [--runs 3] [--sessions 100]
//                    [--per-session-kib 1024] [--placement shared|split|both]

#include <unistd.h>

#include <cstdio>
#include <thread>

#include "bench/bench_server.h"
#include "bench/bench_util.h"
#include "bench/relay_ends.h"

namespace {

using namespace helpline::bench;
using Clock = std::chrono::steady_clock;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

struct Options {
    std::string server;
    std::size_t megabytes = 256;
    int runs = 3;
    std::size_t sessions = 100;
    std::size_t per_session_kib = 1024;
    std::string placement = "both";
};

constexpr const char* kUsage =
    "usage: relay_bench HELPLINE_SERVER [--megabytes 256] [--runs 3] [--sessions 100] "
    "[--per-session-kib 1024] [--placement shared|split|both]\n";

Options parse(int argc, char** argv) {
    if (argc < 2) throw std::invalid_argument("the path of helpline-server is required");
    Options o;
    o.server = argv[1];
    parse_flags(
        argc, argv, 2,
        {
            {"--megabytes", [&](const std::string& v) { o.megabytes = std::stoul(v); }},
            {"--runs", [&](const std::string& v) { o.runs = std::stoi(v); }},
            {"--sessions", [&](const std::string& v) { o.sessions = std::stoul(v); }},
            {"--per-session-kib", [&](const std::string& v) { o.per_session_kib = std::stoul(v); }},
            {"--placement", [&](const std::string& v) { o.placement = v; }},
        });
    if (o.placement != "shared" && o.placement != "split" && o.placement != "both")
        throw std::invalid_argument("--placement must be shared, split or both");
    if (o.megabytes == 0 || o.runs <= 0 || o.sessions == 0)
        throw std::invalid_argument("--megabytes, --runs and --sessions must be positive");
    return o;
}

double mib(std::uint64_t kib) {
    return static_cast<double>(kib) / 1024.0;
}

int run(const Options& o) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures appear as they are measured
    TlsRelayServer relay_server(o.server);
    BenchServer& server = relay_server.server;
    TlsContexts& tls = relay_server.tls;
    net::ssl::context& asio_tls = relay_server.asio_tls;
    net::io_context ioc;

    std::printf("relay benchmark: helpline-server pid %d on 127.0.0.1:%u (TLS, self-signed)\n",
                server.pid(), server.port());
    std::printf("  machine: %s\n", machine_load().c_str());
    const auto made =
        make_sessions(tls.client, server, o.sessions + 2 * static_cast<std::size_t>(o.runs));
    const auto& sessions = made.accepted;

    // Throughput, alternating direct and relayed runs, for each placement.
    const std::size_t total = o.megabytes * 1024 * 1024;
    const pid_t self = ::getpid();
    std::vector<std::string> placements;
    if (o.placement != "split") placements.push_back("shared");
    if (o.placement != "shared") {
        if (std::thread::hardware_concurrency() >= 2)
            placements.push_back("split");
        else
            std::printf("  (one CPU: no run with the server on a core of its own)\n");
    }
    std::size_t next_session = o.sessions;
    for (const auto& placement : placements) {
        const bool split = placement == "split";
        pin_threads(server.pid(), split ? std::vector<int>{0} : std::vector<int>{});
        pin_threads(self, split ? std::vector<int>{1} : std::vector<int>{});
        std::printf("  placement: %s\n", split ? "server on CPU 0, both ends on CPU 1"
                                               : "shared (nothing pinned)");
        std::vector<double> direct, relayed;
        double direct_cpu = 0, relay_ends_cpu = 0, server_cpu = 0, relay_wall = 0;
        for (int r = 0; r < o.runs; ++r) {
            double cpu = process_cpu_seconds(self);
            direct.push_back(mib_per_s(total, direct_run(tls, total)));
            direct_cpu += process_cpu_seconds(self) - cpu;
            cpu = process_cpu_seconds(self);
            const double server_before = server.cpu_seconds();
            const double seconds = relay_run(tls, ioc, asio_tls, server.port(),
                                             sessions[next_session++], made.admin, total);
            server_cpu += server.cpu_seconds() - server_before;
            relay_ends_cpu += process_cpu_seconds(self) - cpu;
            relay_wall += seconds;
            relayed.push_back(mib_per_s(total, seconds));
            std::printf("    run %d: direct TLS %.0f MiB/s, relay %.0f MiB/s\n", r + 1,
                        direct.back(), relayed.back());
        }
        const double ratio = median(relayed) / median(direct);
        const double gib = static_cast<double>(total) * o.runs / (1024.0 * 1024.0 * 1024.0);
        std::printf("    %zu MiB one way, median of %d runs:\n", o.megabytes, o.runs);
        std::printf("      direct loopback TLS stream (baseline): %.0f MiB/s\n", median(direct));
        std::printf("      tunnel -> server -> WebSocket:         %.0f MiB/s\n", median(relayed));
        std::printf("      ratio relay / direct: %.2f (target >= 0.80)\n", ratio);
        std::printf("    CPU seconds per GiB moved (user + system):\n");
        std::printf("      direct stream, both ends:              %.2f\n", direct_cpu / gib);
        std::printf("      relay, both ends (tunnel + viewer):    %.2f\n", relay_ends_cpu / gib);
        std::printf(
            "      relay, helpline-server:                %.2f (%.0f%% of a core while relaying)\n",
            server_cpu / gib, 100.0 * server_cpu / relay_wall);
    }
    pin_threads(server.pid(), {});
    pin_threads(self, {});

    // Memory with paired sessions.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the ended runs settle
    const auto idle_kib = server.rss_kib();
    std::vector<std::unique_ptr<Tls>> tunnels;
    std::vector<std::unique_ptr<Viewer>> viewers;
    for (std::size_t i = 0; i < o.sessions; ++i) {
        viewers.push_back(open_viewer(ioc, asio_tls, server.port(), sessions[i], made.admin));
        tunnels.push_back(open_tunnel(tls.client, server.port(), sessions[i]));
    }
    const auto open_kib = server.rss_kib();
    const std::string down(o.per_session_kib * 1024, 'd');
    const std::string up(64 * 1024, 'u');
    std::vector<char> buffer(256 * 1024);
    for (std::size_t i = 0; i < o.sessions; ++i) {
        Worker writer([&] { tunnels[i]->write_all(down); });
        try {
            receive_all(down.size(), Clock::now(), [&](char* out, std::size_t n) {
                beast::error_code ec;
                const auto got = viewers[i]->read_some(net::buffer(out, n), ec);
                return ec ? 0 : got;
            });
        } catch (...) {
            tunnels[i]->abort();
            throw;
        }
        writer.join();
        viewers[i]->write(net::buffer(up));
        receive_all(up.size(), Clock::now(),
                    [&](char* out, std::size_t n) { return tunnels[i]->read_some(out, n); });
    }
    const auto traffic_kib = server.rss_kib();
    // Every viewer stalls; every tunnel pushes until the relay stops taking.
    std::size_t pushed = 0;
    const std::string chunk(kTlsChunk, 'p');
    for (auto& t : tunnels) pushed += t->push_until_blocked(chunk, std::chrono::milliseconds(300));
    const auto full_kib = server.rss_kib();

    const auto per = [&](std::uint64_t kib) {
        return kib > idle_kib ? mib(kib - idle_kib) * 1024.0 / static_cast<double>(o.sessions)
                              : 0.0;
    };
    std::printf("  server RSS, %zu paired sessions (tunnel + WebSocket each):\n", o.sessions);
    std::printf("    idle server (baseline):                    %.1f MiB\n", mib(idle_kib));
    std::printf("    all paired, before traffic:                %.1f MiB (+%.0f KiB per session)\n",
                mib(open_kib), per(open_kib));
    std::printf("    after %zu KiB down + 64 KiB up each:       %.1f MiB (+%.0f KiB per session)\n",
                o.per_session_kib, mib(traffic_kib), per(traffic_kib));
    std::printf("    viewers stalled, tunnels pushed %.0f MiB:  %.1f MiB (+%.0f KiB per session)\n",
                static_cast<double>(pushed) / (1024.0 * 1024.0), mib(full_kib), per(full_kib));
    std::printf("  machine at the end: %s\n", machine_load().c_str());
    tunnels.clear();
    viewers.clear();
    std::printf("  server: %s\n", server.stop().c_str());
    return 0;  // figures to read, not a pass/fail gate: the machine is shared
}

}  // namespace

int main(int argc, char** argv) {
    return helpline::bench::bench_main("relay_bench", kUsage,
                                       [&] { return run(parse(argc, argv)); });
}
