// helpline-cli: the branded customer client for terminals. Verifies its own stamp first.

#include <iostream>
#include <string>
#include <vector>

#include "client/cli/cli_app.h"
#include "client/cli/console.h"

int main(int argc, char** argv) {
    namespace cli = helpline::client::cli;
    cli::prepare_console();
    const std::vector<std::string> args = cli::utf8_arguments(argc, argv);
    std::vector<const char*> pointers;
    pointers.reserve(args.size() + 1);
    for (const auto& arg : args) pointers.push_back(arg.c_str());
    pointers.push_back(nullptr);
    cli::CliIo io{std::cin, std::cout, std::cerr, cli::stdin_is_terminal()};
    return cli::run_cli(static_cast<int>(args.size()), pointers.data(), io);
}
