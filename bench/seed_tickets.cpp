// bench/seed_tickets: fills the database of a data folder made by `helpline-server init`
// with a team at scale — by default 20,000 open tickets and 1,000,000 closed or expired
// ones over two years, 10 groups, 40 operators, one of whom sees 500 of the open tickets —
// for the console's scale benchmarks (issue 12). The server must not be running on the
// folder. Prints what it wrote as one JSON object on stdout.
//
// usage: seed_tickets DATA_DIR [--open 20000] [--closed 1000000] [--groups 10]
//                     [--operators 40] [--requesters 60000] [--days 730]
//                     [--open-hours 20] [--focus-visible 500] [--seed 1] [--now UNIX_SECONDS]
//                     [--ticket-ttl 86400] [--audit 1] [--quiet 0]

#include <cstdio>
#include <iostream>

#include "bench/bench_server.h"
#include "bench/bench_util.h"
#include "bench/seed_writer.h"

namespace {

using namespace helpline::bench;

constexpr const char* kUsage =
    "usage: seed_tickets DATA_DIR [--open 20000] [--closed 1000000] [--groups 10]\n"
    "                    [--operators 40] [--requesters 60000] [--days 730]\n"
    "                    [--open-hours 20] [--focus-visible 500] [--seed 1] [--now UNIX_SECONDS]\n"
    "                    [--ticket-ttl 86400] [--audit 1] [--quiet 0]\n";

int run(int argc, char** argv) {
    if (argc < 2 || argv[1][0] == '-') throw std::invalid_argument("the data folder is required");
    seed::SeedOptions o;
    bool quiet = false;
    parse_flags(
        argc, argv, 2,
        {
            {"--open", [&](const std::string& v) { o.open = std::stoul(v); }},
            {"--closed", [&](const std::string& v) { o.closed = std::stoul(v); }},
            {"--groups", [&](const std::string& v) { o.groups = std::stoi(v); }},
            {"--operators", [&](const std::string& v) { o.operators = std::stoi(v); }},
            {"--requesters", [&](const std::string& v) { o.requesters = std::stoul(v); }},
            {"--days", [&](const std::string& v) { o.days = std::stoi(v); }},
            {"--open-hours", [&](const std::string& v) { o.open_hours = std::stod(v); }},
            {"--focus-visible", [&](const std::string& v) { o.focus_visible = std::stoul(v); }},
            {"--seed", [&](const std::string& v) { o.seed = std::stoull(v); }},
            {"--now", [&](const std::string& v) { o.now = std::stoll(v); }},
            {"--ticket-ttl", [&](const std::string& v) { o.ticket_ttl = std::stoll(v); }},
            {"--audit", [&](const std::string& v) { o.audit = v != "0"; }},
            {"--quiet", [&](const std::string& v) { quiet = v != "0"; }},
        });
    const seed::SeedReport report = seed::seed_data_folder(argv[1], o, !quiet);
    std::printf("%s\n", report.json().c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return helpline::bench::bench_main("seed_tickets", kUsage, [&] { return run(argc, argv); });
}
