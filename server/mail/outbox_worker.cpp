#include "server/mail/outbox_worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "server/mail/templates.h"

namespace helpline::server::mail {

std::int64_t retry_delay(int attempts, const WorkerOptions& o, std::mt19937_64& random) {
    std::int64_t delay = o.first_retry_s;
    for (int i = 1; i < attempts && delay < o.max_retry_s; ++i) delay *= 2;
    delay = std::clamp<std::int64_t>(delay, 1, std::max<std::int64_t>(o.max_retry_s, 1));
    std::uniform_int_distribution<std::int64_t> upper_half((delay + 1) / 2, delay);
    return upper_half(random);
}

Message compose(const OutboxMail& mail, const MailSettings& settings) {
    const MailText text = compose_text(mail, settings.public_url);
    Message m;
    m.from = settings.from;
    m.to = mail.recipient;
    m.subject = text.subject;
    m.body = text.body;
    m.message_id = message_id_for(mail.id, mail.created_at, settings.message_id_domain);
    m.date = mail.created_at;
    m.language = language_tag(mail.language);
    if (mail.ticket_number) m.extra_headers.emplace_back("X-Helpline-Ticket", std::to_string(*mail.ticket_number));
    return m;
}

OutboxWorker::OutboxWorker(Store& store, const Clock& clock, Metrics& metrics, MailSettings settings,
                           std::unique_ptr<MailSender> sender, WorkerOptions options)
    : store_(store),
      clock_(clock),
      metrics_(metrics),
      settings_(std::move(settings)),
      options_(options),
      sender_(sender ? std::move(sender) : std::make_unique<SmtpSender>(settings_, &stopping_)),
      random_(std::random_device{}()) {}

OutboxWorker::~OutboxWorker() { stop(); }

void OutboxWorker::start() {
    thread_ = std::thread([this] { loop(); });
}

void OutboxWorker::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void OutboxWorker::loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        try {
            // Until the outbox has nothing due: a burst is sent back to back.
            while (!stopping_ && run_once() > 0) {
            }
        } catch (const std::exception& e) {
            spdlog::error("mail outbox: {}", e.what());
        }
        lock.lock();
        wake_.wait_for(lock, options_.poll, [this] { return stopping_.load(); });
    }
}

int OutboxWorker::run_once() {
    // With several servers on one database the outbox is one of the jobs: only the server
    // that holds them sends (Store::lead_jobs), else every server would send every message.
    // Asked again before each message: a server that lost the lead stops at once.
    if (!store_.lead_jobs()) return 0;
    int tried = 0;
    for (const OutboxMail& mail : store_.due_mail(clock_.now(), options_.batch)) {
        if (stopping_ || (tried > 0 && !store_.lead_jobs())) break;
        ++tried;
        const std::string text = render(compose(mail, settings_));
        const SendOutcome outcome = sender_->send(mail.recipient, text);
        const Timestamp now = clock_.now();
        if (outcome.kind == SendOutcome::Kind::sent) {
            // Right after the relay's answer: a kill before this line is the one case that
            // sends the message again (with the same Message-ID).
            if (auto s = store_.mail_sent(mail.id, now); !s)
                spdlog::error("mail {} was sent but could not be marked sent: {}", mail.id, s.error().message);
            metrics_.emails_sent++;
            spdlog::info("mail {} ({}) sent to {}", mail.id, to_string(mail.kind), mail.recipient);
            continue;
        }
        const bool too_old = now - mail.created_at >= options_.give_up_after_s;
        if (outcome.kind == SendOutcome::Kind::permanent || too_old) {
            const std::string why = too_old && outcome.kind != SendOutcome::Kind::permanent
                                        ? "gave up after two days of temporary failures; last: " + outcome.error
                                        : outcome.error;
            (void)store_.mail_failed(mail.id, now, why);
            metrics_.emails_failed++;
            spdlog::error("mail {} ({}) to {} failed for good: {}", mail.id, to_string(mail.kind), mail.recipient,
                          why);
            continue;
        }
        const std::int64_t delay = retry_delay(mail.attempts + 1, options_, random_);
        (void)store_.mail_retry(mail.id, now + delay, outcome.error);
        metrics_.email_retries++;
        spdlog::warn("mail {} ({}) to {} not sent, trying again in {} s: {}", mail.id, to_string(mail.kind),
                     mail.recipient, delay, outcome.error);
    }
    return tried;
}

}  // namespace helpline::server::mail
