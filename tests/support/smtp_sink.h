#pragma once
// A real SMTP server on 127.0.0.1 for the email tests: tests/support/smtp_sink.py on
// Debian's python3-aiosmtpd, started on a free port, stopped (or ending by itself after
// five minutes) with the test. What it received is read back as JSON, one object a message.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/fixtures.h"

namespace helpline::test {

class SmtpSink {
  public:
    /// TLS with the certificate tests/fixtures/tls/relay-127.0.0.1.pem (IP 127.0.0.1,
    /// signed by relay-ca.pem): STARTTLS offered and required before mail, or implicit
    /// (smtps://).
    enum class Tls { none, starttls, implicit };

    /// Starts the server and waits (at most 20 s) until it listens; throws, saying what to
    /// install, when it cannot start.
    /// `auth` "USER:PASSWORD": the server requires this sign-in (AUTH PLAIN or LOGIN).
    explicit SmtpSink(const std::string& auth = {}, Tls tls = Tls::none);
    explicit SmtpSink(Tls tls) : SmtpSink({}, tls) {}
    ~SmtpSink();  ///< kill -9, reaped
    SmtpSink(const SmtpSink&) = delete;
    SmtpSink& operator=(const SmtpSink&) = delete;

    std::uint16_t port() const { return port_; }
    /// "smtp://127.0.0.1:PORT" ("smtps://…" with Tls::implicit).
    std::string url() const;
    /// The CA that verifies the relay's certificate (tests/fixtures/tls/relay-ca.pem).
    static std::filesystem::path ca_file();

    /// Every message received so far, in order: {mail_from, rcpt_tos, raw, headers,
    /// subject, body, tls} (subject and body decoded; tls: it came over TLS).
    std::vector<nlohmann::json> messages() const;
    /// Polls until at least `count` messages arrived or `timeout` passed; the messages.
    std::vector<nlohmann::json> wait_for_messages(std::size_t count,
                                                  std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;

    /// What the server answers from now on (see smtp_sink.py): e.g. {"rcpt": {"x@y": 550}},
    /// {"data_tempfail": 2}, {"hold": true}.
    void control(const nlohmann::json& settings) const;
    /// Lets a held message's 250 go (with {"hold": true}).
    void release() const;

  private:
    TempDir dir_;
    Tls tls_ = Tls::none;
    int pid_ = -1;
    std::uint16_t port_ = 0;
};

}  // namespace helpline::test
