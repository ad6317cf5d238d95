// bench/cluster_push: the push latency of a connection request across servers (issue 16).
// Two helpline-server processes share one PostgreSQL database (a private cluster,
// tests/support/pg_cluster.sh); --devices devices hold their event streams on server 1.
// The operator's POST /api/v1/tickets/{n}/connect goes to server 2 (across: the request
// reaches server 1 through PostgreSQL NOTIFY, and server 1 reads it from the database), or
// to server 1 (the baseline: the stream and the request on one server), alternately, one
// at a time. Latency: from just before the POST is sent to the arrival of its
// `connection-request` frame on the device's stream. Target: p99 <= 50 ms across.
//
// usage: cluster_push_bench HELPLINE_SERVER [--pushes 300] [--devices 10]

#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "bench/bench_server.h"
#include "bench/bench_util.h"
#include "bench/stream_fleet.h"
#include "bench/submissions.h"
#include "tests/support/pg_test_database.h"

namespace {

using namespace helpline::bench;
using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

constexpr auto kPushDeadline = std::chrono::seconds(5);

struct Options {
    std::string server;
    std::size_t pushes = 300;  ///< each way: across, and on one server
    std::size_t devices = 10;
};

constexpr const char* kUsage =
    "usage: cluster_push_bench HELPLINE_SERVER [--pushes 300] [--devices 10]\n";

Options parse(int argc, char** argv) {
    if (argc < 2) throw std::invalid_argument("the path of helpline-server is required");
    Options o;
    o.server = argv[1];
    parse_flags(argc, argv, 2,
                {
                    {"--pushes", [&](const std::string& v) { o.pushes = std::stoul(v); }},
                    {"--devices", [&](const std::string& v) { o.devices = std::stoul(v); }},
                });
    if (o.pushes == 0 || o.devices == 0) throw std::invalid_argument("counts must be > 0");
    return o;
}

/// When each connection request reached its device's stream, by request id.
class Arrivals {
  public:
    void on_event(const SseEvent& e, Clock::time_point at) {
        if (e.type != "connection-request") return;
        const auto data = Json::parse(e.data, nullptr, false);
        if (!data.is_object() || !data.contains("id")) return;
        std::lock_guard lock(mutex_);
        seen_.emplace(data["id"].get<std::string>(), at);  // the first arrival counts
        cv_.notify_all();
    }
    std::optional<Clock::time_point> wait(const std::string& id, Clock::time_point deadline) {
        std::unique_lock lock(mutex_);
        cv_.wait_until(lock, deadline, [&] { return seen_.count(id) > 0; });
        const auto it = seen_.find(id);
        return it == seen_.end() ? std::nullopt : std::optional(it->second);
    }

  private:
    std::mutex mutex_;
    std::condition_variable cv_;
    std::map<std::string, Clock::time_point> seen_;
};

struct Figures {
    std::vector<double> push_ms;     ///< POST sent -> frame read on the device's stream
    std::vector<double> connect_ms;  ///< POST sent -> its 201 read
    std::size_t lost = 0;            ///< no frame within the deadline
};

/// One push: POST connect for `ticket` on `client`, then the frame's arrival.
void push_once(BlockingClient& client, const std::string& admin, long long ticket,
               Arrivals& arrivals, Figures& f) {
    const auto request =
        http_request("POST", "/api/v1/tickets/" + std::to_string(ticket) + "/connect",
                     {{"Authorization", "Bearer " + admin}});
    const auto sent = Clock::now();
    const auto answer = client.send(request);
    const auto answered = Clock::now();
    if (answer.status != 201)
        throw std::runtime_error("connect answered " + std::to_string(answer.status) + ": " +
                                 answer.body);
    const Json body = Json::parse(answer.body);
    if (!body.value("device_online", false))
        throw std::runtime_error(
            "the server that took the connect call did not see the device "
            "online: " +
            answer.body);
    const auto arrived =
        arrivals.wait(body.at("request_id").get<std::string>(), sent + kPushDeadline);
    f.connect_ms.push_back(std::chrono::duration<double, std::milli>(answered - sent).count());
    if (!arrived) {
        ++f.lost;
        return;
    }
    f.push_ms.push_back(std::chrono::duration<double, std::milli>(*arrived - sent).count());
}

void print(const char* label, const Figures& f) {
    std::printf(
        "  %-44s push p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  (connect answered: p50 %6.2f "
        "ms, p99 %6.2f ms; %zu samples)\n",
        label, percentile(f.push_ms, 0.5), percentile(f.push_ms, 0.99), percentile(f.push_ms, 1.0),
        percentile(f.connect_ms, 0.5), percentile(f.connect_ms, 0.99), f.push_ms.size());
    if (f.lost > 0)
        std::printf("  !! %zu connection requests did not reach the stream within %lld s\n", f.lost,
                    static_cast<long long>(kPushDeadline.count()));
}

int run(const Options& o) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    const std::vector<std::string> limits = {"--submit-limit", "1000000", "--register-limit",
                                             "1000000"};
    auto cluster = helpline::test::PostgresCluster::make_private();
    const std::string url = cluster->fresh_database_url();
    BenchServer one(o.server, limits, 0, {}, url);
    BenchServer two(o.server, limits, 0, {}, url, true);
    std::printf(
        "cluster push benchmark: servers pid %d on 127.0.0.1:%u and pid %d on 127.0.0.1:%u, "
        "one PostgreSQL database (cluster in %s)\n",
        one.pid(), one.port(), two.pid(), two.port(), cluster->dir().c_str());
    std::printf("  machine: %s\n", machine_load().c_str());

    // Devices, each with a ticket; their streams on server 1.
    const auto tokens = register_devices(one.port(), o.devices);
    BlockingClient client_one(one.port()), client_two(two.port());
    const auto login = client_one.send(http_request(
        "POST", "/api/v1/auth/login", {},
        Json{{"email", one.admin_email()}, {"password", one.admin_password()}}.dump()));
    if (login.status != 200)
        throw std::runtime_error("admin sign-in answered " + std::to_string(login.status));
    const std::string admin = Json::parse(login.body).at("token").get<std::string>();
    std::vector<long long> tickets;
    UuidMaker uuids;
    for (std::size_t d = 0; d < tokens.size(); ++d) {
        const auto r = client_one.send(submission_request(tokens[d], d, uuids.next()));
        if (r.status != 201)
            throw std::runtime_error("submission answered " + std::to_string(r.status) + ": " +
                                     r.body);
        tickets.push_back(Json::parse(r.body).at("number").get<long long>());
    }
    StreamFleet fleet(one.port());
    std::vector<StreamFleet::StreamSpec> specs;
    for (std::size_t d = 0; d < tokens.size(); ++d) specs.push_back({d, tokens[d]});
    const auto opened = fleet.open(specs, specs.size(), std::chrono::seconds(30));
    if (opened.opened != specs.size())
        throw std::runtime_error("only " + std::to_string(opened.opened) + " of " +
                                 std::to_string(specs.size()) + " event streams opened");
    Arrivals arrivals;
    fleet.start_reading([&](std::size_t, std::size_t, const SseEvent& e, Clock::time_point at) {
        arrivals.on_event(e, at);
    });

    // Server 2 learns who streams where through the database: wait until it sees every
    // device online (bounded), so that no push is measured against a server that does not
    // know yet.
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    std::size_t online = 0;
    while (Clock::now() < deadline) {
        online = 0;
        for (const long long t : tickets) {
            const auto r =
                client_two.send(http_request("GET", "/api/v1/tickets/" + std::to_string(t),
                                             {{"Authorization", "Bearer " + admin}}));
            online += r.status == 200 && Json::parse(r.body).value("device_online", false) ? 1 : 0;
        }
        if (online == tickets.size()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling, bounded
    }
    if (online != tickets.size())
        throw std::runtime_error("server 2 saw " + std::to_string(online) + " of " +
                                 std::to_string(tickets.size()) + " devices online after 10 s");

    // Warm-up (not reported): prepared statements, the listener's first notifications.
    Figures warm;
    for (std::size_t i = 0; i < 2 * tickets.size(); ++i)
        push_once(i % 2 ? client_two : client_one, admin, tickets[i % tickets.size()], arrivals,
                  warm);

    Figures same, across;
    const double cpu_one = one.cpu_seconds(), cpu_two = two.cpu_seconds();
    for (std::size_t i = 0; i < 2 * o.pushes; ++i) {
        const long long ticket = tickets[(i / 2) % tickets.size()];
        if (i % 2 == 0)
            push_once(client_one, admin, ticket, arrivals, same);
        else
            push_once(client_two, admin, ticket, arrivals, across);
    }
    fleet.stop_reading();
    std::printf(
        "  %zu pushes each way, alternating, one at a time, to %zu devices streaming from server "
        "1:\n",
        o.pushes, tickets.size());
    print("stream and POST on server 1 (baseline)", same);
    print("stream on server 1, POST on server 2", across);
    std::printf("  ratio across / one server: p50 %.2f, p99 %.2f (target: p99 <= 50 ms across)\n",
                percentile(across.push_ms, 0.5) / percentile(same.push_ms, 0.5),
                percentile(across.push_ms, 0.99) / percentile(same.push_ms, 0.99));
    std::printf("  server CPU during the pushes: server 1 %.2f s, server 2 %.2f s\n",
                one.cpu_seconds() - cpu_one, two.cpu_seconds() - cpu_two);
    std::printf("  machine at the end: %s\n", machine_load().c_str());
    std::printf("  servers: %s, %s\n", two.stop().c_str(), one.stop().c_str());
    return same.lost + across.lost == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    return helpline::bench::bench_main("cluster_push_bench", kUsage,
                                       [&] { return run(parse(argc, argv)); });
}
