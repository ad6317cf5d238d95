#pragma once
// JSON requests to the team server over libcurl. Every HTTP request of the client goes
// through here (the event stream and the relay tunnel use their own handles, set up by
// the same apply_endpoint()). Thread-safe: each call uses its own easy handle.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
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
    /// From application/problem+json answers: detail, the stable `code` of refusals a
    /// client explains in its own words ("ticket_closed"), and per-field errors.
    std::string detail;
    std::string code;
    std::vector<FieldProblem> field_errors;
    std::optional<int> retry_after_s;
    /// download(): the bytes written to the target file (the body is not kept in memory).
    std::uint64_t saved_bytes = 0;

    bool ok() const { return status >= 200 && status < 300; }
};

struct ApiRequest {
    std::string method = "GET";
    std::string path;                 ///< "/api/v1/tickets"
    std::optional<nlohmann::json> body;
    std::vector<std::string> headers;  ///< extra "Name: value"
    std::chrono::milliseconds timeout{15'000};
};

/// A PUT whose body is a file, read as libcurl sends it (never held whole in memory), with
/// its length as Content-Length (never chunked).
struct ApiUpload {
    std::string path;
    std::filesystem::path file;
    std::uint64_t size = 0;            ///< the file's size when it was chosen: it must not change
    std::vector<std::string> headers;  ///< extra "Name: value" (Content-Type, file name, ...)
    /// A big file on a slow line takes long: the upload fails only when no byte moved for
    /// `stall`, or past `timeout` in all.
    std::chrono::milliseconds stall{15'000};
    std::chrono::milliseconds timeout{std::chrono::minutes(30)};
};

/// A GET whose 2xx body goes to a file: written to a temporary file beside `target` and
/// renamed onto it once complete, so `target` is never half a download.
struct ApiDownload {
    std::string path;
    std::filesystem::path target;
    std::uint64_t max_size = 256ull * 1024 * 1024;
    std::chrono::milliseconds stall{15'000};
    std::chrono::milliseconds timeout{std::chrono::minutes(30)};
};

/// Error codes of upload() and download() that are not the network's.
namespace transfer_error {
inline constexpr const char* kFileChanged = "transfer.file_changed";  ///< shorter than its size
inline constexpr const char* kFileRead = "transfer.file_read";
inline constexpr const char* kFileWrite = "transfer.file_write";
inline constexpr const char* kTooLarge = "transfer.too_large";
}  // namespace transfer_error

class ApiClient {
public:
    explicit ApiClient(ServerEndpoint endpoint) : endpoint_(std::move(endpoint)) {}

    /// Bearer token for subsequent requests (the device token).
    void set_token(std::string token) { token_ = std::move(token); }
    const ServerEndpoint& endpoint() const { return endpoint_; }

    /// Sends the request. A transport failure (unreachable, TLS, timeout) is an Error
    /// (net_error codes); any HTTP answer, success or not, is an ApiReply.
    Result<ApiReply> send(const ApiRequest& request) const;
    /// PUTs a file (streamed). Errors as send(), plus transfer_error codes for the file.
    Result<ApiReply> upload(const ApiUpload& request) const;
    /// GETs into a file; a non-2xx answer is an ApiReply as send() gives it (and no file).
    Result<ApiReply> download(const ApiDownload& request) const;

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

/// post_for_answer, sent again while it got no answer (a transport error) or the server
/// could not take it then (5xx, 429), with capped backoff, until `deadline` — for what must
/// reach the server to mean anything, like a customer's decline: lost, the operator would
/// see the request expire instead. Every attempt's timeout ends by the deadline; there is
/// always one attempt. Answers the server gave (2xx, other 4xx) end it at once. `stop`,
/// when given, is asked between attempts and ends the wait (the program is closing).
struct Persistence {
    std::chrono::steady_clock::time_point deadline;
    std::chrono::milliseconds attempt_timeout{15'000};
    std::function<bool()> stop;
};
bool post_until_answered(const ApiClient& api, const std::string& path,
                         const std::optional<nlohmann::json>& body, const Persistence& persistence,
                         ApiReply* reply_out, std::string& problem);

}  // namespace helpline::client
