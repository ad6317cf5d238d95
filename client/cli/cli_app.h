#pragma once
// helpline-cli: the command line (CLI11), the stamp check, the start-up every command
// shares (folders, registration, profile refresh, sending saved requests) and the
// dispatch to the commands (commands.h). docs/client.md describes commands and exit codes.

#include "client/cli/client_env.h"

namespace helpline::client::cli {

/// Runs helpline-cli with the program's arguments; returns the exit code (ExitCode).
int run_cli(int argc, const char* const* argv, CliIo io);

}  // namespace helpline::client::cli
