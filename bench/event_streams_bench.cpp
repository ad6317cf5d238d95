// bench/event_streams: 10,000 idle device event streams on the real helpline-server, and
// the push latency of connection requests through them. Baselines in the same run: the
// server's RSS with no stream open, and the push latency with only the measured streams
// open. Targets (DESIGN.md §10): 10,000 concurrent streams on 2 cores, RSS <= 512 MB,
// push p99 <= 50 ms.
//
// usage: event_streams_bench HELPLINE_SERVER [--streams 10000] [--devices 10000]
//                            [--measured 10] [--pushes 200] [--in-flight 256]
//                            [--max-seconds 300] [--idle-seconds 30]
//                            [--storms term,kill] [--storm-backoff none|client]
//                            [--storm-in-flight 10000] [--probe-seconds 10]
//
// --storms: after the figures above, the reconnect storm (issue 19) once per item: the server
// is restarted under the open streams (term: SIGTERM, a graceful stop; kill: SIGKILL) on the
// same data and port, and the fleet reopens every stream (--storm-backoff none: at once, and
// every second in step while refused; client: helpline's client backoff with full jitter).
// Targets: all back within 30 s, /readyz and the queue p99 <= 200 ms, RSS bounded. Baseline:
// the same probe with the streams open and no storm.

#include <sys/resource.h>

#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench/bench_server.h"
#include "bench/bench_util.h"
#include "bench/load_driver.h"
#include "bench/reconnect_storm.h"
#include "bench/submissions.h"
#include "bench/stream_fleet.h"

namespace {

using namespace helpline::bench;
using Clock = std::chrono::steady_clock;

constexpr auto kPushDeadline = std::chrono::seconds(5);

struct Options {
    std::string server;
    std::size_t streams = 10'000;
    std::size_t devices = 10'000;  ///< stream i belongs to device i % devices
    std::size_t measured = 10;     ///< devices that get tickets and connection requests
    std::size_t pushes = 200;
    std::size_t in_flight = 256;  ///< stream handshakes at a time
    int max_seconds = 300;        ///< for registering, and again for opening the streams
    int idle_seconds = 30;        ///< window for the idle CPU figure: past one heartbeat (25 s)
    std::vector<bool> storms;     ///< one reconnect storm each: true = SIGKILL, false = SIGTERM
    bool storm_client_backoff = false;
    std::size_t storm_in_flight = 10'000;
    int probe_seconds = 10;  ///< the probe's baseline window
};

constexpr const char* kUsage =
    "usage: event_streams_bench HELPLINE_SERVER [--streams 10000] [--devices 10000] [--measured "
    "10]\n"
    "                           [--pushes 200] [--in-flight 256] [--max-seconds 300] "
    "[--idle-seconds 30]\n"
    "                           [--storms term,kill] [--storm-backoff none|client] "
    "[--storm-in-flight 10000]\n"
    "                           [--probe-seconds 10]\n";

Options parse(int argc, char** argv) {
    if (argc < 2) throw std::invalid_argument("the path of helpline-server is required");
    Options o;
    o.server = argv[1];
    parse_flags(
        argc, argv, 2,
        {
            {"--streams", [&](const std::string& v) { o.streams = std::stoul(v); }},
            {"--devices", [&](const std::string& v) { o.devices = std::stoul(v); }},
            {"--measured", [&](const std::string& v) { o.measured = std::stoul(v); }},
            {"--pushes", [&](const std::string& v) { o.pushes = std::stoul(v); }},
            {"--in-flight", [&](const std::string& v) { o.in_flight = std::stoul(v); }},
            {"--max-seconds", [&](const std::string& v) { o.max_seconds = std::stoi(v); }},
            {"--idle-seconds", [&](const std::string& v) { o.idle_seconds = std::stoi(v); }},
            {"--storms",
             [&](const std::string& v) {
                 std::size_t at = 0;
                 while (at <= v.size()) {
                     const auto comma = std::min(v.find(',', at), v.size());
                     const std::string word = v.substr(at, comma - at);
                     if (word != "term" && word != "kill")
                         throw std::invalid_argument("--storms takes term and kill");
                     o.storms.push_back(word == "kill");
                     at = comma + 1;
                 }
             }},
            {"--storm-backoff",
             [&](const std::string& v) {
                 if (v != "none" && v != "client")
                     throw std::invalid_argument("--storm-backoff is none or client");
                 o.storm_client_backoff = v == "client";
             }},
            {"--storm-in-flight",
             [&](const std::string& v) { o.storm_in_flight = std::stoul(v); }},
            {"--probe-seconds", [&](const std::string& v) { o.probe_seconds = std::stoi(v); }},
        });
    if (o.devices == 0 || o.measured == 0 || o.pushes == 0 || o.in_flight == 0 ||
        o.devices > o.streams || o.measured > o.devices)
        throw std::invalid_argument(
            "need 0 < measured <= devices <= streams, and pushes, in-flight > 0");
    return o;
}


/// What the reading thread saw of each connection request, by request id.
class Arrivals {
  public:
    void on_event(std::size_t stream, std::size_t device, const SseEvent& e, Clock::time_point at) {
        if (e.type != "connection-request") return;
        const auto data = nlohmann::json::parse(e.data, nullptr, false);
        if (!data.is_object() || !data.contains("id")) return;
        std::lock_guard lock(mutex_);
        Seen& seen = seen_[data["id"].get<std::string>()];
        ++seen.streams;
        seen.device = device;
        // The measured stream of device d is stream d: opened first, before the others.
        if (stream == device && !seen.measured) seen.measured = at;
        cv_.notify_all();
    }
    /// Waits until request `id` reached `expected` streams of its device (deadline);
    /// returns when it reached the device's measured stream.
    std::optional<Clock::time_point> wait(const std::string& id, std::size_t expected,
                                          Clock::time_point deadline, std::size_t& reached) {
        std::unique_lock lock(mutex_);
        cv_.wait_until(lock, deadline, [&] {
            const auto it = seen_.find(id);
            return it != seen_.end() && it->second.measured && it->second.streams >= expected;
        });
        const auto it = seen_.find(id);
        reached = it == seen_.end() ? 0 : it->second.streams;
        return it == seen_.end() ? std::nullopt : it->second.measured;
    }

  private:
    struct Seen {
        std::size_t streams = 0;
        std::size_t device = 0;
        std::optional<Clock::time_point> measured;
    };
    std::mutex mutex_;
    std::condition_variable cv_;
    std::map<std::string, Seen> seen_;
};

struct PushFigures {
    std::vector<double> push_ms;     ///< connect call sent -> event read on the device's stream
    std::vector<double> connect_ms;  ///< connect call sent -> its 201 read
    std::size_t lost = 0;            ///< no event within the deadline
    std::size_t short_fanout = 0;    ///< reached fewer than all of the device's streams
};

PushFigures push(BlockingClient& admin, const std::string& admin_token,
                 const std::vector<long long>& tickets,
                 const std::vector<std::size_t>& streams_of_device, std::size_t count,
                 Arrivals& arrivals) {
    PushFigures f;
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t device = i % tickets.size();
        const auto request =
            http_request("POST", "/api/v1/tickets/" + std::to_string(tickets[device]) + "/connect",
                         {{"Authorization", "Bearer " + admin_token}});
        const auto sent = Clock::now();
        const auto answer = admin.send(request);
        const auto answered = Clock::now();
        if (answer.status != 201)
            throw std::runtime_error("connect answered " + std::to_string(answer.status) + ": " +
                                     answer.body);
        const std::string id =
            nlohmann::json::parse(answer.body).at("request_id").get<std::string>();
        std::size_t reached = 0;
        const auto arrived =
            arrivals.wait(id, streams_of_device[device], sent + kPushDeadline, reached);
        f.connect_ms.push_back(std::chrono::duration<double, std::milli>(answered - sent).count());
        if (!arrived) {
            ++f.lost;
            continue;
        }
        f.push_ms.push_back(std::chrono::duration<double, std::milli>(*arrived - sent).count());
        if (reached < streams_of_device[device]) ++f.short_fanout;
    }
    return f;
}

void print_push(const char* label, const PushFigures& f) {
    std::printf(
        "  %-34s push p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms   "
        "(connect answer p50 %6.2f ms, p99 %6.2f ms)\n",
        label, percentile(f.push_ms, 0.5), percentile(f.push_ms, 0.99), percentile(f.push_ms, 1.0),
        percentile(f.connect_ms, 0.5), percentile(f.connect_ms, 0.99));
    if (f.lost > 0 || f.short_fanout > 0)
        std::printf(
            "  !! %zu pushes not delivered within %lld s, %zu not to every stream of the device\n",
            f.lost, static_cast<long long>(kPushDeadline.count()), f.short_fanout);
}

/// The server's RSS once it stops moving (sampled every 250 ms, at most 5 s).
std::uint64_t settled_rss(const BenchServer& server) {
    std::uint64_t last = server.rss_kib();
    for (int i = 0; i < 20; ++i) {
        // A sampling interval, not synchronisation: the loop ends when RSS stops moving.
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        const std::uint64_t now = server.rss_kib();
        if (now == last) break;
        last = now;
    }
    return last;
}

void print_open(const char* what, std::size_t wanted, const StreamFleet::OpenReport& r) {
    std::printf("  %s: %zu of %zu open in %.1f s (%.0f/s)%s\n", what, r.opened, wanted, r.seconds,
                r.seconds > 0 ? static_cast<double>(r.opened) / r.seconds : 0.0,
                r.timed_out ? " - time limit reached" : "");
    for (const auto& [reason, n] : r.failures)
        std::printf("  !! %zu failed: %s\n", n, reason.c_str());
}

void print_probe(const char* label, const ProbeFigures& f) {
    std::printf(
        "  %-30s %5zu requests: p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  "
        "(readyz p99 %.2f, queue p99 %.2f)%s\n",
        label, f.ms.size(), percentile(f.ms, 0.5), percentile(f.ms, 0.99), percentile(f.ms, 1.0),
        percentile(f.readyz_ms, 0.99), percentile(f.queue_ms, 0.99),
        f.not_ok > 0 ? (" - " + std::to_string(f.not_ok) + " not 200").c_str() : "");
}

/// The reconnect storms (issue 19) under the open fleet; the number of targets missed.
int storms(BenchServer& server, StreamFleet& fleet, const std::string& admin_token,
           const Options& o, std::uint64_t rss_none, std::uint64_t rss_all) {
    const auto mib = [](std::uint64_t kib) { return static_cast<double>(kib) / 1024; };
    std::printf(
        "\n  reconnect storm: %zu streams, reconnecting %s, at most %zu handshakes at once\n",
        fleet.open_streams(),
        o.storm_client_backoff
            ? "with the client's backoff (full jitter in [0, min(30 s, 0.5 s * 2^n)], "
              "at least 0.1 s)"
            : "at once (and every 1 s in step while refused)",
        o.storm_in_flight);
    std::printf("  machine: %s\n", machine_load().c_str());
    // Baseline: the same probe with every stream open and no storm.
    OperatorProbe probe(server.port(), admin_token);
    const auto start = Clock::now();
    probe.start();
    std::this_thread::sleep_for(std::chrono::seconds(o.probe_seconds));  // the baseline window
    const ProbeFigures quiet = probe_figures(probe.stop(), start, Clock::now());
    print_probe("probe, no storm (baseline):", quiet);

    int missed = 0;
    for (const bool kill : o.storms) {
        StormSettings settings;
        settings.kill = kill;
        settings.policy.client_backoff = o.storm_client_backoff;
        settings.policy.in_flight = o.storm_in_flight;
        settings.policy.retry = std::chrono::seconds(1);
        settings.max_time = std::chrono::seconds(o.max_seconds);
        const StormFigures f = run_storm(server, fleet, admin_token, settings);
        const std::uint64_t rss_after = settled_rss(server);
        std::printf(
            "\n  storm after %s: old server %s; down %.2f s (last stream ended %.2f s after the "
            "signal)\n",
            kill ? "SIGKILL" : "SIGTERM", f.ended.c_str(), f.down_s, f.last_ended_s);
        std::printf(
            "  %zu of %zu streams ended, %zu open again %.2f s after the server listened "
            "(target <= 30 s)%s; %zu handshakes\n",
            f.fleet.ended, f.fleet.streams, f.fleet.reopened, f.all_back_s,
            f.fleet.timed_out ? " - time limit reached" : "", f.fleet.attempts);
        for (const auto& [reason, n] : f.fleet.failures)
            std::printf("    %zu attempts failed: %s\n", n, reason.c_str());
        print_probe("probe during the storm:", f.probe);
        std::printf("    (%zu probe requests unanswered while the server was down)\n",
                    f.probe_down);
        std::printf("  ratio probe p99 storm / baseline: %.2f (target: p99 <= 200 ms)\n",
                    percentile(f.probe.ms, 0.99) / percentile(quiet.ms, 0.99));
        std::printf(
            "  server RSS: before %.1f MiB, peak while reconnecting %.1f MiB, after %.1f MiB "
            "(0 streams %.1f MiB, %zu streams at first %.1f MiB); the new server's CPU so far %.1f "
            "s\n",
            mib(f.rss_before_kib), mib(f.rss_peak_kib), mib(rss_after), mib(rss_none),
            fleet.open_streams(), mib(rss_all), server.cpu_seconds());
        std::printf("  machine: %s\n", machine_load().c_str());
        const double p99 = percentile(f.probe.ms, 0.99);
        std::printf(
            "  targets: all back <= 30 s %s, probe p99 <= 200 ms %s, every probe answered 200 %s\n",
            !f.fleet.timed_out && f.all_back_s <= 30 ? "met" : "MISSED",
            p99 <= 200 ? "met" : "MISSED", f.probe.not_ok == 0 ? "yes" : "NO");
        // Like the push figures, latency only reports; streams that never come back fail.
        if (f.fleet.timed_out || f.fleet.reopened < f.fleet.streams) ++missed;
    }
    return missed;
}

int run(const Options& o) {
    // Both ends of every stream are in one of these two processes: each needs a
    // descriptor per stream, plus some for the database, the log and the setup.
    const std::uint64_t open_files = o.streams + 1024;
    raise_open_files(open_files);
    BenchServer server(o.server, {"--submit-limit", "1000000", "--register-limit", "1000000"},
                       open_files);
    rlimit own{};
    ::getrlimit(RLIMIT_NOFILE, &own);
    std::printf(
        "event streams benchmark: helpline-server pid %d on 127.0.0.1:%u, "
        "open-file limit %llu (server) / %llu (benchmark)\n",
        server.pid(), server.port(), static_cast<unsigned long long>(server.open_files_limit()),
        static_cast<unsigned long long>(own.rlim_cur));
    std::printf("  machine: %s\n", machine_load().c_str());
    double registering_s = 0;
    const auto tokens = register_devices(server.port(), o.devices, o.max_seconds, &registering_s);
    std::printf("  %zu devices registered in %.1f s (%.0f/s)\n", tokens.size(), registering_s,
                registering_s > 0 ? static_cast<double>(tokens.size()) / registering_s : 0.0);

    // Which streams belong to which device: stream i to device i % devices; the
    // measured stream of device d (d < measured) is stream d, opened first.
    std::vector<std::size_t> streams_of_device(o.measured, 0);
    for (std::size_t i = 0; i < o.streams; ++i)
        if (i % o.devices < o.measured) ++streams_of_device[i % o.devices];
    std::vector<std::size_t> measured_only(o.measured, 1);
    Arrivals arrivals;

    // Tickets from the measured devices, and an admin to connect to them.
    BlockingClient admin(server.port());
    const auto login = admin.send(http_request(
        "POST", "/api/v1/auth/login", {},
        nlohmann::json{{"email", server.admin_email()}, {"password", server.admin_password()}}
            .dump()));
    if (login.status != 200)
        throw std::runtime_error("admin sign-in answered " + std::to_string(login.status));
    const std::string admin_token =
        nlohmann::json::parse(login.body).at("token").get<std::string>();
    std::vector<long long> tickets;
    for (std::size_t d = 0; d < o.measured; ++d) {
        char key[48];  // 36 for the UUID; room for what the format could write
        std::snprintf(key, sizeof key, "00000000-0000-4000-8000-%012zu", d);
        const auto r = admin.send(
            http_request("POST", "/api/v1/tickets",
                         {{"Authorization", "Bearer " + tokens[d]}, {"Idempotency-Key", key}},
                         R"({"email":"customer@acme.example","description":"Please connect."})"));
        if (r.status != 201)
            throw std::runtime_error("ticket from device answered " + std::to_string(r.status));
        tickets.push_back(nlohmann::json::parse(r.body).at("number").get<long long>());
    }

    const std::uint64_t rss_none = settled_rss(server);
    std::printf("  server RSS with 0 streams (baseline): %.1f MiB\n\n",
                static_cast<double>(rss_none) / 1024);

    auto fleet_owner = std::make_unique<StreamFleet>(server.port());
    StreamFleet& fleet = *fleet_owner;
    const auto deadline = std::chrono::seconds(o.max_seconds);
    std::vector<StreamFleet::StreamSpec> first, rest;
    for (std::size_t i = 0; i < o.streams; ++i)
        (i < o.measured ? first : rest).push_back({i % o.devices, tokens[i % o.devices]});
    const auto opened_first = fleet.open(first, o.in_flight, deadline);
    print_open("measured streams", first.size(), opened_first);
    if (opened_first.opened != first.size())
        throw std::runtime_error("the measured streams did not open");

    fleet.start_reading([&](std::size_t s, std::size_t d, const SseEvent& e, Clock::time_point at) {
        arrivals.on_event(s, d, e, at);
    });
    const PushFigures few = push(admin, admin_token, tickets, measured_only, o.pushes, arrivals);
    fleet.stop_reading();
    const std::uint64_t rss_few = settled_rss(server);

    const auto opened_rest = fleet.open(rest, o.in_flight, deadline);
    print_open("the other streams", rest.size(), opened_rest);
    fleet.start_reading([&](std::size_t s, std::size_t d, const SseEvent& e, Clock::time_point at) {
        arrivals.on_event(s, d, e, at);
    });
    const std::size_t open_now = fleet.open_streams();
    const auto metrics = admin.send(http_request("GET", "/metrics")).body;
    std::printf("  open streams: %zu (server: helpline_connected_devices %lld)\n", open_now,
                metric_value(metrics, "helpline_connected_devices"));
    const std::uint64_t rss_all = settled_rss(server);

    // Idle: no request at all, only the server's heartbeats.
    const double cpu_before = server.cpu_seconds();
    const std::size_t pings_before = fleet.pings();
    const auto idle_start = Clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(o.idle_seconds));  // the measurement window
    const double idle_s = std::chrono::duration<double>(Clock::now() - idle_start).count();
    const double idle_cpu = (server.cpu_seconds() - cpu_before) / idle_s;
    const std::size_t idle_pings = fleet.pings() - pings_before;

    const PushFigures many =
        push(admin, admin_token, tickets, streams_of_device, o.pushes, arrivals);
    const std::uint64_t rss_after = settled_rss(server);
    fleet.stop_reading();
    const std::size_t ended = fleet.ended_streams();

    const auto mib = [](std::uint64_t kib) { return static_cast<double>(kib) / 1024; };
    std::printf(
        "\n  server RSS: 0 streams %.1f MiB (baseline), %zu streams %.1f MiB, "
        "%zu streams %.1f MiB, after the pushes %.1f MiB\n",
        mib(rss_none), o.measured, mib(rss_few), open_now, mib(rss_all), mib(rss_after));
    std::printf(
        "  ratio RSS %zu streams / 0 streams: %.2f; %.1f KiB per stream (target: RSS <= 512 MiB)\n",
        open_now, static_cast<double>(rss_all) / static_cast<double>(rss_none),
        open_now > 0 ? (static_cast<double>(rss_all) - static_cast<double>(rss_none)) /
                           static_cast<double>(open_now)
                     : 0.0);
    std::printf(
        "  idle with %zu streams: server CPU %.2f %% of one core over %.0f s "
        "(%zu heartbeats read)\n",
        open_now, 100 * idle_cpu, idle_s, idle_pings);
    std::printf("  %zu pushes each, sequential, round-robin over %zu tickets on %zu devices:\n",
                o.pushes, tickets.size(), tickets.size());
    const std::string few_label = "with " + std::to_string(o.measured) + " streams (baseline)";
    const std::string many_label = "with " + std::to_string(open_now) + " streams";
    print_push(few_label.c_str(), few);
    print_push(many_label.c_str(), many);
    std::printf("  ratio push p99 %zu streams / %zu streams: %.2f (target: p99 <= 50 ms)\n",
                open_now, o.measured,
                percentile(many.push_ms, 0.99) / percentile(few.push_ms, 0.99));
    std::printf("  machine at the end: %s\n", machine_load().c_str());

    const int storm_misses =
        o.storms.empty() ? 0 : storms(server, fleet, admin_token, o, rss_none, rss_all);
    fleet_owner
        .reset();  // the clients go first, so the server's shutdown has no stream to wait for
    std::printf("  server: %s\n", server.stop().c_str());

    int failures = storm_misses > 0 ? 1 : 0;
    if (opened_rest.failed > 0 || ended > 0) {
        std::printf("  !! %zu streams failed to open, %zu ended while idle\n", opened_rest.failed,
                    ended);
        ++failures;
    }
    if (few.lost + many.lost + few.short_fanout + many.short_fanout > 0) ++failures;
    return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    return helpline::bench::bench_main("event_streams_bench", kUsage,
                                       [&] { return run(parse(argc, argv)); });
}
