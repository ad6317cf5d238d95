#pragma once
// Sends the mail outbox (docs/operations.md "Email"): a thread that takes the messages due,
// one at a time, hands each to the relay and records the outcome right after.
//
// Never lost: a message is in the outbox from the commit of the change that caused it
// until the relay has taken it. Never twice, but for one case: a server killed after the
// relay took a message and before the outbox recorded it sends that message again when it
// starts — with the same Message-ID, so that mail programs can tell. Messages go one at a
// time, so one kill can cause at most one duplicate.
//
// Temporary failures (a 4xx reply, no connection) are tried again after a capped
// exponential backoff with jitter; a 5xx reply, or two days of temporary failures, ends
// the attempts: the message is `failed`, counted in /metrics, and its recipient shows
// `email_failing` to admins.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "server/api/clock.h"
#include "server/api/metrics.h"
#include "server/mail/mail_settings.h"
#include "server/mail/message.h"
#include "server/mail/smtp_sender.h"
#include "server/store/store.h"

namespace helpline::server::mail {

struct WorkerOptions {
    std::chrono::milliseconds poll{1000};  ///< how often the outbox is looked at
    std::int64_t first_retry_s = 60;       ///< the backoff after the first failure
    std::int64_t max_retry_s = 3600;       ///< the backoff's cap
    std::int64_t give_up_after_s = 2 * 24 * 3600;  ///< temporary failures this long after queueing: failed
    int batch = 20;                                ///< messages read per look
};

/// The delay before attempt `attempts + 1`, `attempts` (>= 1) having failed: first_retry_s
/// doubled per failure, capped at max_retry_s, then a random point in its upper half so
/// that messages that failed together do not all come back together.
std::int64_t retry_delay(int attempts, const WorkerOptions& options, std::mt19937_64& random);

/// The message an outbox row becomes (the same bytes every time it is sent).
Message compose(const OutboxMail& mail, const MailSettings& settings);

class OutboxWorker {
  public:
    /// `sender`: null for the SMTP relay of `settings` (smtp_sender.h).
    OutboxWorker(Store& store, const Clock& clock, Metrics& metrics, MailSettings settings,
                 std::unique_ptr<MailSender> sender = nullptr, WorkerOptions options = {});
    ~OutboxWorker();  ///< stop()
    OutboxWorker(const OutboxWorker&) = delete;
    OutboxWorker& operator=(const OutboxWorker&) = delete;

    void start();  ///< the sending thread
    /// Ends the thread; a transfer in progress is aborted (its message stays queued).
    void stop();
    /// Sends what is due at the clock's now, one message at a time; how many were tried.
    /// The thread calls it; tests call it without a thread.
    int run_once();

  private:
    void loop();

    Store& store_;
    const Clock& clock_;
    Metrics& metrics_;
    MailSettings settings_;
    WorkerOptions options_;
    std::atomic<bool> stopping_{false};
    std::unique_ptr<MailSender> sender_;
    std::mt19937_64 random_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::thread thread_;
};

}  // namespace helpline::server::mail
