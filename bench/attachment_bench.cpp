// bench/attachment_bench: uploading an attachment to the real helpline-server (issue 17).
//
// Target: a --mib (20) MiB file PUT to `/api/v1/tickets/{n}/attachments/{key}` reaches
// ≥ 0.8 of the throughput of the same bytes PUT by the same client over the same kind of
// connection to something that only reads them, and the server's RSS grows by ≤ 2 MiB
// while it arrives and is stored (the body is streamed to disk, never held in memory).
//
// The client is libcurl, as the customer's client uploads (client/core/api_client.cpp:
// Content-Length, `Expect: 100-continue`, one kept-alive connection). Each round sends new
// bytes (a fresh UUID written at the start of a random buffer, so the server cannot find
// them stored already) with a fresh key, to:
//  - the baseline: the benchmark's own sink (bench/upload_sink.h), which reads the body 64
//    KiB at a time and drops it. helpline-server has no route that would do this: a PUT to
//    /livez (or any route but uploads) with a 20 MiB Content-Length is refused with 413
//    before a byte of the body is read — the benchmark checks and prints that;
//  - the same sink writing the body to a file on the server's disk and fdatasync'ing it
//    (what any durable upload must at least pay);
//  - the server (201, the SHA-256 it answers checked against the bytes sent).
// The order rotates each round. Then the last bytes again under new keys (the server
// stores a content once: this is an upload without the database copy).
//
// Memory: for each upload the server's VmHWM is reset (/proc/PID/clear_refs) and read after
// the answer (the exact peak), while a thread samples VmRSS / RssAnon / RssFile every 2 ms.
//
// Set-ups: SQLite over plain HTTP, SQLite over TLS (--self-signed; the sink then speaks TLS
// with the server's certificate), PostgreSQL over plain HTTP (a private cluster as the
// tests start one). Last, where the time goes: the server is stopped and its phases are
// timed in this process with the server's own code on the same database
// (bench/attachment_phases.h).
//
// The exit status is 0 when the runs completed, whether or not a target was met (the
// figures say so; scripts/bench goes on to the next benchmark); 1 when a step failed.
//
// usage: attachment_bench HELPLINE_SERVER [--runs 21] [--mib 20] [--tls yes|no]
//                         [--postgres yes|no] [--phases 5] [--duplicates 3] [--max-seconds 600]

#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>

#include "bench/attachment_phases.h"
#include "bench/bench_server.h"
#include "bench/bench_util.h"
#include "bench/curl_client.h"
#include "bench/http_wire.h"
#include "bench/process_memory.h"
#include "bench/relay_ends.h"
#include "bench/submissions.h"
#include "bench/upload_sink.h"
#ifdef HELPLINE_BENCH_PG
#include "tests/support/pg_test_database.h"
#endif

namespace {

using namespace helpline::bench;
using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

#ifdef HELPLINE_BENCH_PG
constexpr bool kWithPostgres = true;
#else
constexpr bool kWithPostgres = false;  ///< the tests' cluster support is not built (tests off)
#endif

struct Options {
    std::string server;
    std::size_t runs = 21;
    std::size_t mib = 20;
    bool tls = true;
    bool postgres = kWithPostgres;
    std::size_t phases = 5;
    std::size_t duplicates = 3;
    int max_seconds = 600;
};

constexpr const char* kUsage =
    "usage: attachment_bench HELPLINE_SERVER [--runs 21] [--mib 20] [--tls yes|no] [--postgres "
    "yes|no]\n"
    "                        [--phases 5] [--duplicates 3] [--max-seconds 600]\n";

/// A ticket takes at most 100 attachments; a new one is submitted before that.
constexpr std::size_t kUploadsPerTicket = 40;

bool yes_no(const std::string& v, const char* name) {
    if (v != "yes" && v != "no")
        throw std::invalid_argument(std::string(name) + " must be yes or no");
    return v == "yes";
}

Options parse(int argc, char** argv) {
    if (argc < 2) throw std::invalid_argument("the path of helpline-server is required");
    Options o;
    o.server = argv[1];
    parse_flags(
        argc, argv, 2,
        {
            {"--runs", [&](const std::string& v) { o.runs = std::stoul(v); }},
            {"--mib", [&](const std::string& v) { o.mib = std::stoul(v); }},
            {"--tls", [&](const std::string& v) { o.tls = yes_no(v, "--tls"); }},
            {"--postgres", [&](const std::string& v) { o.postgres = yes_no(v, "--postgres"); }},
            {"--phases", [&](const std::string& v) { o.phases = std::stoul(v); }},
            {"--duplicates", [&](const std::string& v) { o.duplicates = std::stoul(v); }},
            {"--max-seconds", [&](const std::string& v) { o.max_seconds = std::stoi(v); }},
        });
    if (o.runs == 0 || o.runs > 200) throw std::invalid_argument("--runs must be 1 to 200");
    if (o.mib == 0 || o.mib > 1024)
        throw std::invalid_argument(
            "--mib must be 1 to 1024 (the server's limit is 20 by default)");
    if (o.phases > 40 || o.duplicates > 40)
        throw std::invalid_argument("--phases and --duplicates: at most 40");
    if (o.max_seconds <= 0) throw std::invalid_argument("--max-seconds must be positive");
    if (o.postgres && !kWithPostgres)
        throw std::invalid_argument(
            "built without PostgreSQL support (HELPLINE_BUILD_TESTS=OFF): pass --postgres no");
    return o;
}

std::string sha256_hex(const std::string& bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 0xF];
    }
    return out;
}

double mib(double kib) {
    return kib / 1024.0;
}
double mib(std::uint64_t kib) {
    return static_cast<double>(kib) / 1024.0;
}
double ms(double seconds) {
    return seconds * 1000.0;
}

struct Setup {
    std::string label;
    bool tls = false;
    std::string database;  ///< "" SQLite, else a PostgreSQL URL
};

/// The device, its current ticket, and how many uploads that ticket has.
struct Customer {
    std::string token;
    std::int64_t ticket = 0;
    std::size_t uploads = 0;
};

Json json_of(const CurlAnswer& a, long expected, const std::string& what) {
    if (a.status != expected)
        throw std::runtime_error(what + " answered " + std::to_string(a.status) + ": " + a.body);
    return Json::parse(a.body);
}

std::int64_t submit_ticket(CurlClient& api, const Customer& c, UuidMaker& uuids) {
    const Json body = {{"email", "ana@acme.example"},
                       {"description", "attachment benchmark"},
                       {"group_id", "helpdesk"}};
    return json_of(
               api.send("POST", "/api/v1/tickets",
                        {"Authorization: Bearer " + c.token, "Idempotency-Key: " + uuids.next()},
                        body.dump()),
               201, "POST /api/v1/tickets")
        .at("number")
        .get<std::int64_t>();
}

Customer make_customer(CurlClient& api, UuidMaker& uuids) {
    Customer c;
    c.token = json_of(api.send("POST", "/api/v1/devices", {},
                               R"({"profile_id":"acme-support","hostname":"bench","os":"linux"})"),
                      201, "POST /api/v1/devices")
                  .at("device_token")
                  .get<std::string>();
    c.ticket = submit_ticket(api, c, uuids);
    return c;
}

/// What /livez does with a large body: the status, answered from the head alone.
int probe_livez(std::uint16_t port, std::size_t bytes) {
    BlockingClient client(port);
    const std::string head =
        "PUT /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
        "Content-Length: " +
        std::to_string(bytes) + "\r\nExpect: 100-continue\r\n\r\n";
    return client.send(head, std::chrono::seconds(5)).status;
}

struct Figures {
    std::vector<double> discard, durable, upload, duplicate;  ///< seconds per PUT
    std::vector<double> server_cpu;                           ///< seconds per upload
    MemorySample idle;                                        ///< before the first upload
    std::vector<MemoryWatch::Result> memory;  ///< per upload, the first (warm-up) included
    std::size_t rounds = 0;
    bool cut_short = false;
};

/// One upload to the server: timed, checked, its memory watched.
double upload_once(CurlClient& server, CurlClient& api, const BenchServer& process, Customer& c,
                   UuidMaker& uuids, const std::string& bytes, const std::string& sha, Figures& f) {
    if (c.uploads == kUploadsPerTicket) {
        c.ticket = submit_ticket(api, c, uuids);
        c.uploads = 0;
    }
    const std::string path =
        "/api/v1/tickets/" + std::to_string(c.ticket) + "/attachments/" + uuids.next();
    const double cpu_before = process.cpu_seconds();
    MemoryWatch watch(process.pid(), std::chrono::milliseconds(2));
    const CurlAnswer a =
        server.put(path,
                   {"Authorization: Bearer " + c.token, "Content-Type: application/octet-stream",
                    "X-Helpline-File-Name: bench.bin"},
                   bytes.data(), bytes.size());
    f.memory.push_back(watch.stop());
    f.server_cpu.push_back(process.cpu_seconds() - cpu_before);
    ++c.uploads;
    const Json stored = json_of(a, 201, "PUT " + path);
    if (stored.at("sha256").get<std::string>() != sha ||
        stored.at("size").get<std::size_t>() != bytes.size())
        throw std::runtime_error("the server stored other bytes than were sent: " + a.body);
    return a.seconds;
}

double sink_once(CurlClient& sink, const char* kind, const Customer& c, UuidMaker& uuids,
                 const std::string& bytes) {
    const std::string path = std::string("/") + kind + "/" + uuids.next();
    const CurlAnswer a =
        sink.put(path,
                 {"Authorization: Bearer " + c.token, "Content-Type: application/octet-stream",
                  "X-Helpline-File-Name: bench.bin"},
                 bytes.data(), bytes.size());
    if (a.status != 201)
        throw std::runtime_error(std::string("the sink answered ") + std::to_string(a.status));
    return a.seconds;
}

void print_times(const char* what, const std::vector<double>& s, std::size_t bytes) {
    if (s.empty()) return;
    const double mb = static_cast<double>(bytes) / (1024.0 * 1024.0);
    std::printf("    %-44s %8.1f %8.1f %9.1f %9.1f  (n = %zu)\n", what, ms(median(s)),
                ms(percentile(s, 0.9)), mb / median(s), mb / percentile(s, 0.9), s.size());
}

void report(const Setup& setup, const Figures& f, std::size_t bytes) {
    std::printf("  %s: %zu rounds%s\n", setup.label.c_str(), f.rounds,
                f.cut_short ? " (cut short by --max-seconds)" : "");
    std::printf("    %-44s %8s %8s %9s %9s\n", "PUT of the same bytes by libcurl", "p50 ms",
                "p90 ms", "MiB/s p50", "MiB/s p90");
    print_times("sink, body read and dropped (baseline)", f.discard, bytes);
    print_times("sink, body to a file + fdatasync", f.durable, bytes);
    print_times("helpline-server upload (201)", f.upload, bytes);
    print_times("server, same bytes again, new key (dedup)", f.duplicate, bytes);
    const double ratio = median(f.discard) / median(f.upload);
    std::printf(
        "    upload / baseline throughput (medians): %.3f (target >= 0.80: %s); p90s: %.3f; "
        "upload / durable sink: %.3f\n",
        ratio, ratio >= 0.8 ? "met" : "MISSED",
        percentile(f.discard, 0.9) / percentile(f.upload, 0.9),
        median(f.durable) / median(f.upload));
    std::printf("    server CPU per upload: p50 %.0f ms, p90 %.0f ms (10 ms ticks)\n",
                ms(median(f.server_cpu)), ms(percentile(f.server_cpu, 0.9)));

    // Memory: the first upload separately (a server's first upload loads what it keeps).
    std::vector<double> growth;
    double worst = 0;
    std::size_t worst_at = 0;
    for (std::size_t i = 0; i < f.memory.size(); ++i) {
        const auto& m = f.memory[i];
        const double g = static_cast<double>(m.peak) - static_cast<double>(m.before.rss);
        if (i > 0) growth.push_back(g);
        if (g > worst) {
            worst = g;
            worst_at = i;
        }
    }
    double peak = 0;
    for (const auto& m : f.memory) peak = std::max(peak, static_cast<double>(m.peak));
    const auto& first = f.memory.front();
    const auto& w = f.memory[worst_at];
    std::printf("    server RSS: idle %.1f MiB (anon %.1f, file %.1f) before the first upload\n",
                mib(f.idle.rss), mib(f.idle.anon), mib(f.idle.file));
    std::printf("      first upload: peak %.1f MiB, +%.2f MiB over the RSS just before it\n",
                mib(first.peak),
                mib(static_cast<double>(first.peak) - static_cast<double>(first.before.rss)));
    std::printf(
        "      later uploads: peak over the RSS just before each: p50 +%.2f, max +%.2f MiB; "
        "RSS before the last %.1f MiB\n",
        mib(median(growth)),
        mib(growth.empty() ? 0 : *std::max_element(growth.begin(), growth.end())),
        mib(static_cast<double>(f.memory.back().before.rss)));
    std::printf("      RSS before uploads");
    const std::size_t n = f.memory.size();
    for (const std::size_t i : {std::size_t{0}, n / 4, n / 2, 3 * n / 4, n - 1})
        std::printf(" #%zu %.1f (anon %.1f)", i, mib(f.memory[i].before.rss),
                    mib(f.memory[i].before.anon));
    std::printf(" MiB\n");
    std::printf("      highest peak of all uploads: %.1f MiB, +%.2f MiB over idle\n", mib(peak),
                mib(peak - static_cast<double>(f.idle.rss)));
    std::printf(
        "      largest growth during one upload (#%zu): +%.2f MiB (target <= 2 MiB: %s); its "
        "largest sample: "
        "anon %+.2f, file %+.2f MiB (%zu samples)\n",
        worst_at, mib(worst), worst <= 2048 ? "met" : "MISSED",
        mib(static_cast<double>(w.largest.anon) - static_cast<double>(w.before.anon)),
        mib(static_cast<double>(w.largest.file) - static_cast<double>(w.before.file)), w.samples);
}

void report_phases(const PhaseTimes& p, const Figures& f) {
    const auto row = [](const char* what, const PhaseRuns& r) {
        std::printf("      %-60s %7.1f %7.1f %8.2f\n", what, ms(median(r.seconds)),
                    ms(percentile(r.seconds, 0.9)), mib(median(r.growth_kib)));
    };
    std::printf(
        "    phases in this process, the server's code on its database, the server's malloc "
        "settings "
        "(%zu runs):\n",
        p.store.seconds.size());
    std::printf("      %-60s %7s %7s %8s\n", "", "p50 ms", "p90 ms", "RSS +MiB");
    row("spool: the body to a new file in uploads/, 64 KiB writes", p.spool);
    row("read-back: SHA-256 + libmagic (inspect_file)", p.inspect);
    row("  of which libmagic: cookie, database loaded, 64 KiB sniffed", p.magic);
    row("  reference: SHA-256 of the bytes in memory", p.sha);
    row("store_attachment: chunks into the database + commit", p.store);
    row("store_attachment, content already stored (row + commit)", p.duplicate);
    row("reference: the same bytes to a new file + fdatasync", p.durable);
    const double sum =
        median(p.spool.seconds) + median(p.inspect.seconds) + median(p.store.seconds);
    std::printf(
        "      spool + read-back + store = %.1f ms; the upload's p50 %.1f ms, the baseline's %.1f "
        "ms\n",
        ms(sum), ms(median(f.upload)), ms(median(f.discard)));
}

void run_setup(const Options& o, const Setup& setup, std::string& bytes) {
    std::vector<std::string> args = {
        "--submit-limit",       "1000000",
        "--register-limit",     "1000000",
        "--attachment-max-mib", std::to_string(std::max<std::size_t>(20, o.mib))};
    if (setup.tls) args.push_back("--self-signed");
    BenchServer server(o.server, args, 0, {}, setup.database);
    const std::string scheme = setup.tls ? "https" : "http";
    const std::string ca =
        setup.tls ? (server.dir() / "data" / "tls" / "self-signed-cert.pem").string() : "";
    std::unique_ptr<TlsContexts> tls;
    if (setup.tls)
        tls = std::make_unique<TlsContexts>(
            slurp(ca), slurp(server.dir() / "data" / "tls" / "self-signed-key.pem"));
    UploadSink sink(tls ? tls->server : nullptr, server.dir());
    CurlClient api(scheme + "://127.0.0.1:" + std::to_string(server.port()), ca);
    CurlClient upload(scheme + "://127.0.0.1:" + std::to_string(server.port()), ca);
    CurlClient baseline(scheme + "://127.0.0.1:" + std::to_string(sink.port()), ca);
    UuidMaker uuids;
    Customer customer = make_customer(api, uuids);

    Figures f;
    f.idle = read_memory(server.pid());
    // Warm-up: connections (and TLS sessions) opened, the server's first upload; its
    // memory is reported, its time is not.
    sink_once(baseline, "discard", customer, uuids, bytes);
    sink_once(baseline, "durable", customer, uuids, bytes);
    {
        Figures warm;
        upload_once(upload, api, server, customer, uuids, bytes, sha256_hex(bytes), warm);
        f.memory.push_back(warm.memory.front());
    }
    const auto deadline = Clock::now() + std::chrono::seconds(o.max_seconds);
    for (std::size_t round = 0; round < o.runs; ++round) {
        if (Clock::now() > deadline) {
            f.cut_short = true;
            break;
        }
        const std::string mark = uuids.next();  // new content: nothing the server stored before
        bytes.replace(0, mark.size(), mark);
        const std::string sha = sha256_hex(bytes);
        for (std::size_t step = 0; step < 3; ++step) {
            switch ((round + step) % 3) {
                case 0:
                    f.discard.push_back(sink_once(baseline, "discard", customer, uuids, bytes));
                    break;
                case 1:
                    f.durable.push_back(sink_once(baseline, "durable", customer, uuids, bytes));
                    break;
                default:
                    f.upload.push_back(
                        upload_once(upload, api, server, customer, uuids, bytes, sha, f));
                    break;
            }
        }
        ++f.rounds;
    }
    Figures dup;
    const std::string sha = sha256_hex(bytes);
    for (std::size_t i = 0; i < o.duplicates && Clock::now() < deadline; ++i)
        f.duplicate.push_back(upload_once(upload, api, server, customer, uuids, bytes, sha, dup));
    if (!sink.error().empty()) throw std::runtime_error("the sink failed: " + sink.error());
    const std::size_t sent = (2 + f.discard.size() + f.durable.size()) * bytes.size();
    if (sink.bytes_received() != sent)
        throw std::runtime_error("the sink took " + std::to_string(sink.bytes_received()) +
                                 " bytes of " + std::to_string(sent));
    report(setup, f, bytes.size());

    if (o.phases == 0 || setup.tls) return;  // TLS changes nothing after the body is in
    const std::int64_t ticket = submit_ticket(api, customer, uuids);
    server.stop();  // the phases run alone on its database
    const std::string database =
        setup.database.empty() ? (server.dir() / "data" / "helpline.db").string() : setup.database;
    const PhaseTimes phases =
        time_phases(database, ticket, server.dir() / "data" / "uploads", bytes, o.phases);
    report_phases(phases, f);
}

int run(const Options& o) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures appear as they are measured
    mirror_server_malloc();                    // for the in-process phases' memory
    const std::size_t size = o.mib * 1024 * 1024;
    std::string bytes(size, '\0');
    std::mt19937_64 rng{std::random_device{}()};
    for (std::size_t i = 0; i + 8 <= size; i += 8) {
        const std::uint64_t v = rng();
        std::memcpy(bytes.data() + i, &v, 8);
    }
    std::printf("attachment benchmark: helpline-server %s\n", o.server.c_str());
    std::printf(
        "  %zu MiB per PUT (random bytes, new at each round), %zu rounds of sink / durable sink / "
        "upload "
        "(order rotating), then %zu re-uploads of the last bytes\n",
        o.mib, o.runs, o.duplicates);
    std::printf("  machine: %s\n", machine_load().c_str());

    std::vector<Setup> setups = {{"SQLite, plain HTTP on 127.0.0.1", false, ""}};
    if (o.tls)
        setups.push_back(
            {"SQLite, TLS on 127.0.0.1 (--self-signed; the sink with the same certificate)", true,
             ""});
#ifdef HELPLINE_BENCH_PG
    std::unique_ptr<helpline::test::PostgresCluster> cluster;  // outlives the servers on it
    if (o.postgres) {
        cluster = helpline::test::PostgresCluster::make_private();
        setups.push_back({"PostgreSQL 15 (private cluster), plain HTTP on 127.0.0.1", false,
                          cluster->fresh_database_url()});
    }
#endif
    {
        // Why the baseline is not the server's own /livez: shown, not assumed.
        BenchServer probe(o.server, {});
        std::printf(
            "  PUT /livez with Content-Length %zu: %d, answered from the head alone (no route but "
            "uploads "
            "reads a large body)\n",
            size, probe_livez(probe.port(), size));
    }
    for (const auto& setup : setups) run_setup(o, setup, bytes);
    std::printf("  machine at the end: %s\n", machine_load().c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return bench_main("attachment_bench", kUsage, [&] { return run(parse(argc, argv)); });
}
