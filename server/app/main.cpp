#include <malloc.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "server/app/server_cli.h"

int main(int argc, char** argv) {
    // glibc's malloc adapts its thresholds to the largest block freed so far, and then hands
    // the top of each thread's arena back to the kernel whenever it exceeds twice that: with
    // the I/O threads and the store's commit leader freeing request-sized blocks, that was
    // an madvise() with a TLB shootdown on every few submissions (a quarter of the server's
    // time in perf; docs/benchmarks.md). Fixed thresholds stop the churn: freed memory is
    // kept for reuse up to 32 MiB per arena, and only blocks of 1 MiB or more are mmap()ed.
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    mallopt(M_TRIM_THRESHOLD, 32 << 20);
    // Logs go to stderr as "time level message key=value ..." lines; stdout is for the
    // command's own output (the one-time password, the listening address).
    auto logger = spdlog::stderr_color_mt("helpline");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    spdlog::set_default_logger(logger);
    return helpline::server::run_server_cli(argc, argv, std::cout, std::cerr);
}
