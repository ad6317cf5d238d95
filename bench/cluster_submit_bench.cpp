// bench/cluster_submit: durable ticket submissions on PostgreSQL, one server and two servers
// behind HAProxy, against SQLite's one server, with the same load generator in one run
// (issue 16). Targets: PostgreSQL, one server >= 0.7x SQLite; two servers behind HAProxy
// >= 1.6x one server on PostgreSQL.
//
// Four set-ups, all running at once (the idle ones cost next to nothing), measured in turn
// round after round so that a change in the machine's load falls on all of them alike:
//   sqlite       one server on the data folder's SQLite file (the baseline)
//   pg           one server on a PostgreSQL database
//   pg+haproxy   the same server behind HAProxy: HAProxy's own cost, without a second server
//   pg x2        two servers on another database, behind HAProxy (balance leastconn)
// PostgreSQL is a private cluster (tests/support/pg_cluster.sh: durability at PostgreSQL's
// defaults, fsync and synchronous_commit on). HAProxy speaks plain HTTP on loopback here:
// the load driver does not do TLS, and no set-up has TLS, so none pays for it.
//
// Each phase is closed-loop (every connection sends its next submission when answered, as
// bench/submit does) and records, besides rate and latency, the CPU time of every process
// (servers, PostgreSQL's processes, HAProxy, the load driver), PostgreSQL's commits read
// back from the WAL (the store groups submissions into one commit; every server takes the
// same write lock for it) and where the store's backends were (pg_stat_activity, every
// 20 ms). At the end, every acknowledged ticket must be stored, once.
//
// --statements yes loads pg_stat_statements (the cluster restarts once, before the servers
// start) and prints, per PostgreSQL set-up, the statements of its last phase per
// submission: a diagnosis run, its small overhead falls on the PostgreSQL set-ups only.
//
// usage: cluster_submit_bench HELPLINE_SERVER [--connections 64] [--requests 20000]
//                             [--max-seconds 15] [--rounds 3] [--devices 64]
//                             [--statements no|yes]

#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>

#include "bench/bench_server.h"
#include "bench/bench_util.h"
#include "bench/haproxy_process.h"
#include "bench/load_driver.h"
#include "bench/pg_load_stats.h"
#include "bench/submissions.h"
#include "tests/support/pg_test_database.h"

namespace {

using namespace helpline::bench;

struct Options {
    std::string server;
    std::vector<std::size_t> connections = {64};
    std::size_t requests = 20'000;
    int max_seconds = 15;
    int rounds = 3;
    std::size_t devices = 64;
    bool statements = false;  ///< pg_stat_statements: PostgreSQL's statements per submission
};

constexpr const char* kUsage =
    "usage: cluster_submit_bench HELPLINE_SERVER [--connections 64] [--requests 20000]\n"
    "                            [--max-seconds 15] [--rounds 3] [--devices 64]\n"
    "                            [--statements no|yes]\n";

Options parse(int argc, char** argv) {
    if (argc < 2) throw std::invalid_argument("the path of helpline-server is required");
    Options o;
    o.server = argv[1];
    parse_flags(argc, argv, 2,
                {
                    {"--connections", [&](const std::string& v) { o.connections = parse_list(v); }},
                    {"--requests", [&](const std::string& v) { o.requests = std::stoul(v); }},
                    {"--max-seconds", [&](const std::string& v) { o.max_seconds = std::stoi(v); }},
                    {"--rounds", [&](const std::string& v) { o.rounds = std::stoi(v); }},
                    {"--devices", [&](const std::string& v) { o.devices = std::stoul(v); }},
                    {"--statements",
                     [&](const std::string& v) {
                         if (v != "yes" && v != "no")
                             throw std::invalid_argument("--statements takes yes or no");
                         o.statements = v == "yes";
                     }},
                });
    if (o.connections.empty() || o.requests == 0 || o.rounds <= 0 || o.devices == 0 ||
        o.max_seconds <= 0)
        throw std::invalid_argument("counts must be > 0");
    return o;
}

/// HAProxy in front of `ports`, as deploy/haproxy.cfg balances (leastconn, /readyz checks),
/// but plain HTTP and without the request log.
std::string http_proxy_config(std::uint16_t listen, const std::vector<std::uint16_t>& ports) {
    std::string servers;
    for (std::size_t i = 0; i < ports.size(); ++i)
        servers += "    server s" + std::to_string(i + 1) +
                   " 127.0.0.1:" + std::to_string(ports[i]) + "\n";
    return "global\n"
           "    maxconn 5000\n"
           "defaults\n"
           "    mode http\n"
           "    timeout connect 5s\n"
           "    timeout client 60s\n"
           "    timeout server 60s\n"
           "    timeout http-keep-alive 10s\n"
           "frontend bench\n"
           "    bind 127.0.0.1:" +
           std::to_string(listen) +
           "\n"
           "    default_backend helpline\n"
           "backend helpline\n"
           "    balance leastconn\n"
           "    option httpchk GET /readyz\n"
           "    http-check expect status 200\n"
           "    default-server check inter 2s\n" +
           servers;
}

/// One set-up: where the load goes and who serves it.
struct Setup {
    std::string label;
    std::string what;
    std::uint16_t port = 0;  ///< the load's target
    std::vector<const BenchServer*> servers;
    const HaproxyProcess* proxy = nullptr;
    WaitSampler* sampler = nullptr;  ///< PostgreSQL set-ups only
    std::vector<std::string> tokens;
    const char* team = "";  ///< set-ups on one team share it
    std::string database;   ///< PostgreSQL's name for it
};

/// What one closed-loop phase measured.
struct Phase {
    LoadResult load;
    std::vector<double> server_cpu;          ///< per server
    std::vector<long long> server_requests;  ///< HTTP requests per server (its /metrics)
    double postgres_cpu = 0;
    double proxy_cpu = 0;
    WalCommits commits;  ///< PostgreSQL set-ups only
    WaitSampler::Profile waits;
    /// With --statements: the database's statements by calls (calls, total ms, text).
    std::vector<std::vector<std::string>> statements;

    std::size_t created() const { return load.count(201); }
    double server_cpu_total() const {
        double sum = 0;
        for (const double c : server_cpu) sum += c;
        return sum;
    }
};

long long requests_served(const BenchServer& server) {
    BlockingClient client(server.port());
    return metric_value(client.send(http_request("GET", "/metrics")).body,
                        "helpline_http_requests_total");
}

struct Machine {
    pid_t postmaster = -1;
    PgConnection* stats = nullptr;  ///< for the WAL's positions and commits
    bool statements = false;        ///< pg_stat_statements is loaded
};

Phase measure(const Setup& s, const Machine& m, std::size_t connections, std::size_t requests,
              int max_seconds, UuidMaker& uuids) {
    LoadOptions o;
    o.port = s.port;
    o.connections = connections;
    o.requests = requests;
    o.max_time = std::chrono::seconds(max_seconds);
    o.make_request = [&](std::size_t connection, std::size_t seq) {
        return submission_request(s.tokens[connection % s.tokens.size()], seq, uuids.next());
    };
    Phase p;
    std::vector<double> cpu_before;
    std::vector<long long> requests_before;
    for (const auto* server : s.servers) {
        cpu_before.push_back(server->cpu_seconds());
        requests_before.push_back(requests_served(*server));
    }
    const double pg_before = postgres_cpu_seconds(m.postmaster);
    const double proxy_before = s.proxy ? s.proxy->cpu_seconds() : 0;
    const std::string wal_before = wal_position(*m.stats);
    if (s.sampler && m.statements) m.stats->value("SELECT pg_stat_statements_reset()");
    if (s.sampler) s.sampler->reset();

    p.load = run_load(o);

    if (s.sampler) p.waits = s.sampler->profile();
    const std::string wal_after = wal_position(*m.stats);
    p.proxy_cpu = s.proxy ? s.proxy->cpu_seconds() - proxy_before : 0;
    p.postgres_cpu = postgres_cpu_seconds(m.postmaster) - pg_before;
    for (std::size_t i = 0; i < s.servers.size(); ++i) {
        p.server_cpu.push_back(s.servers[i]->cpu_seconds() - cpu_before[i]);
        // Less this phase's own /metrics request.
        p.server_requests.push_back(requests_served(*s.servers[i]) - requests_before[i] - 1);
    }
    // Read back once the CPU figures are taken: reading the WAL costs PostgreSQL CPU.
    if (s.sampler) p.commits = commits_between(*m.stats, wal_before, wal_after);
    if (s.sampler && m.statements)
        p.statements = m.stats->rows(
            "SELECT calls, round(total_exec_time::numeric, 1), left(regexp_replace(query, '\\s+', "
            "' ', 'g'), 90) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
            "WHERE d.datname = '" +
            s.database + "' ORDER BY calls DESC, total_exec_time DESC LIMIT 20");
    return p;
}

/// Counts answers that are not 201 and broken connections; prints them. A phase that met
/// its time limit before its count is a figure (the rate is over the time), not a failure.
int check(const std::string& label, const Phase& p) {
    const std::size_t ok = p.created();
    if (ok == p.load.completed && p.load.broken_connections == 0) {
        if (p.load.timed_out)
            std::printf("    (%s: time limit reached after %zu submissions)\n", label.c_str(), ok);
        return 0;
    }
    std::printf("    !! %s: %zu answers were not 201, %zu connections broke:", label.c_str(),
                p.load.completed - ok, p.load.broken_connections);
    for (const auto& [status, n] : p.load.statuses) std::printf(" %d x%zu", status, n);
    std::printf("\n");
    return 1;
}

double per_second(const std::vector<Phase>& phases) {
    std::vector<double> v;
    for (const auto& p : phases) v.push_back(static_cast<double>(p.created()) / p.load.wall_s);
    return median(v);
}

double p99(const std::vector<Phase>& phases) {
    std::vector<double> v;
    for (const auto& p : phases) v.push_back(percentile(p.load.latencies_ms, 0.99));
    return median(v);
}

double p50(const std::vector<Phase>& phases) {
    std::vector<double> v;
    for (const auto& p : phases) v.push_back(percentile(p.load.latencies_ms, 0.5));
    return median(v);
}

/// Sums of one set-up's phases: where its CPU went.
struct Totals {
    double wall = 0, created = 0, client = 0, postgres = 0, proxy = 0;
    double commits = 0, savepoints = 0, other_commits = 0;
    std::vector<double> servers;
    std::vector<double> requests;
    WaitSampler::Profile waits;  ///< averaged over the phases
};

Totals totals(const std::vector<Phase>& phases) {
    Totals t;
    for (const auto& p : phases) {
        t.wall += p.load.wall_s;
        t.created += static_cast<double>(p.created());
        t.client += p.load.client_cpu_s;
        t.postgres += p.postgres_cpu;
        t.proxy += p.proxy_cpu;
        t.commits += static_cast<double>(p.commits.submission_commits);
        t.savepoints += static_cast<double>(p.commits.savepoints);
        t.other_commits += static_cast<double>(p.commits.other_commits);
        t.servers.resize(p.server_cpu.size());
        t.requests.resize(p.server_cpu.size());
        for (std::size_t i = 0; i < p.server_cpu.size(); ++i) {
            t.servers[i] += p.server_cpu[i];
            t.requests[i] += static_cast<double>(p.server_requests[i]);
        }
        const double n = static_cast<double>(phases.size());
        t.waits.samples += p.waits.samples;
        t.waits.running += p.waits.running / n;
        t.waits.write_lock += p.waits.write_lock / n;
        t.waits.wal += p.waits.wal / n;
        t.waits.other_wait += p.waits.other_wait / n;
        t.waits.idle += p.waits.idle / n;
        t.waits.notify_busy += p.waits.notify_busy / n;
    }
    return t;
}

void print_cpu(const Setup& s, const Totals& t, bool postgres) {
    const auto ms_per_1000 = [&](double cpu) { return 1e6 * cpu / t.created; };
    double server_sum = 0;
    for (const double c : t.servers) server_sum += c;
    const double all = server_sum + (postgres ? t.postgres : 0) + t.proxy + t.client;
    std::printf("    %-11s CPU ms per 1000 submissions: server%s", s.label.c_str(),
                t.servers.size() > 1 ? "s" : "");
    for (std::size_t i = 0; i < t.servers.size(); ++i)
        std::printf("%s %.0f", i == 0 ? "" : " +", ms_per_1000(t.servers[i]));
    if (postgres) std::printf(", PostgreSQL %.0f", ms_per_1000(t.postgres));
    if (s.proxy) std::printf(", HAProxy %.0f", ms_per_1000(t.proxy));
    std::printf(", load driver %.0f; total %.0f\n", ms_per_1000(t.client), ms_per_1000(all));
    std::printf("    %-11s cores busy: servers %.2f", "", server_sum / t.wall);
    if (postgres) std::printf(", PostgreSQL %.2f", t.postgres / t.wall);
    if (s.proxy) std::printf(", HAProxy %.2f", t.proxy / t.wall);
    std::printf(", load driver %.2f; all %.2f of %u\n", t.client / t.wall, all / t.wall,
                std::thread::hardware_concurrency());
    if (t.servers.size() > 1) {
        double requests = 0;
        for (const double r : t.requests) requests += r;
        std::printf("    %-11s requests per server:", "");
        for (std::size_t i = 0; i < t.requests.size(); ++i)
            std::printf(" s%zu %.0f %%", i + 1, 100 * t.requests[i] / requests);
        std::printf("\n");
    }
    if (!postgres) return;
    std::printf(
        "    %-11s commits (WAL): %.0f /s of submissions, %.1f submissions each (%.0f savepoints "
        "for %.0f acknowledged); %.0f /s others (%.2f per submission: NOTIFY, heartbeats)\n",
        "", t.commits / t.wall, t.savepoints / t.commits, t.savepoints, t.created,
        t.other_commits / t.wall, t.other_commits / t.created);
    std::printf(
        "    %-11s store backends on average: %.2f running, %.2f waiting for the write lock, "
        "%.2f on the WAL, %.2f other waits, %.2f idle; NOTIFY connections busy %.2f (%zu "
        "samples)\n",
        "", t.waits.running, t.waits.write_lock, t.waits.wal, t.waits.other_wait, t.waits.idle,
        t.waits.notify_busy, t.waits.samples);
}

/// PostgreSQL's statements in a phase, per submission (pg_stat_statements).
void print_statements(const std::string& label, const Phase& p) {
    const auto created = static_cast<double>(p.created());
    double calls = 0, ms = 0;
    for (const auto& row : p.statements) {
        calls += std::stod(row[0]);
        ms += std::stod(row[1]);
    }
    std::printf(
        "    %s, last round: the 20 most called statements, %.1f calls and %.3f ms of "
        "execution per submission:\n",
        label.c_str(), calls / created, ms / created);
    for (const auto& row : p.statements)
        std::printf("      %6.2f calls/submission  %7.4f ms each  %s\n",
                    std::stod(row[0]) / created,
                    std::stod(row[1]) / std::max(1.0, std::stod(row[0])), row[2].c_str());
}

int run(const Options& o) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures appear as they are measured
    const std::vector<std::string> limits = {"--submit-limit", "1000000", "--register-limit",
                                             "1000000"};
    auto cluster = helpline::test::PostgresCluster::make_private();
    if (o.statements) {
        PgConnection(cluster->url("postgres"))
            .value("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
        cluster->restart();
    }
    PgConnection stats(cluster->url("postgres"));
    prepare_wal_reading(stats);
    if (o.statements) stats.value("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    const std::string single_url = cluster->fresh_database_url();
    const std::string pair_url = cluster->fresh_database_url();
    const auto database_of = [](const std::string& url) {
        return url.substr(url.find("@/") + 2, url.find('?') - url.find("@/") - 2);
    };
    BenchServer sqlite(o.server, limits);
    BenchServer single(o.server, limits, 0, {}, single_url);
    BenchServer pair1(o.server, limits, 0, {}, pair_url);
    BenchServer pair2(o.server, limits, 0, {}, pair_url, true);
    const std::uint16_t single_proxy_port = free_loopback_port();
    HaproxyProcess single_proxy(http_proxy_config(single_proxy_port, {single.port()}),
                                single_proxy_port);
    const std::uint16_t pair_proxy_port = free_loopback_port();
    HaproxyProcess pair_proxy(http_proxy_config(pair_proxy_port, {pair1.port(), pair2.port()}),
                              pair_proxy_port);
    WaitSampler single_waits(single_url, database_of(single_url), std::chrono::milliseconds(20));
    WaitSampler pair_waits(pair_url, database_of(pair_url), std::chrono::milliseconds(20));

    std::printf("cluster submit benchmark: helpline-server %s\n", o.server.c_str());
    std::printf("  PostgreSQL %s, cluster in %s (postmaster pid %d); %s\n",
                stats.value("SHOW server_version").c_str(), cluster->dir().c_str(),
                cluster->postmaster_pid(), HaproxyProcess::version().c_str());
    std::printf("  fsync %s, synchronous_commit %s, wal_sync_method %s, shared_buffers %s\n",
                stats.value("SHOW fsync").c_str(), stats.value("SHOW synchronous_commit").c_str(),
                stats.value("SHOW wal_sync_method").c_str(),
                stats.value("SHOW shared_buffers").c_str());
    std::printf("  machine: %s\n", machine_load().c_str());

    std::vector<Setup> setups = {
        {"sqlite",
         "SQLite, one server (baseline)",
         sqlite.port(),
         {&sqlite},
         nullptr,
         nullptr,
         {},
         "sqlite",
         ""},
        {"pg",
         "PostgreSQL, one server",
         single.port(),
         {&single},
         nullptr,
         &single_waits,
         {},
         "pg",
         database_of(single_url)},
        {"pg+haproxy",
         "PostgreSQL, one server behind HAProxy",
         single_proxy_port,
         {&single},
         &single_proxy,
         &single_waits,
         {},
         "pg",
         database_of(single_url)},
        {"pg x2",
         "PostgreSQL, two servers behind HAProxy",
         pair_proxy_port,
         {&pair1, &pair2},
         &pair_proxy,
         &pair_waits,
         {},
         "pg x2",
         database_of(pair_url)},
    };
    std::map<std::string, std::size_t> acknowledged;
    setups[0].tokens = register_devices(sqlite.port(), o.devices);
    setups[1].tokens = register_devices(single.port(), o.devices);
    setups[2].tokens = setups[1].tokens;
    setups[3].tokens = register_devices(pair1.port(), o.devices);
    std::printf("  %zu devices per team; %zu submissions (at most %d s) per phase, %d rounds\n\n",
                o.devices, o.requests, o.max_seconds, o.rounds);

    const Machine machine{cluster->postmaster_pid(), &stats, o.statements};
    UuidMaker uuids;
    // Warm-up (not reported): caches, prepared statements, HAProxy's server connections.
    for (const auto& s : setups)
        acknowledged[s.team] += measure(s, machine, 8, 500, o.max_seconds, uuids).created();

    int failures = 0;
    for (const std::size_t connections : o.connections) {
        std::printf("  closed loop, %zu connections:\n", connections);
        std::vector<std::vector<Phase>> phases(setups.size());
        for (int round = 0; round < o.rounds; ++round) {
            for (std::size_t i = 0; i < setups.size(); ++i) {
                const Phase p =
                    measure(setups[i], machine, connections, o.requests, o.max_seconds, uuids);
                std::printf(
                    "    round %d  %-11s %7.0f /s  p50 %6.2f ms  p99 %6.2f ms\n", round + 1,
                    setups[i].label.c_str(), static_cast<double>(p.created()) / p.load.wall_s,
                    percentile(p.load.latencies_ms, 0.5), percentile(p.load.latencies_ms, 0.99));
                failures += check(setups[i].label, p);
                acknowledged[setups[i].team] += p.created();
                phases[i].push_back(p);
            }
        }
        std::printf("  medians of %d rounds, %zu connections:\n", o.rounds, connections);
        for (std::size_t i = 0; i < setups.size(); ++i)
            std::printf("    %-11s %-40s %7.0f /s  p50 %6.2f ms  p99 %6.2f ms\n",
                        setups[i].label.c_str(), setups[i].what.c_str(), per_second(phases[i]),
                        p50(phases[i]), p99(phases[i]));
        const double a = per_second(phases[0]), b = per_second(phases[1]),
                     b_proxy = per_second(phases[2]), c = per_second(phases[3]);
        std::printf("    ratio pg / sqlite:        %.2f (target >= 0.70), p99 %.2fx\n", b / a,
                    p99(phases[1]) / p99(phases[0]));
        std::printf("    ratio pg x2 / pg:         %.2f (target >= 1.60), p99 %.2fx\n", c / b,
                    p99(phases[3]) / p99(phases[1]));
        std::printf("    ratio pg x2 / pg+haproxy: %.2f (the second server alone)\n", c / b_proxy);
        std::printf("    ratio pg+haproxy / pg:    %.2f (HAProxy alone)\n", b_proxy / b);
        std::printf("  where the time went (sums over the rounds):\n");
        std::vector<Totals> t;
        for (std::size_t i = 0; i < setups.size(); ++i) {
            t.push_back(totals(phases[i]));
            print_cpu(setups[i], t.back(), i > 0);
        }
        if (o.statements) {
            for (std::size_t i = 1; i < setups.size(); ++i)
                print_statements(setups[i].label, phases[i].back());
        }

        // One core per server: what each part could carry with cores of its own, from its
        // CPU per submission here (each server's share of the submissions), against what
        // the write lock lets through: it is held for a whole commit of submissions, flush
        // included, on every server, so the cluster commits one batch at a time, as one
        // server alone does; one server alone is the lock's rate (it never waited for it).
        const Totals& one = t[1];
        const Totals& pair = t[3];
        double servers_capacity = 0;  // submissions/s with one core each, summed
        for (std::size_t i = 0; i < pair.servers.size(); ++i) {
            const double share = pair.requests[i] / (pair.requests[0] + pair.requests[1]);
            servers_capacity += share * pair.created / pair.servers[i];
        }
        const double postgres_per_core = pair.created / pair.postgres;
        const double proxy_per_core = pair.created / pair.proxy;
        const double lock_bound = one.created / one.wall;
        std::printf(
            "  one core per process, from these figures: the two servers could carry %.0f /s, "
            "HAProxy %.0f /s, PostgreSQL %.0f /s per core it is given; the write lock admits "
            "one commit at a time: one server alone committed %.0f /s (%.1f submissions each), "
            "two servers together %.0f /s (%.1f each), i.e. the lock's ceiling is about %.0f "
            "submissions/s = %.2fx one server, whatever the cores\n\n",
            servers_capacity, proxy_per_core, postgres_per_core, one.commits / one.wall,
            one.savepoints / one.commits, pair.commits / pair.wall, pair.savepoints / pair.commits,
            lock_bound * (pair.savepoints / pair.commits) / (one.savepoints / one.commits),
            (pair.savepoints / pair.commits) / (one.savepoints / one.commits));
    }

    // Every acknowledged ticket is stored, once.
    std::size_t stored_mismatch = 0;
    const auto compare = [&](const char* team, long long stored) {
        const auto acked = static_cast<long long>(acknowledged[team]);
        std::printf("  %-7s tickets acknowledged with 201: %lld, stored: %lld%s\n", team, acked,
                    stored, acked == stored ? "" : "  !! MISMATCH");
        stored_mismatch += acked == stored ? 0 : 1;
    };
    {
        BlockingClient client(sqlite.port());
        compare("sqlite", metric_value(client.send(http_request("GET", "/metrics")).body,
                                       "helpline_tickets_submitted_total"));
    }
    PgConnection single_db(single_url), pair_db(pair_url);
    compare("pg", std::stoll(single_db.value("SELECT count(*) FROM tickets")));
    compare("pg x2", std::stoll(pair_db.value("SELECT count(*) FROM tickets")));
    std::printf("  machine at the end: %s\n", machine_load().c_str());
    std::printf("  servers: %s, %s, %s, %s\n", sqlite.stop().c_str(), single.stop().c_str(),
                pair1.stop().c_str(), pair2.stop().c_str());
    return failures == 0 && stored_mismatch == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    return helpline::bench::bench_main("cluster_submit_bench", kUsage,
                                       [&] { return run(parse(argc, argv)); });
}
