#pragma once
// What every helpline-cli command works with: the verified brand (stamp or a newer signed
// profile), its folders, and an API client. Commands that need the server register first.

#include <memory>
#include <ostream>
#include <string>

#include "client/core/api_client.h"
#include "client/core/brand.h"
#include "client/core/identity.h"
#include "client/core/paths.h"

namespace helpline::client::cli {

struct CliIo {
    std::istream& in;
    std::ostream& out;
    std::ostream& err;
    bool interactive = false;  ///< stdin is a terminal
};

struct ClientEnv {
    Brand brand;       ///< profile = the newest valid one (refreshed, cached or stamped)
    ClientPaths paths;
    std::unique_ptr<ApiClient> api;
    std::string client_version;
};

/// Exit codes of helpline-cli (docs/client.md).
enum ExitCode : int {
    kExitOk = 0,
    kExitFailed = 1,     ///< the server refused (per-field reasons printed) or another failure
    kExitUsage = 2,
    kExitNotBranded = 3,
    kExitBadStamp = 4,
    kExitQueued = 5,     ///< offline: the request is saved and will be sent automatically
    kExitDeclined = 6,   ///< listen: the connection request was declined or timed out
};

}  // namespace helpline::client::cli
