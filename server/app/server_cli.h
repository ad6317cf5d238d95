#pragma once
// helpline-server's command line (docs/operations.md).

#include <ostream>

namespace helpline::server {

/// Exit codes: 0 success, 1 failure (message on err), 2 usage error.
int run_server_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace helpline::server
