// bench/console: the operator console's endpoints at scale (issue 12, "Scale") on the real
// helpline-server, seeded between `init` and `run` with 20,000 open tickets and 1,000,000
// closed or expired ones (seed_writer.h), against its baseline in the same run: GET /livez
// through the same client at the same concurrency, measured just before each endpoint.
// Targets: GET /api/v1/queue p99 <= 20 ms for an operator who sees 500 of the 20,000 open
// tickets; GET /api/v1/history p99 <= 50 ms for each filter the console offers. Reported
// without a target: the admin's queue (all 20,000), the dashboard, the requester type-ahead
// and the CSV export. Then the bytes a console receives for one changed ticket (its
// ticket-changed event) against the bytes of the queue it refetched per change before.
//
// usage: console_bench HELPLINE_SERVER [--open 20000] [--closed 1000000] [--groups 10]
//                      [--operators 40] [--focus-visible 500] [--seed 1] [--now UNIX_SECONDS]
//                      [--connections 1] [--requests 300] [--max-seconds 10]
//                      [--pages 300] [--changes 20] [--plans CONSOLE_PLANS]

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "bench/bench_server.h"
#include "bench/bench_util.h"
#include "bench/console_stream.h"
#include "bench/load_driver.h"
#include "bench/seed_writer.h"

namespace {

using namespace helpline::bench;
using Clock = std::chrono::steady_clock;

constexpr const char* kUsage =
    "usage: console_bench HELPLINE_SERVER [--open 20000] [--closed 1000000] [--groups 10]\n"
    "                     [--operators 40] [--focus-visible 500] [--seed 1] [--now UNIX_SECONDS]\n"
    "                     [--connections 1] [--requests 300] [--max-seconds 10]\n"
    "                     [--pages 300] [--changes 20] [--plans CONSOLE_PLANS]\n";

constexpr const char* kOperatorPassword = "bench-operator-password";
constexpr std::int64_t kDay = 86'400;

struct Options {
    std::string server;
    seed::SeedOptions seed;
    std::vector<std::size_t> connections = {1};
    std::size_t requests = 300;  ///< per phase, over all connections
    int max_seconds = 10;        ///< per phase
    std::size_t pages = 300;     ///< history pages followed through `next`
    std::size_t changes = 20;    ///< tickets changed for the bytes-per-change figure
    std::string plans;           ///< console_plans, run on the seeded folder at the end
};

std::vector<std::size_t> parse_list(const std::string& text) {
    std::vector<std::size_t> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) out.push_back(std::stoul(item));
    return out;
}

Options parse(int argc, char** argv) {
    if (argc < 2) throw std::invalid_argument("the path of helpline-server is required");
    Options o;
    o.server = argv[1];
    parse_flags(argc, argv, 2,
                {
                    {"--open", [&](const std::string& v) { o.seed.open = std::stoul(v); }},
                    {"--closed", [&](const std::string& v) { o.seed.closed = std::stoul(v); }},
                    {"--groups", [&](const std::string& v) { o.seed.groups = std::stoi(v); }},
                    {"--operators", [&](const std::string& v) { o.seed.operators = std::stoi(v); }},
                    {"--focus-visible",
                     [&](const std::string& v) { o.seed.focus_visible = std::stoul(v); }},
                    {"--seed", [&](const std::string& v) { o.seed.seed = std::stoull(v); }},
                    {"--now", [&](const std::string& v) { o.seed.now = std::stoll(v); }},
                    {"--connections", [&](const std::string& v) { o.connections = parse_list(v); }},
                    {"--requests", [&](const std::string& v) { o.requests = std::stoul(v); }},
                    {"--max-seconds", [&](const std::string& v) { o.max_seconds = std::stoi(v); }},
                    {"--pages", [&](const std::string& v) { o.pages = std::stoul(v); }},
                    {"--changes", [&](const std::string& v) { o.changes = std::stoul(v); }},
                    {"--plans", [&](const std::string& v) { o.plans = v; }},
                });
    if (o.connections.empty() || o.requests == 0 || o.max_seconds <= 0 || o.seed.focus_visible == 0)
        throw std::invalid_argument("counts must be > 0");
    return o;
}

std::string url_encode(const std::string& s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

std::string utc_date(std::int64_t t) {
    const std::time_t tt = t;
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char out[16];
    std::strftime(out, sizeof out, "%Y-%m-%d", &tm);
    return out;
}

Headers bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
}

HttpResponse call(std::uint16_t port, const std::string& method, const std::string& path,
                  const std::string& token = {}, const std::string& body = {}) {
    BlockingClient client(port);
    return client.send(http_request(method, path, token.empty() ? Headers{} : bearer(token), body),
                       std::chrono::seconds(60));
}

std::string sign_in(std::uint16_t port, const std::string& email, const std::string& password) {
    const auto r = call(port, "POST", "/api/v1/auth/login", {},
                        nlohmann::json{{"email", email}, {"password", password}}.dump());
    if (r.status != 200)
        throw std::runtime_error("signing in as " + email + " answered " +
                                 std::to_string(r.status) + ": " + r.body);
    return nlohmann::json::parse(r.body).at("token").get<std::string>();
}

/// One measured endpoint and its baseline.
struct Row {
    std::string name;
    std::string who;
    std::size_t connections = 0;
    double target_ms = 0;  ///< p99 target; 0: none
    LoadResult load;
    LoadResult livez;
    std::size_t bytes = 0;      ///< body of one answer
    std::size_t rows = 0;       ///< tickets (or emails) in one answer
    double server_cpu_ms = 0;   ///< per request
    double server_rss_mib = 0;  ///< after the phase
    std::size_t failures = 0;   ///< answers that were not 200
};

double p(const LoadResult& l, double q) {
    return percentile(l.latencies_ms, q);
}
double max_of(const LoadResult& l) {
    return l.latencies_ms.empty() ? 0
                                  : *std::max_element(l.latencies_ms.begin(), l.latencies_ms.end());
}

/// How many tickets or emails an answer holds.
std::size_t count_rows(const HttpResponse& r) {
    if (r.headers.count("content-type") && r.headers.at("content-type").rfind("text/csv", 0) == 0)
        return static_cast<std::size_t>(std::count(r.body.begin(), r.body.end(), '\n')) - 1;
    try {
        const auto j = nlohmann::json::parse(r.body);
        if (j.contains("tickets")) return j.at("tickets").size();
        if (j.contains("emails")) return j.at("emails").size();
        if (j.contains("workload")) return j.at("workload").size();
    } catch (const std::exception&) {
    }
    return 0;
}

class Bench {
  public:
    Bench(const Options& o, const BenchServer& server) : o_(o), server_(server) {}

    Row measure(const std::string& name, const std::string& who, const std::string& token,
                const std::string& path, std::size_t connections, double target_ms) {
        Row row;
        row.name = name;
        row.who = who;
        row.connections = connections;
        row.target_ms = target_ms;
        LoadOptions l;
        l.port = server_.port();
        l.connections = connections;
        l.requests = o_.requests;
        l.max_time = std::chrono::seconds(o_.max_seconds);
        const std::string livez = http_request("GET", "/livez");
        l.make_request = [&](std::size_t, std::size_t) { return livez; };
        row.livez = run_load(l);
        const std::string request = http_request("GET", path, bearer(token));
        l.make_request = [&](std::size_t, std::size_t) { return request; };
        l.on_response = [&](std::size_t, const HttpResponse& r) {
            if (r.status != 200) {
                if (row.failures++ == 0)
                    std::printf("  !! %s answered %d: %.200s\n", path.c_str(), r.status,
                                r.body.c_str());
                return;
            }
            if (row.bytes == 0) {
                row.bytes = r.body.size();
                row.rows = count_rows(r);
            }
        };
        const double cpu = server_.cpu_seconds();
        row.load = run_load(l);
        if (row.load.completed > 0)
            row.server_cpu_ms =
                1000 * (server_.cpu_seconds() - cpu) / static_cast<double>(row.load.completed);
        row.failures += row.load.broken_connections;
        row.server_rss_mib = static_cast<double>(server_.rss_kib()) / 1024;
        print(row);
        rows_.push_back(row);
        return row;
    }

    void print(const Row& r) const {
        std::printf(
            "  %-46s %-8s c=%zu n=%4zu  p50 %7.2f  p99 %7.2f  max %7.2f ms | /livez p50 %5.2f p99 "
            "%5.2f | "
            "p99 ratio %6.1f | %8zu B, %5zu rows, server CPU %.2f ms/req, RSS %.0f MiB%s\n",
            r.name.c_str(), r.who.c_str(), r.connections, r.load.completed, p(r.load, 0.5),
            p(r.load, 0.99), max_of(r.load), p(r.livez, 0.5), p(r.livez, 0.99),
            p(r.load, 0.99) / std::max(1e-3, p(r.livez, 0.99)), r.bytes, r.rows, r.server_cpu_ms,
            r.server_rss_mib,
            r.target_ms > 0
                ? (p(r.load, 0.99) <= r.target_ms ? "  [target met]" : "  [TARGET MISSED]")
                : "");
        std::fflush(stdout);
    }

    /// The rows as a Markdown table, for docs/benchmarks.md.
    void print_table() const {
        std::printf(
            "\n| endpoint | who | conns | n | p50 | p99 | max | /livez p50 / p99 | p99 ratio | "
            "bytes | rows | "
            "target |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (const Row& r : rows_) {
            std::string target = "—";
            if (r.target_ms > 0)
                target = "≤ " + std::to_string(static_cast<int>(r.target_ms)) +
                         " ms: " + (p(r.load, 0.99) <= r.target_ms ? "met" : "**missed**");
            std::printf(
                "| `%s` | %s | %zu | %zu | %.2f | %.2f | %.2f | %.2f / %.2f | %.0f | %zu | %zu | "
                "%s |\n",
                r.name.c_str(), r.who.c_str(), r.connections, r.load.completed, p(r.load, 0.5),
                p(r.load, 0.99), max_of(r.load), p(r.livez, 0.5), p(r.livez, 0.99),
                p(r.load, 0.99) / std::max(1e-3, p(r.livez, 0.99)), r.bytes, r.rows,
                target.c_str());
        }
    }

    std::size_t failures() const {
        std::size_t n = 0;
        for (const Row& r : rows_) n += r.failures;
        return n;
    }

  private:
    const Options& o_;
    const BenchServer& server_;
    std::vector<Row> rows_;
};

/// Follows `next` from the first history page for `pages` pages (or 60 s): the cost of
/// paging deep, one page after the other as a person would.
void walk_pages(std::uint16_t port, const std::string& who, const std::string& token,
                std::size_t pages) {
    BlockingClient client(port);
    std::vector<double> ms;
    std::string next;
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    std::size_t rows = 0;
    while (ms.size() < pages && Clock::now() < deadline) {
        const std::string path =
            "/api/v1/history?limit=100" + (next.empty() ? "" : "&after=" + url_encode(next));
        const auto start = Clock::now();
        const auto r =
            client.send(http_request("GET", path, bearer(token)), std::chrono::seconds(30));
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        if (r.status != 200)
            throw std::runtime_error("history page answered " + std::to_string(r.status));
        const auto j = nlohmann::json::parse(r.body);
        rows += j.at("tickets").size();
        if (j.at("next").is_null()) break;
        next = j.at("next").get<std::string>();
    }
    std::printf(
        "  %-46s %-8s c=1 n=%4zu  p50 %7.2f  p99 %7.2f  max %7.2f ms | %zu rows, last cursor "
        "%s%s\n",
        "GET /history following next, page after page", who.c_str(), ms.size(), percentile(ms, 0.5),
        percentile(ms, 0.99), *std::max_element(ms.begin(), ms.end()), rows, next.c_str(),
        percentile(ms, 0.99) <= 50 ? "  [target met]" : "  [TARGET MISSED]");
}

/// One changed ticket: what reaches the operator's console (its ticket-changed event)
/// against the queue a console refetched for each change before.
void bytes_per_change(std::uint16_t port, const std::string& admin, const std::string& op,
                      std::size_t changes) {
    const auto queue = call(port, "GET", "/api/v1/queue", op);
    const auto tickets = nlohmann::json::parse(queue.body).at("tickets");
    if (tickets.empty()) throw std::runtime_error("the operator's queue is empty");
    const std::size_t queue_wire = queue.body.size() + 200;  // + the answer's head, about
    ConsoleStream stream(port, op);
    std::size_t wire = 0;
    (void)stream.next("hello", std::chrono::seconds(10), wire);
    std::vector<double> frame_bytes, wire_bytes, latency_ms;
    static constexpr const char* kPriorities[] = {"low", "medium", "high", "urgent"};
    for (std::size_t i = 0; i < changes; ++i) {
        const auto& t = tickets[i % tickets.size()];
        const std::string current = t.at("priority").get<std::string>();
        std::string next = kPriorities[i % 4];
        if (next == current) next = kPriorities[(i + 1) % 4];
        const auto number = t.at("number").get<long long>();
        wire = 0;
        const auto start = Clock::now();
        const auto r = call(port, "PATCH", "/api/v1/tickets/" + std::to_string(number), admin,
                            nlohmann::json{{"priority", next}}.dump());
        if (r.status != 200)
            throw std::runtime_error("PATCH answered " + std::to_string(r.status) + ": " + r.body);
        for (;;) {
            const SseEvent e = stream.next("ticket-changed", std::chrono::seconds(10), wire);
            const auto data = nlohmann::json::parse(e.data);
            if (data.at("number").get<long long>() != number) continue;
            latency_ms.push_back(
                std::chrono::duration<double, std::milli>(Clock::now() - start).count());
            if (data.at("ticket").is_null() || data.at("ticket").at("priority") != next)
                throw std::runtime_error(
                    "the ticket-changed event does not carry the changed ticket");
            // The event as the server frames it: "event: ticket-changed\ndata: {...}\n\n".
            frame_bytes.push_back(static_cast<double>(
                std::string("event: ticket-changed\ndata: \n\n").size() + e.data.size()));
            wire_bytes.push_back(static_cast<double>(wire));
            break;
        }
    }
    const double frame = median(frame_bytes);
    std::printf(
        "\n  bytes per change (%zu PATCHes of tickets in the operator's queue, by the admin):\n"
        "    ticket-changed event: %.0f bytes (median; %.0f on the wire with chunk framing)\n"
        "    GET /api/v1/queue for that operator: %zu bytes of JSON (%zu tickets; ~%zu with the "
        "head)\n"
        "    ratio event / queue: %.4f (%.0fx fewer bytes per change)\n"
        "    PATCH sent -> event read: p50 %.2f ms, max %.2f ms\n",
        changes, frame, median(wire_bytes), queue.body.size(), tickets.size(), queue_wire,
        frame / static_cast<double>(queue.body.size()),
        static_cast<double>(queue.body.size()) / frame, percentile(latency_ms, 0.5),
        *std::max_element(latency_ms.begin(), latency_ms.end()));
}

/// Runs argv (no shell) with this process's stdout and stderr; its exit status.
int run_program(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    if (::posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0)
        throw std::runtime_error("cannot start " + argv[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int run(const Options& o) {
    seed::SeedReport seeded;
    std::printf("console benchmark: seeding %zu open and %zu closed/expired tickets …\n",
                o.seed.open, o.seed.closed);
    std::printf("  machine: %s\n", machine_load().c_str());
    std::fflush(stdout);
    BenchServer server(o.server, {"--login-limit", "1000"}, 0,
                       [&](const std::filesystem::path& data) {
                           seeded = seed::seed_data_folder(data, o.seed, true);
                           std::ofstream(data.parent_path() / "seed.json") << seeded.json() << "\n";
                       });
    std::printf(
        "  seeded in %.1f s (generate %.1f s, write %.1f s, foreign_key_check + integrity_check "
        "%.1f s): "
        "%zu open, %zu closed, %zu expired, %zu requesters, %zu devices, %zu handlers, %zu audit "
        "entries; "
        "database %.0f MiB\n",
        seeded.generate_s + seeded.write_s + seeded.check_s, seeded.generate_s, seeded.write_s,
        seeded.check_s, seeded.open, seeded.closed, seeded.expired, seeded.requesters,
        seeded.devices, seeded.handlers, seeded.audit_entries,
        static_cast<double>(seeded.database_bytes) / (1 << 20));
    std::printf("  helpline-server pid %d on 127.0.0.1:%u; data in %s; RSS %.1f MiB\n",
                server.pid(), server.port(), server.dir().c_str(),
                static_cast<double>(server.rss_kib()) / 1024);
    const std::uint16_t port = server.port();
    const std::string admin = sign_in(port, server.admin_email(), server.admin_password());
    const auto set = call(port, "PATCH", "/api/v1/users/" + std::to_string(seeded.focus_id), admin,
                          nlohmann::json{{"password", kOperatorPassword}}.dump());
    if (set.status != 200)
        throw std::runtime_error("setting the operator's password answered " + set.body);
    const std::string op = sign_in(port, seeded.focus_email, kOperatorPassword);
    std::printf(
        "  operator %s (user %lld, group %s): %zu open tickets in their queue, %zu in their "
        "history view\n",
        seeded.focus_email.c_str(), static_cast<long long>(seeded.focus_id),
        seeded.focus_group.c_str(), seeded.focus_open, seeded.focus_history);
    std::printf(
        "  frequent requester %s (%zu tickets in history), rare %s, type-ahead prefixes \"a\" and "
        "\"%s\"\n",
        seeded.frequent_email.c_str(), seeded.frequent_tickets, seeded.rare_email.c_str(),
        seeded.prefix3.c_str());

    // The server's views must hold what was seeded into them.
    for (const auto& [who, token, expected] : {std::tuple{"operator", &op, seeded.focus_open},
                                               std::tuple{"admin", &admin, seeded.open}}) {
        const auto queue = call(port, "GET", "/api/v1/queue", *token);
        const std::size_t n = queue.status == 200 ? count_rows(queue) : 0;
        if (n != expected)
            throw std::runtime_error(std::string("the ") + who + "'s queue holds " +
                                     std::to_string(n) + " tickets, not the " +
                                     std::to_string(expected) + " seeded into it");
    }
    const auto op_dashboard =
        nlohmann::json::parse(call(port, "GET", "/api/v1/dashboard", op).body);
    const auto history_seen = op_dashboard.at("by_status").at("closed").get<std::size_t>() +
                              op_dashboard.at("by_status").at("expired").get<std::size_t>();
    if (history_seen != seeded.focus_history)
        throw std::runtime_error("the operator's dashboard counts " + std::to_string(history_seen) +
                                 " tickets in their history, not the " +
                                 std::to_string(seeded.focus_history) + " seeded into it");

    const std::int64_t middle = ((seeded.history_from + seeded.now) / 2) / kDay * kDay;
    const std::string range =
        "from=" + utc_date(middle - 15 * kDay) + "&to=" + utc_date(middle + 15 * kDay);
    struct Endpoint {
        std::string name;
        std::string path;
        double target_ms;
    };
    const std::vector<Endpoint> history = {
        {"GET /history", "/api/v1/history", 50},
        {"GET /history?email=(frequent)",
         "/api/v1/history?email=" + url_encode(seeded.frequent_email), 50},
        {"GET /history?email=(rare)", "/api/v1/history?email=" + url_encode(seeded.rare_email), 50},
        {"GET /history?days=7", "/api/v1/history?days=7", 50},
        {"GET /history?days=365", "/api/v1/history?days=365", 50},
        {"GET /history?" + range, "/api/v1/history?" + range, 50},
        {"GET /history?limit=1000", "/api/v1/history?limit=1000", 50},
        {"GET /history?after=(mid-history cursor)",
         "/api/v1/history?after=" + url_encode(seeded.middle_cursor), 50},
        {"GET /history/requesters?prefix=a", "/api/v1/history/requesters?prefix=a", 0},
        {"GET /history/requesters?prefix=" + seeded.prefix3,
         "/api/v1/history/requesters?prefix=" + url_encode(seeded.prefix3), 0},
        {"GET /history/export?limit=1000", "/api/v1/history/export?limit=1000", 0},
    };

    Bench bench(o, server);
    // Warm-up (not reported): the page cache, the statement caches of the reader connections.
    for (const auto* token : {&admin, &op}) {
        (void)call(port, "GET", "/api/v1/queue", *token);
        for (const auto& e : history) (void)call(port, "GET", e.path, *token);
        (void)call(port, "GET", "/api/v1/dashboard", *token);
    }
    for (const std::size_t c : o.connections) {
        std::printf(
            "\n  %zu connection(s), %zu requests or %d s per phase; GET /livez through the same "
            "client just "
            "before each:\n",
            c, o.requests, o.max_seconds);
        bench.measure("GET /queue", "operator", op, "/api/v1/queue", c, 20);
        bench.measure("GET /queue", "admin", admin, "/api/v1/queue", c, 0);
        for (const auto& e : history) {
            bench.measure(e.name, "operator", op, e.path, c, e.target_ms);
            bench.measure(e.name, "admin", admin, e.path, c, e.target_ms);
        }
        bench.measure("GET /dashboard", "operator", op, "/api/v1/dashboard", c, 0);
        bench.measure("GET /dashboard", "admin", admin, "/api/v1/dashboard", c, 0);
    }
    std::printf("\n");
    walk_pages(port, "operator", op, o.pages);
    walk_pages(port, "admin", admin, o.pages);
    bytes_per_change(port, admin, op, o.changes);
    bench.print_table();

    std::printf("\n  server RSS at the end: %.1f MiB\n",
                static_cast<double>(server.rss_kib()) / 1024);
    std::printf("  machine at the end: %s\n", machine_load().c_str());
    const std::filesystem::path dir = server.dir();
    std::printf("  server: %s\n", server.stop().c_str());
    if (!o.plans.empty()) {
        std::printf("\n");
        std::fflush(stdout);
        const std::string data = (dir / "data").string();
        const std::string report = (dir / "seed.json").string();
        if (run_program({o.plans, data, report}) != 0) return 1;
    }
    return bench.failures() == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    return helpline::bench::bench_main("console_bench", kUsage,
                                       [&] { return run(parse(argc, argv)); });
}
