// helpline-cli: the branded customer client for terminals. Verifies its own stamp first.

#include <unistd.h>

#include <iostream>

#include "client/cli/cli_app.h"

int main(int argc, char** argv) {
    helpline::client::cli::CliIo io{std::cin, std::cout, std::cerr, ::isatty(STDIN_FILENO) == 1};
    return helpline::client::cli::run_cli(argc, argv, io);
}
