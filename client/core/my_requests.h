#pragma once
// The customer's own requests: what the server says about them (GET
// /api/v1/devices/me/tickets, kept current by ticket-updated events) and the local log of
// what this computer sent (requests.log in the state folder, one JSON object a line), which
// the customer can read even when the server cannot be reached.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "client/core/api_client.h"
#include "shared/result.h"

namespace helpline::client {

/// "2026-11-25T03:21:04Z", the wire's time format.
std::string format_utc(std::chrono::system_clock::time_point t);
std::optional<std::chrono::system_clock::time_point> parse_utc(std::string_view text);

/// One line of requests.log: a request this computer sent and how the server answered.
struct LoggedRequest {
    std::string at;                    ///< when the answer came (UTC)
    std::string key;                   ///< the Idempotency-Key (outbox entry)
    std::string result;                ///< "created" or "refused"
    std::int64_t number = 0;           ///< created: the ticket number
    std::string created_at;            ///< created: the server's creation time
    nlohmann::json request;            ///< what was sent (email, description, group_id, ...)
    std::vector<FieldProblem> errors;  ///< refused: per field
    std::string detail;                ///< refused: the server's explanation

    nlohmann::json to_json() const;
    static std::optional<LoggedRequest> from_json(const nlohmann::json& j);
};

/// requests.log (mode 0600). Safe across processes: appends hold an flock, so a GUI and a
/// helpline-cli delivering the same saved request record it once.
class RequestLog {
  public:
    explicit RequestLog(std::filesystem::path file) : file_(std::move(file)) {}

    /// Appends `entry` and syncs it, unless a line with the same key is already there (the
    /// client stopped after recording and before removing the outbox file, and sent again).
    Status record(const LoggedRequest& entry) const;
    /// Every readable line, oldest first (unreadable lines are skipped).
    std::vector<LoggedRequest> read() const;
    const std::filesystem::path& file() const { return file_; }

  private:
    std::filesystem::path file_;
};

/// A ticket as GET /api/v1/devices/me/tickets lists it.
struct MyRequest {
    std::int64_t number = 0;
    std::string status;  ///< "open", "closed", "expired"
    std::string priority;
    std::string group;          ///< group id; empty when none
    std::string operator_name;  ///< empty while nobody has taken it
    std::string subject;
    std::string created_at;
    std::string closed_at;  ///< empty while open
    int unread = 0;         ///< the team's messages not marked read (0 from older servers)
};

/// Parses the server's answer `{tickets: [...]}`.
Result<std::vector<MyRequest>> parse_my_tickets(const nlohmann::json& answer);

/// How long the request has waited: until now while open, until closed_at once closed.
std::optional<std::chrono::seconds> waiting_time(const MyRequest& request,
                                                 std::chrono::system_clock::time_point now);
/// "45 s", "12 min", "3 h 05 min", "2 d 4 h".
std::string format_duration(std::chrono::seconds d);

/// The list of the customer's requests, shared between the thread that refreshes it, the
/// event stream (apply_ticket_update) and the window that shows it. Thread-safe; the change
/// listener runs on the thread that made the change, outside the lock.
class MyRequests {
  public:
    /// Loads the list from the server (newest first, at most `limit`).
    Status refresh(const ApiClient& api, int limit = 50);
    void set(std::vector<MyRequest> requests);

    /// A ticket-updated event: sets status and operator of ticket `number`. Returns false
    /// when the ticket is not in the list (the caller may refresh()).
    bool apply_ticket_update(std::int64_t number, const std::string& status,
                             const std::string& operator_name);

    /// A ticket-message event (a team message on ticket `number`): one more unread. False
    /// when the ticket is not in the list.
    bool note_team_message(std::int64_t number);
    /// The customer has seen ticket `number`'s conversation (after mark_read()).
    void note_read(std::int64_t number);

    std::vector<MyRequest> snapshot() const;
    void on_change(std::function<void()> listener);

  private:
    void changed();

    mutable std::mutex mutex_;
    std::vector<MyRequest> requests_;
    std::function<void()> listener_;
};

}  // namespace helpline::client
