#pragma once
// helpline-brand's command line: parses arguments and calls the subcommands.

#include <ostream>

namespace helpline::brand {

/// Runs helpline-brand with `argv`, writing to `out` and `err`; returns the exit code.
int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace helpline::brand
