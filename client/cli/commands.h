#pragma once
// helpline-cli's commands, one file each; each returns the exit code (client_env.h).

#include <optional>
#include <string>

#include "client/cli/client_env.h"

namespace helpline::client::cli {

struct RequestOptions {
    std::string group;
    std::string email;
    std::string description;
    std::string subject;
    std::string priority;
    bool json = false;
    int wait_s = 5;  ///< how long to keep trying before the request is left queued
};
int request_command(ClientEnv& env, const RequestOptions& options, CliIo io);

struct RequestsOptions {
    bool json = false;
};
int requests_command(ClientEnv& env, const RequestsOptions& options, CliIo io);

struct ListenOptions {
    bool json = false;
    bool once = false;  ///< return after the first connection request is answered and its session ends
};
int listen_command(ClientEnv& env, const ListenOptions& options, CliIo io);

}  // namespace helpline::client::cli
