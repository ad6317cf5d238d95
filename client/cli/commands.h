#pragma once
// helpline-cli's commands, one file each; each returns the exit code (client_env.h).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/cli/client_env.h"

namespace helpline::client::cli {

struct RequestOptions {
    std::string group;
    std::string email;
    std::string description;
    std::string subject;
    std::string priority;
    std::vector<std::string> attach;  ///< files sent with the request
    bool json = false;
    int wait_s = 5;  ///< how long to keep trying before the request is left queued
};
int request_command(ClientEnv& env, const RequestOptions& options, CliIo io);

struct RequestsOptions {
    std::int64_t number = 0;  ///< one ticket's conversation; 0: the list
    bool json = false;
};
int requests_command(ClientEnv& env, const RequestsOptions& options, CliIo io);
/// `requests N`: the ticket's status and conversation (conversation_command.cpp).
int conversation_command(ClientEnv& env, const RequestsOptions& options, CliIo io);

struct ReplyOptions {
    std::int64_t number = 0;
    std::string message;
    std::vector<std::string> attach;
    bool json = false;
    int wait_s = 5;
};
int reply_command(ClientEnv& env, const ReplyOptions& options, CliIo io);

struct DownloadOptions {
    std::int64_t id = 0;
    std::string out;
};
int download_command(ClientEnv& env, const DownloadOptions& options, CliIo io);

struct ListenOptions {
    bool json = false;
    bool once = false;  ///< return after the first connection request is answered and its session ends
};
int listen_command(ClientEnv& env, const ListenOptions& options, CliIo io);

}  // namespace helpline::client::cli
