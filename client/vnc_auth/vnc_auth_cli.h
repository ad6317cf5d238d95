#pragma once
// helpline-vnc-auth's command line (CLI11): parses, installs the stop signals, runs.
//
//   helpline-vnc-auth --port PORT --password-file FILE [--ready-timeout-ms N] -- PROGRAM ARG...

#include <ostream>

namespace helpline::client::vnc_auth {

/// The exit code (vnc_auth_run.h); help and version print to `out`, the rest to `err`.
int run_vnc_auth_cli(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace helpline::client::vnc_auth
