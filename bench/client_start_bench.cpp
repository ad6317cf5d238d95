// bench/client_start: time from exec to the first window shown, and resident memory once
// started, of the branded client `helpline` against a minimal wx window program built in the
// same tree — alternating, in one run, under a private Xvfb. A second baseline, the "floor"
// (client_start_floor, beside MINIMAL), is that window plus libcurl and libcrypto doing one
// signature check and one request: what any client on this stack costs before its own code.
// Targets (DESIGN.md §10): time ≤ 1.3× the minimal program, RSS ≤ 1.15×.
//
// usage: client_start_bench HELPLINE_SERVER HELPLINE_BRAND HELPLINE MINIMAL PROFILE_DIR KEY [RUNS]

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench/bench_server.h"
#include "bench/bench_util.h"
#include "bench/client_start_x11.h"

namespace fs = std::filesystem;
using namespace helpline::bench;

namespace {

struct Sample {
    double start_ms = 0;
    double rss_mib = 0;
};

/// Starts `argv`, waits for "shown main", lets it settle `settle`, reads its RSS, stops it.
Sample measure(const std::vector<std::string>& argv, const std::vector<std::string>& env,
               std::chrono::milliseconds settle) {
    const std::int64_t t0 = now_ns();
    TracedProcess process(argv, env);
    const auto line = process.line_starting("shown main", std::chrono::seconds(30));
    if (!line) throw std::runtime_error(argv[0] + " showed no window within 30 s");
    Sample s;
    s.start_ms = static_cast<double>(shown_ns(*line) - t0) / 1e6;
    std::this_thread::sleep_for(settle);  // threads started, first requests made
    s.rss_mib = static_cast<double>(process.rss_kib()) / 1024.0;
    process.stop();
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    return bench_main(
        "client_start_bench",
        "client_start_bench HELPLINE_SERVER HELPLINE_BRAND HELPLINE MINIMAL PROFILE_DIR KEY [RUNS]",
        [&] {
            if (argc < 7) throw std::invalid_argument("missing arguments");
            const int runs = argc > 7 ? std::stoi(argv[7]) : 15;
            BenchServer server(argv[1], {});
            PrivateXvfb x;

            // The demo profile for this server, stamped into a copy of helpline.
            const fs::path dir = server.dir() / "client";
            fs::create_directories(dir / "xdg");
            auto profile =
                nlohmann::ordered_json::parse(std::ifstream(fs::path(argv[5]) / "profile.json"));
            profile["server"]["url"] = "http://127.0.0.1:" + std::to_string(server.port());
            std::ofstream(dir / "profile.json") << profile.dump(2);
            fs::copy_file(fs::path(argv[5]) / "logo.svg", dir / "logo.svg");
            time_command({argv[2], "stamp", "--profile", (dir / "profile.json").string(), "--key",
                          argv[6], "--client", argv[3], "--out", (dir / "helpline").string()});
            const std::string xdg = (dir / "xdg").string();
            const std::vector<std::string> env = {"DISPLAY=" + x.display(),
                                                  "HELPLINE_TRACE_SHOWN=1",
                                                  "XDG_CONFIG_HOME=" + xdg + "/config",
                                                  "XDG_STATE_HOME=" + xdg + "/state",
                                                  "XDG_RUNTIME_DIR=" + xdg + "/run",
                                                  "NO_PROXY=127.0.0.1",
                                                  "no_proxy=127.0.0.1",
                                                  "LANG=C.UTF-8"};
            const std::vector<std::string> client = {(dir / "helpline").string()};
            const std::vector<std::string> minimal = {argv[4]};
            const std::vector<std::string> floor_argv = {
                (fs::path(argv[4]).parent_path() / "client_start_floor").string(),
                "http://127.0.0.1:" + std::to_string(server.port()) + "/livez"};
            const auto settle = std::chrono::milliseconds(1000);

            // One warm-up each (page cache, fontconfig cache), then alternate.
            (void)measure(client, env, settle);
            (void)measure(minimal, env, settle);
            (void)measure(floor_argv, env, settle);
            std::vector<double> client_ms, minimal_ms, floor_ms, client_rss, minimal_rss, floor_rss;
            for (int i = 0; i < runs; ++i) {
                const Sample c = measure(client, env, settle);
                const Sample m = measure(minimal, env, settle);
                const Sample f = measure(floor_argv, env, settle);
                client_ms.push_back(c.start_ms);
                minimal_ms.push_back(m.start_ms);
                floor_ms.push_back(f.start_ms);
                client_rss.push_back(c.rss_mib);
                minimal_rss.push_back(m.rss_mib);
                floor_rss.push_back(f.rss_mib);
            }
            const double tc = median(client_ms), tm = median(minimal_ms), tf = median(floor_ms);
            const double rc = median(client_rss), rm = median(minimal_rss), rf = median(floor_rss);
            std::printf("client start benchmark: %d runs each, alternating, under Xvfb; %s\n", runs,
                        machine_load().c_str());
            std::printf("  %-22s %9s %9s %9s   %s\n", "", "median", "p90", "min",
                        "RSS (median, 1 s after)");
            std::printf("  %-22s %7.1f ms %6.1f ms %6.1f ms   %6.1f MiB\n", "minimal wx window", tm,
                        percentile(minimal_ms, 0.9), percentile(minimal_ms, 0.0), rm);
            std::printf("  %-22s %7.1f ms %6.1f ms %6.1f ms   %6.1f MiB\n", "floor (+curl, crypto)",
                        tf, percentile(floor_ms, 0.9), percentile(floor_ms, 0.0), rf);
            std::printf("  %-22s %7.1f ms %6.1f ms %6.1f ms   %6.1f MiB\n", "helpline (branded)",
                        tc, percentile(client_ms, 0.9), percentile(client_ms, 0.0), rc);
            std::printf("  ratio: time %.2fx (target <= 1.3x), RSS %.2fx (target <= 1.15x)\n",
                        tc / tm, rc / rm);
            std::printf("  floor / minimal: time %.2fx, RSS %.2fx; helpline / floor: time %.2fx, RSS %.2fx\n",
                        tf / tm, rf / rm, tc / tf, rc / rf);
            return 0;
        });
}
