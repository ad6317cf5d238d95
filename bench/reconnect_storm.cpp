#include "bench/reconnect_storm.h"

#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

#include "bench/http_wire.h"

namespace helpline::bench {
namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

std::uint64_t rss_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
    return 0;
}

}  // namespace

OperatorProbe::OperatorProbe(std::uint16_t port, std::string admin_token,
                             std::chrono::milliseconds gap)
    : port_(port), admin_token_(std::move(admin_token)), gap_(gap) {}

OperatorProbe::~OperatorProbe() {
    (void)stop();
}

void OperatorProbe::start() {
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { loop(); });
}

std::vector<OperatorProbe::Sample> OperatorProbe::stop() {
    if (thread_.joinable()) {
        stopping_ = true;
        thread_.join();
    }
    std::lock_guard lock(mutex_);
    return std::exchange(samples_, {});
}

void OperatorProbe::loop() {
    const std::string readyz = http_request("GET", "/readyz");
    const std::string queue =
        http_request("GET", "/api/v1/queue", {{"Authorization", "Bearer " + admin_token_}});
    std::unique_ptr<BlockingClient> client;
    while (!stopping_) {
        for (const bool is_readyz : {true, false}) {
            Sample s;
            s.readyz = is_readyz;
            s.sent = Clock::now();
            try {
                if (!client) client = std::make_unique<BlockingClient>(port_);
                s.status =
                    client->send(is_readyz ? readyz : queue, std::chrono::seconds(10)).status;
            } catch (const std::exception&) {
                client.reset();  // a half-read answer must not be taken for the next one
            }
            s.ms = ms_between(s.sent, Clock::now());
            {
                std::lock_guard lock(mutex_);
                samples_.push_back(s);
            }
        }
        // The operator's pace; while the server is down it also keeps the loop from spinning.
        std::this_thread::sleep_for(gap_);
    }
}

ProbeFigures probe_figures(const std::vector<OperatorProbe::Sample>& samples,
                           OperatorProbe::Clock::time_point from,
                           OperatorProbe::Clock::time_point to) {
    ProbeFigures f;
    for (const auto& s : samples) {
        if (s.sent < from || s.sent > to) continue;
        if (s.status != 200) ++f.not_ok;
        f.ms.push_back(s.ms);
        (s.readyz ? f.readyz_ms : f.queue_ms).push_back(s.ms);
    }
    return f;
}

StormFigures run_storm(BenchServer& server, StreamFleet& fleet, const std::string& admin_token,
                       const StormSettings& settings) {
    StormFigures f;
    f.rss_before_kib = server.rss_kib();
    OperatorProbe probe(server.port(), admin_token);
    probe.start();

    // The fleet reads its streams on a thread of its own while the old server ends them (a
    // graceful stop waits for its last chunks to go out). The restart stays on this thread:
    // the server asks (PR_SET_PDEATHSIG) to be killed when the thread that forked it ends.
    const pid_t old_pid = server.pid();
    std::atomic<bool> storm_over{false};
    std::uint64_t peak = 0;
    std::thread sampler([&] {
        while (!storm_over) {
            // The new server from its fork on (BenchServer::pid() is atomic for this).
            if (const pid_t pid = server.pid(); pid > 0 && pid != old_pid)
                peak = std::max(peak, rss_of(pid));
            std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the sampling interval
        }
    });
    const auto signalled = Clock::now();
    std::thread riders(
        [&] { f.fleet = fleet.ride_out_restart(settings.policy, signalled + settings.max_time); });
    std::optional<Clock::time_point> listening;
    std::string restart_error;
    try {
        listening = server.restart(settings.kill, f.ended);
    } catch (const std::exception& e) {
        restart_error = e.what();
    }
    riders.join();
    const auto over = Clock::now();
    storm_over = true;
    sampler.join();
    const auto samples = probe.stop();
    if (!listening) throw std::runtime_error("the server did not come back: " + restart_error);

    f.rss_peak_kib = peak;
    f.down_s = ms_between(signalled, *listening) / 1000;
    if (f.fleet.last_reopened) f.all_back_s = ms_between(*listening, *f.fleet.last_reopened) / 1000;
    if (f.fleet.last_ended) f.last_ended_s = ms_between(signalled, *f.fleet.last_ended) / 1000;
    f.probe = probe_figures(samples, *listening, over);
    for (const auto& s : samples)
        if (s.sent < *listening && s.status != 200) ++f.probe_down;
    return f;
}

}  // namespace helpline::bench
