#pragma once
// Sending a request for assistance: the customer's draft is checked like the server will
// check it (with the profile's rules), saved in the outbox, then sent — now, retrying for a
// few seconds (helpline-cli), or by a background thread that retries with capped
// exponential backoff and jitter until the server answers (the GUI). No wx here: the
// background sender reports through callbacks on its own thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "client/core/api_client.h"
#include "client/core/backoff.h"
#include "client/core/outbox.h"
#include "client/core/paths.h"
#include "shared/profile.h"

namespace helpline::client {

/// What the customer filled in; empty strings are "not given".
struct TicketDraft {
    std::string email;
    std::string description;
    std::string group;  ///< a group id of the profile
    std::string subject;
    std::string priority;  ///< low | medium | high | urgent
};

/// A draft checked against the profile: the body to send, or every problem at once, each
/// naming its field as the server does (email, description, group_id, subject, priority).
struct PreparedTicket {
    nlohmann::json body;
    std::vector<FieldProblem> problems;
    bool ok() const { return problems.empty(); }
};
PreparedTicket prepare_ticket(const TicketDraft& draft, const Profile& profile);


/// The real TicketPoster: POST /api/v1/tickets with the entry's Idempotency-Key. Registers
/// the device first when it has no identity yet, and once more when the server answers
/// 401 (it no longer knows this device). `api` must outlive the poster and should not be
/// shared with another thread (registering sets its token).
TicketPoster make_ticket_poster(ApiClient& api, ClientPaths paths, Profile profile,
                                std::string client_version);

/// Everything the outbox sends — requests, their files, replies — over `api`, registering
/// as make_ticket_poster() does. The same caveats for `api`.
OutboxTransport make_outbox_transport(ApiClient& api, ClientPaths paths, Profile profile,
                                      std::string client_version);

/// When each saved request is tried again: per request, capped exponential backoff with
/// full jitter (Backoff), never sooner than a server's Retry-After. Not thread-safe.
class RetrySchedule {
  public:
    using Clock = std::chrono::steady_clock;
    struct Options {
        std::chrono::milliseconds base{2'000};
        std::chrono::milliseconds cap{300'000};
        std::chrono::milliseconds floor{500};
        std::uint64_t seed = std::random_device{}();
    };
    explicit RetrySchedule(Options options) : options_(options) {}

    /// After a failed attempt at `now`: how long until `key` is due again.
    std::chrono::milliseconds failed(
        const std::string& key, Clock::time_point now,
        std::optional<std::chrono::seconds> retry_after = std::nullopt);
    void forget(const std::string& key) { entries_.erase(key); }
    /// Keys never tried are due.
    bool due(const std::string& key, Clock::time_point now) const;
    /// The earliest time a known key is due.
    std::optional<Clock::time_point> next_due() const;
    /// Everything is due now (the network came back); the backoff steps are kept.
    void all_due_now();
    /// Forgets keys that are no longer saved (sent by another process).
    void keep_only(const std::vector<std::string>& keys);

  private:
    struct Entry {
        Backoff backoff;
        Clock::time_point due;
    };
    Options options_;
    std::uint64_t created_ = 0;
    std::map<std::string, Entry> entries_;
};

struct SubmitterOptions {
    /// Between attempts of send_now() (the customer is waiting).
    std::chrono::milliseconds quick_base{250};
    std::chrono::milliseconds quick_cap{2'000};
    /// The background sender.
    RetrySchedule::Options background{};
    /// How often the background sender looks for requests saved by another process.
    std::chrono::milliseconds rescan{60'000};
    /// Time limit of one attempt.
    std::chrono::milliseconds attempt_timeout{15'000};
};

class Submitter {
  public:
    /// With requests only: entries with files, and replies, stay saved (a sender made
    /// with the whole transport sends them).
    Submitter(const Outbox& outbox, TicketPoster post, SubmitterOptions options = {});
    Submitter(const Outbox& outbox, OutboxTransport transport, SubmitterOptions options = {});
    ~Submitter();  ///< stops the background sender
    Submitter(const Submitter&) = delete;
    Submitter& operator=(const Submitter&) = delete;

    /// Saves the request in the outbox (durably; nothing is sent yet) and wakes the
    /// background sender when it runs.
    Result<OutboxEntry> save(nlohmann::json body);
    /// The same with files (accepted by check_attachments()): copied into the outbox first.
    Result<OutboxEntry> save(nlohmann::json body, const std::vector<AttachmentFile>& files);
    /// Saves a reply to ticket `number` (its text passed check_reply_text()) with its files.
    Result<OutboxEntry> save_reply(std::int64_t number, const std::string& text,
                                   const std::vector<AttachmentFile>& files);

    /// Sends `entry` now, and again after short waits until `wait` has passed. A pending
    /// result means the request stays saved ("queued") and will be sent later.
    Delivery send_now(const OutboxEntry& entry, std::chrono::milliseconds wait);

    /// One attempt for each saved request, oldest first (helpline-cli at start). Stops at
    /// the first one that gets no answer at all: the others would not either.
    std::vector<std::pair<OutboxEntry, Delivery>> flush(std::vector<Error>* problems = nullptr);

    struct Events {
        /// After each background attempt, on the sender's thread. For a pending delivery,
        /// `next_attempt_in` says when it is tried again.
        std::function<void(const OutboxEntry&, const Delivery&,
                           std::chrono::milliseconds next_attempt_in)>
            on_attempt;
        /// A saved request that could not be read (it was moved aside).
        std::function<void(const Error&)> on_problem;
    };
    /// Starts the background sender (idempotent).
    void start(Events events);
    /// Try every saved request now (a new one, or the network is back).
    void poke();
    /// Stops the background sender; an attempt under way finishes first (attempt_timeout).
    void stop();

  private:
    void run();
    bool claim(const std::string& key);
    void release(const std::string& key);

    const Outbox& outbox_;
    OutboxTransport transport_;
    SubmitterOptions options_;

    std::mutex mutex_;
    std::condition_variable wake_;
    RetrySchedule schedule_;
    std::set<std::string> in_flight_;
    bool poked_ = false;
    bool stopping_ = false;
    Events events_;
    std::thread thread_;
};

}  // namespace helpline::client
