// bench/consent_latency: from the operator's Connect (POST /api/v1/tickets/{n}/connect sent)
// to the consent dialog on the customer's screen (the branded client, under a private Xvfb,
// prints "shown consent <id> <ns>" once the dialog is shown and painted), over N requests on
// loopback. Each request is left to time out (nothing is clicked), so the next one is the
// only question. Target (DESIGN.md §10): p99 ≤ 100 ms.
//
// usage: consent_latency_bench HELPLINE_SERVER HELPLINE_BRAND HELPLINE PROFILE_DIR KEY [RUNS]

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench/bench_server.h"
#include "bench/bench_util.h"
#include "bench/client_start_x11.h"
#include "bench/http_wire.h"

namespace fs = std::filesystem;
using namespace helpline::bench;

namespace {

nlohmann::json call(std::uint16_t port, const std::string& method, const std::string& path,
                    const std::string& token, const nlohmann::json& body, int expected,
                    Headers headers = {}) {
    BlockingClient client(port);
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    const auto reply =
        client.send(http_request(method, path, headers, body.is_null() ? "" : body.dump()));
    if (reply.status != expected)
        throw std::runtime_error(method + " " + path + " answered " + std::to_string(reply.status) +
                                 ": " + reply.body);
    return reply.body.empty() ? nlohmann::json() : nlohmann::json::parse(reply.body);
}

}  // namespace

int main(int argc, char** argv) {
    return bench_main(
        "consent_latency_bench",
        "consent_latency_bench HELPLINE_SERVER HELPLINE_BRAND HELPLINE PROFILE_DIR KEY [RUNS]",
        [&] {
            if (argc < 6) throw std::invalid_argument("missing arguments");
            const int runs = argc > 6 ? std::stoi(argv[6]) : 20;
            BenchServer server(argv[1], {"--request-timeout", "2", "--sweep-interval-ms", "100"});
            PrivateXvfb x;
            const std::uint16_t port = server.port();

            const fs::path dir = server.dir() / "client";
            fs::create_directories(dir / "xdg");
            auto profile =
                nlohmann::ordered_json::parse(std::ifstream(fs::path(argv[4]) / "profile.json"));
            profile["server"]["url"] = "http://127.0.0.1:" + std::to_string(port);
            std::ofstream(dir / "profile.json") << profile.dump(2);
            fs::copy_file(fs::path(argv[4]) / "logo.svg", dir / "logo.svg");
            time_command({argv[2], "stamp", "--profile", (dir / "profile.json").string(), "--key",
                          argv[5], "--client", argv[3], "--out", (dir / "helpline").string()});
            const std::string xdg = (dir / "xdg").string();
            TracedProcess client(
                {(dir / "helpline").string()},
                {"DISPLAY=" + x.display(), "HELPLINE_TRACE_SHOWN=1",
                 "XDG_CONFIG_HOME=" + xdg + "/config", "XDG_STATE_HOME=" + xdg + "/state",
                 "XDG_RUNTIME_DIR=" + xdg + "/run", "NO_PROXY=127.0.0.1", "no_proxy=127.0.0.1",
                 "LANG=C.UTF-8"});
            if (!client.line_starting("shown main", std::chrono::seconds(30)))
                throw std::runtime_error("the client showed no window within 30 s");

            // The client registers and opens its event stream; then a ticket of its own.
            const fs::path identity = fs::path(xdg) / "state/helpline/demo-support/identity.json";
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
            while (metric_value(BlockingClient(port).send(http_request("GET", "/metrics")).body,
                                "helpline_connected_devices") < 1 ||
                   !fs::exists(identity)) {
                if (std::chrono::steady_clock::now() > deadline)
                    throw std::runtime_error("the client did not connect within 30 s");
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
            const std::string device_token = nlohmann::json::parse(std::ifstream(identity))
                                                 .at("device_token")
                                                 .get<std::string>();
            const auto ticket =
                call(port, "POST", "/api/v1/tickets", device_token,
                     {{"email", "bench@acme.example"}, {"description", "consent latency"}}, 201,
                     {{"Idempotency-Key", "6f1d2c1e-0b7a-4d3e-9f00-1234567890ab"}})
                    .at("number")
                    .get<long long>();
            const std::string admin =
                call(port, "POST", "/api/v1/auth/login", "",
                     {{"email", server.admin_email()}, {"password", server.admin_password()}}, 200)
                    .at("token")
                    .get<std::string>();

            std::vector<double> latencies;
            for (int i = 0; i < runs; ++i) {
                BlockingClient op(port);
                const std::string request =
                    http_request("POST", "/api/v1/tickets/" + std::to_string(ticket) + "/connect",
                                 {{"Authorization", "Bearer " + admin}});
                const std::int64_t t0 = now_ns();
                const auto reply = op.send(request);
                if (reply.status != 201)
                    throw std::runtime_error("connect answered " + std::to_string(reply.status));
                const std::string id =
                    nlohmann::json::parse(reply.body).at("request_id").get<std::string>();
                const auto shown =
                    client.line_starting("shown consent " + id, std::chrono::seconds(10));
                if (!shown)
                    throw std::runtime_error("no consent dialog for request " + id +
                                             " within 10 s");
                latencies.push_back(static_cast<double>(shown_ns(*shown) - t0) / 1e6);
                // Nothing is clicked: the request expires (the dialog closes a second earlier).
                const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
                while (call(port, "GET", "/api/v1/connection-requests/" + id, admin, nullptr, 200)
                           .at("state") != "expired") {
                    if (std::chrono::steady_clock::now() > until)
                        throw std::runtime_error("request " + id + " never expired");
                    std::this_thread::sleep_for(std::chrono::milliseconds(100));
                }
            }
            std::printf(
                "consent latency benchmark: %d connection requests, Connect sent -> dialog shown; "
                "%s\n",
                runs, machine_load().c_str());
            std::printf(
                "  median %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms (target p99 <= 100 ms)\n",
                median(latencies), percentile(latencies, 0.9), percentile(latencies, 0.99),
                percentile(latencies, 1.0));
            return percentile(latencies, 0.99) <= 100.0 ? 0 : 1;
        });
}
