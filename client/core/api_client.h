#pragma once
// JSON requests to the team server over libcurl. Every HTTP request of the client goes
// through here (the event stream and the relay tunnel use their own handles, set up by
// the same apply_endpoint()). Thread-safe: each call uses its own easy handle.

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "client/core/server_endpoint.h"
#include "shared/result.h"

namespace helpline::client {

struct FieldProblem {
    std::string field;
    std::string message;
};

/// The server answered; `status` and parsed `json` (null when the body is not JSON).
struct ApiReply {
    long status = 0;
    nlohmann::json json;
    std::string body;
    /// From application/problem+json answers: detail and per-field errors.
    std::string detail;
    std::vector<FieldProblem> field_errors;
    std::optional<int> retry_after_s;

    bool ok() const { return status >= 200 && status < 300; }
};

struct ApiRequest {
    std::string method = "GET";
    std::string path;                 ///< "/api/v1/tickets"
    std::optional<nlohmann::json> body;
    std::vector<std::string> headers;  ///< extra "Name: value"
    std::chrono::milliseconds timeout{15'000};
};

class ApiClient {
public:
    explicit ApiClient(ServerEndpoint endpoint) : endpoint_(std::move(endpoint)) {}

    /// Bearer token for subsequent requests (the device token).
    void set_token(std::string token) { token_ = std::move(token); }
    const ServerEndpoint& endpoint() const { return endpoint_; }

    /// Sends the request. A transport failure (unreachable, TLS, timeout) is an Error
    /// (net_error codes); any HTTP answer, success or not, is an ApiReply.
    Result<ApiReply> send(const ApiRequest& request) const;

private:
    ServerEndpoint endpoint_;
    std::string token_;
};

/// "email: is not a valid email address; description: is required" for people.
std::string describe_rejection(const ApiReply& reply);

/// POSTs `body` (or nothing) to `path`: true when the server took it (2xx). Otherwise
/// `problem` says why in words: the transport's error or the server's rejection. The answer
/// goes to `reply_out` when given.
bool post_for_answer(const ApiClient& api, const std::string& path,
                     std::optional<nlohmann::json> body, std::chrono::milliseconds timeout,
                     ApiReply* reply_out, std::string& problem);

}  // namespace helpline::client
