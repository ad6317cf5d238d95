#pragma once
// The outbox: every request the customer sends is first saved here (one file per request,
// named by a fresh UUID that is also its Idempotency-Key; temp file + fsync + rename), and
// removed only once the server has answered it. A crash of the client or the server, or
// a network cut, at any moment therefore neither loses a request nor makes two tickets:
// the client sends the same file with the same key until it gets an answer.
//
// Removal rules (classify_answer):
//   2xx                              delivered: recorded in requests.log, file removed
//   400, 413, 415, 422 and other 4xx refused: recorded with the reasons, file removed
//   401, 403, 404, 408, 425, 429     kept and retried: not a verdict on the request (the
//                                    device must register again, a proxy or a server
//                                    being set up answered, or "slow down")
//   5xx, no answer at all            kept and retried

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "client/core/api_client.h"
#include "client/core/my_requests.h"
#include "shared/result.h"

namespace helpline::client {

struct OutboxEntry {
    std::string key;         ///< a UUID: the Idempotency-Key and the file name (<key>.json)
    std::string created_at;  ///< when the customer sent it (UTC)
    nlohmann::json body;     ///< the POST /api/v1/tickets body
};

/// What an answer of the server means for a saved request.
enum class AnswerKind { delivered, refused, retry };
AnswerKind classify_answer(long http_status);

/// How an attempt to send a saved request ended.
struct Delivery {
    enum class State { delivered, refused, pending };
    State state = State::pending;
    std::string key;
    long http_status = 0;  ///< the server's answer; 0 when there was none

    // delivered
    std::int64_t number = 0;
    std::string status;
    std::string created_at;

    // refused
    std::vector<FieldProblem> problems;  ///< per field, as the server named them
    std::string detail;

    // pending
    Error error;                                      ///< why it is not sent yet
    std::optional<std::chrono::seconds> retry_after;  ///< the server asked to wait this long
    bool unreachable = false;                         ///< no answer at all (transport failure)

    bool done() const { return state != State::pending; }
};

/// Sends one saved request (POST /api/v1/tickets with its key) within `timeout`. Injected,
/// so that the rules can be tested without a server; make_ticket_poster() is the real one.
using TicketPoster =
    std::function<Result<ApiReply>(const OutboxEntry& entry, std::chrono::milliseconds timeout)>;

/// A fresh random (version 4) UUID.
std::string new_uuid();
bool is_uuid(std::string_view text);

class Outbox {
  public:
    /// `folder` is created (mode 0700) on the first add().
    Outbox(std::filesystem::path folder, RequestLog log)
        : folder_(std::move(folder)), log_(std::move(log)) {}

    /// Saves a new request under a fresh key — durably, before anything is sent.
    Result<OutboxEntry> add(nlohmann::json body) const;

    /// The saved requests, oldest first. A file that cannot be read is renamed to
    /// "<name>.damaged" (kept for a person to look at, never sent) and reported in `problems`.
    std::vector<OutboxEntry> pending(std::vector<Error>* problems = nullptr) const;
    bool contains(const std::string& key) const;

    /// One attempt: sends `entry` with `post` and applies the removal rules above.
    Delivery attempt(const OutboxEntry& entry, const TicketPoster& post,
                     std::chrono::milliseconds timeout = std::chrono::seconds(15)) const;

    const std::filesystem::path& folder() const { return folder_; }
    const RequestLog& log() const { return log_; }
    std::filesystem::path file_of(const std::string& key) const {
        return folder_ / (key + ".json");
    }

  private:
    Status remove(const std::string& key) const;

    std::filesystem::path folder_;
    RequestLog log_;
};

}  // namespace helpline::client
