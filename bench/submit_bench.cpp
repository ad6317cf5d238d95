// bench/submit: durable ticket submissions against the real helpline-server, in one run
// with its baseline, GET /livez through the same client at the same concurrency.
// Targets (DESIGN.md §10): >= 2,000 submissions/s, p99 <= 20 ms (SQLite, 2 cores).
//
// Closed loop at each --connections level (capacity, and latency under that many
// concurrent clients), then open loop at each of --rates: that many requests/s offered
// on --pool connections for --rate-seconds, latency counted from when each was due.
//
// usage: submit_bench HELPLINE_SERVER [--connections 1,16,64] [--devices 64]
//                     [--requests 20000] [--max-seconds 15]
//                     [--rates 1000,2000] [--rate-seconds 10] [--pool 64]

#include <fcntl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "bench/bench_server.h"
#include "bench/bench_util.h"
#include "bench/load_driver.h"
#include "bench/submissions.h"

namespace {

using namespace helpline::bench;

struct Options {
    std::string server;
    std::vector<std::size_t> connections = {1, 16, 64};
    std::size_t devices = 64;
    std::size_t requests = 20'000;
    int max_seconds = 15;
    std::vector<std::size_t> rates = {1000, 2000};  ///< open-loop phases; empty: none
    int rate_seconds = 10;
    std::size_t pool = 64;
};

constexpr const char* kUsage =
    "usage: submit_bench HELPLINE_SERVER [--connections 1,16,64] [--devices 64]\n"
    "                    [--requests 20000] [--max-seconds 15]\n"
    "                    [--rates 1000,2000] [--rate-seconds 10] [--pool 64]\n";

Options parse(int argc, char** argv) {
    if (argc < 2) throw std::invalid_argument("the path of helpline-server is required");
    Options o;
    o.server = argv[1];
    parse_flags(
        argc, argv, 2,
        {
            {"--connections", [&](const std::string& v) { o.connections = parse_list(v); }},
            {"--devices", [&](const std::string& v) { o.devices = std::stoul(v); }},
            {"--requests", [&](const std::string& v) { o.requests = std::stoul(v); }},
            {"--max-seconds", [&](const std::string& v) { o.max_seconds = std::stoi(v); }},
            {"--rates",
             [&](const std::string& v) {
                 o.rates = v == "0" ? std::vector<std::size_t>{} : parse_list(v);
             }},
            {"--rate-seconds", [&](const std::string& v) { o.rate_seconds = std::stoi(v); }},
            {"--pool", [&](const std::string& v) { o.pool = std::stoul(v); }},
        });
    if (o.devices == 0 || o.requests == 0 || o.connections.empty() || o.pool == 0 ||
        o.rate_seconds <= 0)
        throw std::invalid_argument("counts must be > 0");
    return o;
}

struct Phase {
    LoadResult load;
    double server_cpu_s = 0;
};

Phase measure(const BenchServer& server, LoadOptions o) {
    const double cpu_before = server.cpu_seconds();
    Phase p;
    p.load = run_load(o);
    p.server_cpu_s = server.cpu_seconds() - cpu_before;
    return p;
}

void print_phase(const std::string& label, const char* what, const Phase& p) {
    const auto& l = p.load;
    std::printf(
        "  %-9s %-22s %7.0f /s  p50 %7.2f ms  p99 %7.2f ms  "
        "client CPU %5.1f %%  server CPU %4.2f cores\n",
        label.c_str(), what, l.per_second(), percentile(l.latencies_ms, 0.5),
        percentile(l.latencies_ms, 0.99), l.wall_s > 0 ? 100.0 * l.client_cpu_s / l.wall_s : 0.0,
        l.wall_s > 0 ? p.server_cpu_s / l.wall_s : 0.0);
}

/// Counts answers that are not 2xx and broken connections; prints them.
int check(const Phase& p) {
    const std::size_t ok = p.load.count(200) + p.load.count(201);
    if (ok == p.load.completed && p.load.broken_connections == 0) return 0;
    std::printf("  !! %zu answers were not 2xx, %zu connections broke:", p.load.completed - ok,
                p.load.broken_connections);
    for (const auto& [status, n] : p.load.statuses) std::printf(" %d x%zu", status, n);
    std::printf("\n");
    return 1;
}

/// The durable-write floor where the database lives: 4 KiB appended and fdatasync'ed,
/// as a WAL commit does; `count` times, milliseconds each. It is the disk's flush plus
/// the time the scheduler takes to wake the waiting thread, which on a machine whose
/// cores are busy with other work can be the larger part (whole 4 ms ticks).
std::vector<double> fdatasync_probe(const std::filesystem::path& dir, int count) {
    const std::string path = (dir / "fsync-probe").string();
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create " + path);
    std::vector<double> ms;
    const std::string block(4096, 'x');
    for (int i = 0; i < count; ++i) {
        if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) break;
        const auto start = std::chrono::steady_clock::now();
        ::fdatasync(fd);
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count());
    }
    ::close(fd);
    ::unlink(path.c_str());
    return ms;
}

void print_probe(const char* when, const std::vector<double>& ms) {
    const double p50 = percentile(ms, 0.5);
    std::printf(
        "  %s: write + fdatasync of 4 KiB p50 %.3f ms, p99 %.3f ms "
        "-> at most %.0f commits/s in a row\n",
        when, p50, percentile(ms, 0.99), p50 > 0 ? 1000 / p50 : 0.0);
}

std::string filesystem_of(const std::filesystem::path& p) {
    struct statfs fs {};
    if (::statfs(p.c_str(), &fs) != 0) return "?";
    switch (static_cast<unsigned long>(fs.f_type)) {
        case 0xEF53:
            return "ext2/3/4";
        case 0x01021994:
            return "tmpfs (NOT durable: set HELPLINE_BENCH_DIR to a disk folder)";
        case 0x58465342:
            return "xfs";
        case 0x9123683E:
            return "btrfs";
        case 0x794c7630:
            return "overlayfs";
        default:
            return "other";
    }
}

int run(const Options& o) {
    BenchServer server(o.server, {"--submit-limit", "1000000", "--register-limit", "1000000"});
    std::printf("submit benchmark: helpline-server pid %d on 127.0.0.1:%u, database on %s\n",
                server.pid(), server.port(), filesystem_of(server.dir()).c_str());
    const auto tokens = register_devices(server.port(), o.devices);
    std::printf("  %zu devices registered; closed-loop phases: %zu requests (at most %d s) each\n",
                tokens.size(), o.requests, o.max_seconds);
    std::printf("  machine: %s\n", machine_load().c_str());
    print_probe("durable write before", fdatasync_probe(server.dir(), 200));
    std::printf("\n");

    UuidMaker uuids;
    std::size_t created = 0;
    const auto submit_options = [&](std::size_t connections, std::size_t requests) {
        LoadOptions s;
        s.port = server.port();
        s.connections = connections;
        s.requests = requests;
        s.max_time = std::chrono::seconds(o.max_seconds);
        s.make_request = [&](std::size_t connection, std::size_t seq) {
            return submission_request(tokens[connection % tokens.size()], seq, uuids.next());
        };
        s.on_response = [&](std::size_t, const HttpResponse& r) {
            created += r.status == 201 ? 1 : 0;
        };
        return s;
    };
    const auto livez_options = [&](std::size_t connections, std::size_t requests) {
        LoadOptions l;
        l.port = server.port();
        l.connections = connections;
        l.requests = requests;
        l.max_time = std::chrono::seconds(o.max_seconds);
        const std::string request = http_request("GET", "/livez");
        l.make_request = [request](std::size_t, std::size_t) { return request; };
        return l;
    };

    // Warm-up (not reported): page cache, the statement cache, the first WAL growth.
    (void)run_load(livez_options(8, 500));
    (void)run_load(submit_options(8, 500));

    int failures = 0;
    std::printf("  closed loop (each connection sends its next request when answered):\n");
    for (const std::size_t connections : o.connections) {
        const Phase livez = measure(server, livez_options(connections, o.requests));
        const Phase submit = measure(server, submit_options(connections, o.requests));
        const std::string label = std::to_string(connections) + " conns";
        print_phase(label, "GET /livez (baseline)", livez);
        print_phase(label, "POST /api/v1/tickets", submit);
        std::printf(
            "  %-9s ratio submit/livez: rate %.3f, p99 %.1fx%s\n", label.c_str(),
            submit.load.per_second() / livez.load.per_second(),
            percentile(submit.load.latencies_ms, 0.99) / percentile(livez.load.latencies_ms, 0.99),
            submit.load.timed_out ? "  (time limit reached before the request count)" : "");
        failures += check(livez) + check(submit);
    }
    for (const std::size_t rate : o.rates) {
        const auto count = rate * static_cast<std::size_t>(o.rate_seconds);
        const auto open_loop = [&](LoadOptions l) {
            l.rate = static_cast<double>(rate);
            l.max_time = std::chrono::seconds(o.rate_seconds + 5);
            return l;
        };
        std::printf(
            "\n  open loop (%zu requests/s offered for %d s on %zu connections; "
            "latency from when due):\n",
            rate, o.rate_seconds, o.pool);
        const Phase livez = measure(server, open_loop(livez_options(o.pool, count)));
        const Phase submit = measure(server, open_loop(submit_options(o.pool, count)));
        const std::string label = std::to_string(rate) + "/s";
        print_phase(label, "GET /livez (baseline)", livez);
        print_phase(label, "POST /api/v1/tickets", submit);
        std::printf(
            "  %-9s ratio submit/livez: p99 %.1fx; "
            "most requests due but waiting for a connection: %.0f\n",
            label.c_str(),
            percentile(submit.load.latencies_ms, 0.99) / percentile(livez.load.latencies_ms, 0.99),
            submit.load.max_backlog);
        failures += check(livez) + check(submit);
    }

    // The server must have stored exactly the tickets it acknowledged.
    BlockingClient client(server.port());
    const auto metrics = client.send(http_request("GET", "/metrics")).body;
    const long long counted = metric_value(metrics, "helpline_tickets_submitted_total");
    std::printf(
        "\n  tickets acknowledged with 201: %zu; helpline_tickets_submitted_total: %lld%s\n",
        created, counted, counted == static_cast<long long>(created) ? "" : "  !! MISMATCH");
    std::printf("  targets: >= 2000 submissions/s, p99 <= 20 ms (DESIGN.md §10)\n");
    if (counted != static_cast<long long>(created)) ++failures;
    print_probe("durable write after", fdatasync_probe(server.dir(), 200));
    std::printf("  machine at the end: %s\n", machine_load().c_str());
    std::printf("  server: %s\n", server.stop().c_str());
    return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    return helpline::bench::bench_main("submit_bench", kUsage,
                                       [&] { return run(parse(argc, argv)); });
}
