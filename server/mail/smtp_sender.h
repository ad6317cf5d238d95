#pragma once
// Hands one message to the SMTP relay with libcurl (smtp:// with STARTTLS, or smtps://),
// and says how it went in the terms the outbox needs: taken, refused for good (a 5xx
// reply), or to be tried again (a 4xx reply, no connection, TLS, a timeout).

#include <atomic>
#include <string>

#include "server/mail/mail_settings.h"

namespace helpline::server::mail {

struct SendOutcome {
    enum class Kind { sent, temporary, permanent };
    Kind kind = Kind::temporary;
    long smtp_code = 0;   ///< the relay's last reply code; 0 when none came
    std::string error;    ///< for people and the log; empty when sent
};

class MailSender {
  public:
    virtual ~MailSender() = default;
    /// Sends `message` (RFC 5322 text, CRLF) from the configured sender to `to`.
    virtual SendOutcome send(const std::string& to, const std::string& message) = 0;
};

class SmtpSender final : public MailSender {
  public:
    /// `cancel`, when set, aborts a transfer in progress (the server is stopping).
    explicit SmtpSender(MailSettings settings, const std::atomic<bool>* cancel = nullptr);
    SendOutcome send(const std::string& to, const std::string& message) override;

  private:
    MailSettings settings_;
    const std::atomic<bool>* cancel_;
};

}  // namespace helpline::server::mail
