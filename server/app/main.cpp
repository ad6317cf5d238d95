#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "server/app/server_cli.h"

int main(int argc, char** argv) {
    // Logs go to stderr as "time level message key=value ..." lines; stdout is for the
    // command's own output (the one-time password, the listening address).
    auto logger = spdlog::stderr_color_mt("helpline");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    spdlog::set_default_logger(logger);
    return helpline::server::run_server_cli(argc, argv, std::cout, std::cerr);
}
