// bench/client_idle: CPU used by `helpline-cli listen`, connected to its team server and
// idle, against `sleep` over the same window, in one run.
// Target (DESIGN.md §10): ≤ 0.1 % of one core over 60 s (no busy loops).
//
// usage: client_idle_bench HELPLINE_SERVER HELPLINE_BRAND HELPLINE_CLI PROFILE_DIR KEY [SECONDS]

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench/bench_server.h"
#include "bench/bench_util.h"
#include "bench/http_wire.h"

namespace fs = std::filesystem;
using namespace helpline::bench;

namespace {

pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env_extra) {
    SpawnArgs spawn_args(argv, env_extra);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);  // non-interactive: declines
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    if (posix_spawn(&pid, spawn_args.path(), &actions, nullptr, spawn_args.argv(), spawn_args.envp()) != 0)
        throw std::runtime_error("cannot start " + argv[0]);
    posix_spawn_file_actions_destroy(&actions);
    return pid;
}

long long connected_devices(std::uint16_t port) {
    BlockingClient client(port);
    return metric_value(client.send(http_request("GET", "/metrics")).body, "helpline_connected_devices");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 6) {
        std::cerr << "usage: client_idle_bench HELPLINE_SERVER HELPLINE_BRAND HELPLINE_CLI PROFILE_DIR KEY [SECONDS]\n";
        return 2;
    }
    const int seconds = argc > 6 ? std::stoi(argv[6]) : 60;
    BenchServer server(argv[1], {});

    // A profile for this server, stamped into a copy of helpline-cli.
    const fs::path dir = server.dir() / "client";
    fs::create_directories(dir / "xdg");
    auto profile = nlohmann::ordered_json::parse(std::ifstream(fs::path(argv[4]) / "profile.json"));
    profile["server"]["url"] = "http://127.0.0.1:" + std::to_string(server.port());
    std::ofstream(dir / "profile.json") << profile.dump(2);
    fs::copy_file(fs::path(argv[4]) / "logo.svg", dir / "logo.svg");
    time_command({argv[2], "stamp", "--profile", (dir / "profile.json").string(), "--key", argv[5], "--client",
                  argv[3], "--out", (dir / "cli").string()});

    const std::string xdg = (dir / "xdg").string();
    const pid_t listen = spawn({(dir / "cli").string(), "listen"},
                               {"XDG_CONFIG_HOME=" + xdg + "/config", "XDG_STATE_HOME=" + xdg + "/state",
                                "XDG_RUNTIME_DIR=" + xdg + "/run"});
    // Connected: the server counts its event stream (deadline 30 s).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (connected_devices(server.port()) < 1) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(listen, SIGKILL);
            std::cerr << "helpline-cli listen did not connect within 30 s\n";
            return 1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }

    const pid_t sleeper = spawn({"/bin/sleep", std::to_string(seconds + 5)}, {});
    const double listen_start = process_cpu_seconds(listen);
    const double sleep_start = process_cpu_seconds(sleeper);
    const double server_start = server.cpu_seconds();
    std::this_thread::sleep_for(std::chrono::seconds(seconds));  // the measured window itself
    const double listen_cpu = process_cpu_seconds(listen) - listen_start;
    const double sleep_cpu = process_cpu_seconds(sleeper) - sleep_start;
    const double server_cpu = server.cpu_seconds() - server_start;
    const bool still_connected = connected_devices(server.port()) >= 1;
    ::kill(listen, SIGTERM);
    ::kill(sleeper, SIGKILL);
    ::waitpid(listen, nullptr, 0);
    ::waitpid(sleeper, nullptr, 0);

    const auto pct = [&](double cpu) { return 100.0 * cpu / seconds; };
    std::printf("client idle benchmark: %d s connected and idle (clock ticks of 1/%ld s)\n", seconds,
                ::sysconf(_SC_CLK_TCK));
    std::printf("  sleep (baseline)          %7.3f s CPU = %6.3f %% of one core\n", sleep_cpu, pct(sleep_cpu));
    std::printf("  helpline-cli listen       %7.3f s CPU = %6.3f %% of one core  (target <= 0.1 %%)\n",
                listen_cpu, pct(listen_cpu));
    std::printf("  listen - sleep            %7.3f %% of one core\n", pct(listen_cpu - sleep_cpu));
    std::printf("  helpline-server meanwhile %7.3f %% of one core\n", pct(server_cpu));
    std::printf("  still connected at the end: %s\n", still_connected ? "yes" : "NO");
    return still_connected ? 0 : 1;
}
