// bench/relay_haproxy: the session relay of the real helpline-server against HAProxy doing
// the same job (issue 16): a TLS-in, TLS-out TCP proxy (`mode tcp`, `ssl` on the bind and
// on the server line) carrying the same --megabytes (256) one way, in the same run. The
// relay: customer's tunnel (TLS) -> helpline-server -> operator's WebSocket viewer (TLS).
// HAProxy: a TLS client -> HAProxy -> a TLS sink, both ends in this process like the
// relay's, with the server's own certificate everywhere. A direct loopback TLS stream
// between two threads (relay_bench's baseline) runs too, as the floor of both.
//
// Throughput (MiB/s, medians of --runs, the three alternating) and CPU per GiB moved: the
// server's process CPU while relaying against HAProxy's process CPU while proxying (from
// /proc). Targets: relay throughput >= 1.0x HAProxy's; relay CPU/GiB <= 1.1x HAProxy's.
//
// Placement as in relay_bench: "shared" (nothing pinned) and "split" (the server and
// HAProxy on CPU 0, this process — every end — on CPU 1), the second asking what the
// proxy itself can carry when the ends do not take its core.
//
// --perf DIR: afterwards, one more relayed and one more proxied transfer in the split
// placement, each under `perf record -e cpu-clock -g` of the proxy's process (the data in
// DIR), and where their cycles went by library and by function (`perf report`). Not
// counted in the figures above.
//
// usage: relay_haproxy_bench HELPLINE_SERVER [--megabytes 256] [--runs 3]
//                            [--placement shared|split|both] [--perf DIR]

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include "bench/bench_server.h"
#include "bench/bench_util.h"
#include "bench/haproxy_process.h"
#include "bench/relay_ends.h"

namespace {

using namespace helpline::bench;
using Clock = std::chrono::steady_clock;
namespace net = boost::asio;

struct Options {
    std::string server;
    std::size_t megabytes = 256;
    int runs = 3;
    std::string placement = "both";
    std::string perf_dir;  ///< empty: no profile
};

constexpr const char* kUsage =
    "usage: relay_haproxy_bench HELPLINE_SERVER [--megabytes 256] [--runs 3] "
    "[--placement shared|split|both] [--perf DIR]\n";

Options parse(int argc, char** argv) {
    if (argc < 2) throw std::invalid_argument("the path of helpline-server is required");
    Options o;
    o.server = argv[1];
    parse_flags(argc, argv, 2,
                {
                    {"--megabytes", [&](const std::string& v) { o.megabytes = std::stoul(v); }},
                    {"--runs", [&](const std::string& v) { o.runs = std::stoi(v); }},
                    {"--placement", [&](const std::string& v) { o.placement = v; }},
                    {"--perf", [&](const std::string& v) { o.perf_dir = v; }},
                });
    if (o.placement != "shared" && o.placement != "split" && o.placement != "both")
        throw std::invalid_argument("--placement must be shared, split or both");
    if (o.megabytes == 0 || o.runs <= 0)
        throw std::invalid_argument("--megabytes and --runs must be positive");
    return o;
}

/// HAProxy as an operator would put it in the relay's place: TLS in, TLS out, nothing else.
std::string tls_proxy_config(std::uint16_t listen, const std::string& pem, std::uint16_t sink) {
    return "global\n"
           "    maxconn 100\n"
           "    ssl-default-bind-options ssl-min-ver TLSv1.2\n"
           "defaults\n"
           "    mode tcp\n"
           "    timeout connect 5s\n"
           "    timeout client 60s\n"
           "    timeout server 60s\n"
           "frontend tls_in\n"
           "    bind 127.0.0.1:" +
           std::to_string(listen) + " ssl crt " + pem +
           "\n"
           "    default_backend tls_out\n"
           "backend tls_out\n"
           // The sink is this process, with a self-signed certificate: verification would only
           // cost the handshake, which is outside the timed transfer.
           "    server sink 127.0.0.1:" +
           std::to_string(sink) + " ssl verify none\n";
}

/// The next connection on `listener`, within 10 s. Throws.
int accept_within(int listener) {
    pollfd p{listener, POLLIN, 0};
    if (::poll(&p, 1, 10'000) != 1)
        throw std::runtime_error("HAProxy did not connect to the sink within 10 s");
    const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) throw std::runtime_error("accept failed on the sink");
    return fd;
}

/// Throughput through HAProxy: client -> HAProxy -> sink. Seconds; `ciphers` says what
/// each side negotiated.
double haproxy_run(TlsContexts& tls, std::uint16_t proxy_port, int sink_listener, std::size_t total,
                   std::string& ciphers) {
    // HAProxy finishes the client's handshake itself, then connects to the sink.
    auto client = std::make_unique<Tls>(tls.client, tcp_connect(proxy_port), false);
    Tls sink(tls.server, accept_within(sink_listener), true);
    ciphers = client->cipher() + " in, " + sink.cipher() + " out";
    const std::string chunk(kTlsChunk, 'x');
    const auto start = Clock::now();
    Worker writer([&] {
        for (std::size_t sent = 0; sent < total; sent += kTlsChunk) client->write_all(chunk);
    });
    double seconds = 0;
    try {
        seconds = receive_all(total, start,
                              [&](char* out, std::size_t n) { return sink.read_some(out, n); });
    } catch (...) {
        client->abort();  // the writer may be blocked on a proxy that no longer reads
        throw;
    }
    writer.join();
    return seconds;
}

/// What one kind of run gathered over the runs.
struct Series {
    std::vector<double> mib_s;
    double proxy_cpu = 0;  ///< the server's or HAProxy's process
    double ends_cpu = 0;   ///< this process: both ends
    double wall = 0;
};

void print_series(const char* label, const Series& s, double gib, bool proxy) {
    std::printf("      %-40s %5.0f MiB/s", label, median(s.mib_s));
    if (proxy)
        std::printf("   proxy CPU %.2f s/GiB (%3.0f %% of a core)", s.proxy_cpu / gib,
                    100 * s.proxy_cpu / s.wall);
    std::printf("   ends CPU %.2f s/GiB\n", s.ends_cpu / gib);
}

/// `perf record -e cpu-clock -g -p PID -o DATA` while it lives (SIGINT ends it). It starts
/// with its events disabled and is enabled through its control FIFO, which answers once
/// they are on: so sampling covers exactly what runs in between.
class PerfRecord {
  public:
    PerfRecord(pid_t pid, const std::filesystem::path& data) {
        if (::access("/usr/bin/perf", X_OK) != 0)
            throw std::runtime_error("/usr/bin/perf is missing: apt-get install linux-perf");
        std::filesystem::remove(data);
        const std::string control = data.string() + ".ctl", ack = data.string() + ".ack";
        std::filesystem::remove(control);
        std::filesystem::remove(ack);
        if (::mkfifo(control.c_str(), 0600) != 0 || ::mkfifo(ack.c_str(), 0600) != 0)
            throw std::runtime_error("cannot make perf's control FIFOs next to " + data.string());
        const std::string target = std::to_string(pid);
        const std::string out = data.string();
        const std::string fifos = "fifo:" + control + "," + ack;
        const char* argv[] = {"/usr/bin/perf",
                              "record",
                              "-q",
                              "-e",
                              "cpu-clock",
                              "-F",
                              "4000",
                              "-g",
                              "-D",
                              "-1",
                              "--control",
                              fifos.c_str(),
                              "-p",
                              target.c_str(),
                              "-o",
                              out.c_str(),
                              nullptr};
        if (::posix_spawn(&pid_, argv[0], nullptr, nullptr, const_cast<char**>(argv), environ) != 0)
            throw std::runtime_error("cannot start perf");
        // Opening a FIFO blocks until perf opens the other end: perf is up then.
        const int control_fd = ::open(control.c_str(), O_WRONLY | O_CLOEXEC);
        const int ack_fd = ::open(ack.c_str(), O_RDONLY | O_CLOEXEC);
        const bool sent = control_fd >= 0 && ::write(control_fd, "enable\n", 7) == 7;
        char answer[16] = {};
        pollfd p{ack_fd, POLLIN, 0};
        const bool acked =
            sent && ::poll(&p, 1, 10'000) == 1 && ::read(ack_fd, answer, sizeof answer) > 0;
        if (control_fd >= 0) ::close(control_fd);
        if (ack_fd >= 0) ::close(ack_fd);
        std::filesystem::remove(control);
        std::filesystem::remove(ack);
        if (!acked) {
            stop();
            throw std::runtime_error("perf did not enable its events within 10 s");
        }
    }
    ~PerfRecord() { stop(); }
    PerfRecord(const PerfRecord&) = delete;
    PerfRecord& operator=(const PerfRecord&) = delete;

  private:
    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGINT);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }
    pid_t pid_ = -1;
};

/// The first `lines` sample lines of `perf report --sort KEY` for `data` (each cut to 120
/// characters: C++ symbols run long), with `per_gib` (CPU s per GiB of the profiled run)
/// shared out by the percentages.
std::string perf_report(const std::filesystem::path& data, const std::string& key, int lines,
                        double per_gib) {
    const std::string command = "/usr/bin/perf report -i '" + data.string() +
                                "' --stdio --no-children --sort " + key +
                                " -g none --percent-limit 0.7 2>/dev/null";
    std::FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return "        (perf report failed)\n";
    std::string out;
    std::string text;
    int taken = 0;
    char chunk[4096];
    while (std::fgets(chunk, sizeof chunk, pipe) != nullptr) {
        text += chunk;
        if (text.back() != '\n') continue;  // the rest of a long line follows
        const auto percent = text.find('%');
        if (taken < lines && !text.empty() && text[0] != '#' && percent != std::string::npos) {
            while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
            char figure[48];
            std::snprintf(figure, sizeof figure, "%5.2f s/GiB ", std::stod(text) / 100 * per_gib);
            out += "        " + std::string(figure) + text.substr(0, 120) + "\n";
            ++taken;
        }
        text.clear();
    }
    ::pclose(pipe);
    return out;
}

void print_profile(const char* what, const std::filesystem::path& data, double per_gib) {
    std::printf(
        "  profile of %s (split placement, %.2f CPU s/GiB in this run; %s):\n"
        "    by library:\n%s    by function:\n%s",
        what, per_gib, data.c_str(), perf_report(data, "dso", 8, per_gib).c_str(),
        perf_report(data, "dso,sym", 25, per_gib).c_str());
}

int run(const Options& o) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures appear as they are measured
    TlsRelayServer relay_server(o.server);
    BenchServer& server = relay_server.server;
    TlsContexts& tls = relay_server.tls;
    net::ssl::context& asio_tls = relay_server.asio_tls;
    net::io_context ioc;

    // HAProxy with the same certificate, in front of a sink in this process.
    const std::filesystem::path pem = server.dir() / "haproxy.pem";
    std::ofstream(pem) << relay_server.cert << relay_server.key;
    std::uint16_t sink_port = 0;
    const int sink_listener = listen_loopback(sink_port);
    const std::uint16_t proxy_port = free_loopback_port();
    HaproxyProcess proxy(tls_proxy_config(proxy_port, pem.string(), sink_port), proxy_port);

    std::printf(
        "relay against HAProxy: helpline-server pid %d on 127.0.0.1:%u (TLS, self-signed), "
        "HAProxy pid %d on 127.0.0.1:%u (%s)\n",
        server.pid(), server.port(), proxy.pid(), proxy.port(), HaproxyProcess::version().c_str());
    std::printf("  machine: %s\n", machine_load().c_str());

    std::vector<std::string> placements;
    if (o.placement != "split") placements.push_back("shared");
    if (o.placement != "shared") {
        if (std::thread::hardware_concurrency() >= 2)
            placements.push_back("split");
        else
            std::printf("  (one CPU: no run with the proxies on a core of their own)\n");
    }
    const auto made =
        make_sessions(tls.client, server, static_cast<std::size_t>(o.runs) * placements.size() + 1);
    std::size_t next_session = 0;
    const std::size_t total = o.megabytes * 1024 * 1024;
    const double gib = static_cast<double>(total) * o.runs / (1024.0 * 1024.0 * 1024.0);
    const pid_t self = ::getpid();
    {
        const Tls probe(tls.client, tcp_connect(server.port()), false);
        std::printf("  helpline-server negotiates %s with the tunnel and the viewer\n",
                    probe.cipher().c_str());
    }
    for (const auto& placement : placements) {
        const bool split = placement == "split";
        pin_threads(server.pid(), split ? std::vector<int>{0} : std::vector<int>{});
        pin_threads(proxy.pid(), split ? std::vector<int>{0} : std::vector<int>{});
        pin_threads(self, split ? std::vector<int>{1} : std::vector<int>{});
        std::printf("  placement: %s\n", split ? "server and HAProxy on CPU 0, every end on CPU 1"
                                               : "shared (nothing pinned)");
        Series direct, relay, haproxy;
        std::string proxy_ciphers;
        for (int r = 0; r < o.runs; ++r) {
            double ends = process_cpu_seconds(self);
            double seconds = direct_run(tls, total);
            direct.ends_cpu += process_cpu_seconds(self) - ends;
            direct.wall += seconds;
            direct.mib_s.push_back(mib_per_s(total, seconds));

            ends = process_cpu_seconds(self);
            double before = server.cpu_seconds();
            const auto& session = made.accepted[next_session++];
            seconds = relay_run(tls, ioc, asio_tls, server.port(), session, made.admin, total);
            relay.proxy_cpu += server.cpu_seconds() - before;
            relay.ends_cpu += process_cpu_seconds(self) - ends;
            relay.wall += seconds;
            relay.mib_s.push_back(mib_per_s(total, seconds));

            ends = process_cpu_seconds(self);
            before = proxy.cpu_seconds();
            seconds = haproxy_run(tls, proxy.port(), sink_listener, total, proxy_ciphers);
            haproxy.proxy_cpu += proxy.cpu_seconds() - before;
            haproxy.ends_cpu += process_cpu_seconds(self) - ends;
            haproxy.wall += seconds;
            haproxy.mib_s.push_back(mib_per_s(total, seconds));
            std::printf("    run %d: direct TLS %.0f MiB/s, relay %.0f MiB/s, HAProxy %.0f MiB/s\n",
                        r + 1, direct.mib_s.back(), relay.mib_s.back(), haproxy.mib_s.back());
        }
        std::printf("    HAProxy negotiated %s\n", proxy_ciphers.c_str());
        std::printf("    %zu MiB one way, median of %d runs; CPU seconds per GiB moved:\n",
                    o.megabytes, o.runs);
        print_series("direct loopback TLS stream (floor)", direct, gib, false);
        print_series("tunnel -> helpline-server -> WebSocket", relay, gib, true);
        print_series("TLS -> HAProxy -> TLS (baseline)", haproxy, gib, true);
        const double rate_ratio = median(relay.mib_s) / median(haproxy.mib_s);
        const double cpu_ratio = relay.proxy_cpu / haproxy.proxy_cpu;
        std::printf(
            "    ratio relay / HAProxy: throughput %.2f (target >= 1.00), CPU per GiB %.2f "
            "(target <= 1.10)\n",
            rate_ratio, cpu_ratio);
        std::printf("    ratio relay / direct stream: %.2f; HAProxy / direct stream: %.2f\n",
                    median(relay.mib_s) / median(direct.mib_s),
                    median(haproxy.mib_s) / median(direct.mib_s));
    }
    if (!o.perf_dir.empty()) {
        pin_threads(server.pid(), {0});
        pin_threads(proxy.pid(), {0});
        pin_threads(self, {1});
        std::filesystem::create_directories(o.perf_dir);
        const auto relay_data = std::filesystem::absolute(o.perf_dir) / "relay.perf.data";
        const auto proxy_data = std::filesystem::absolute(o.perf_dir) / "haproxy.perf.data";
        const double one_run = static_cast<double>(total) / (1024.0 * 1024.0 * 1024.0);
        double relay_cpu = 0, proxy_cpu = 0;
        {
            PerfRecord perf(server.pid(), relay_data);
            const double before = server.cpu_seconds();
            relay_run(tls, ioc, asio_tls, server.port(), made.accepted[next_session++], made.admin,
                      total);
            relay_cpu = server.cpu_seconds() - before;
        }
        {
            PerfRecord perf(proxy.pid(), proxy_data);
            std::string ciphers;
            const double before = proxy.cpu_seconds();
            haproxy_run(tls, proxy.port(), sink_listener, total, ciphers);
            proxy_cpu = proxy.cpu_seconds() - before;
        }
        print_profile("helpline-server relaying", relay_data, relay_cpu / one_run);
        print_profile("HAProxy proxying", proxy_data, proxy_cpu / one_run);
    }
    pin_threads(server.pid(), {});
    pin_threads(proxy.pid(), {});
    pin_threads(self, {});
    ::close(sink_listener);
    std::printf("  machine at the end: %s\n", machine_load().c_str());
    std::printf("  server: %s\n", server.stop().c_str());
    return 0;  // figures to read, not a pass/fail gate: the machine is shared
}

}  // namespace

int main(int argc, char** argv) {
    return helpline::bench::bench_main("relay_haproxy_bench", kUsage,
                                       [&] { return run(parse(argc, argv)); });
}
