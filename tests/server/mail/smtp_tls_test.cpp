// The relay over real TLS: a real SMTP server (aiosmtpd) on 127.0.0.1 with the certificate
// tests/fixtures/tls/relay-127.0.0.1.pem, offering STARTTLS or speaking smtps://, and the
// real worker and libcurl. A relay on loopback is used with STARTTLS when it offers it, and
// its certificate is verified then too: a certificate the server does not trust sends
// nothing and is a temporary failure like an unreachable relay.
#include "tests/server/mail/mail_fixture.h"

namespace helpline::server::test {
namespace {

using helpline::test::SmtpSink;
using helpline::test::source_path;

/// The settings `run --smtp-url URL --smtp-ca CA …` gives.
mail::MailSettings relay_settings(const std::string& url, const std::filesystem::path& ca) {
    mail::MailOptions o;
    o.smtp_url = url;
    o.smtp_from = "helpline@team.example";
    o.public_url = "https://helpline.team.example";
    o.smtp_ca = ca;
    auto s = mail::load_mail_settings(o);
    REQUIRE(s.ok());
    return **s;
}

/// One notification in the outbox: a ticket arrives in helpdesk, whose one operator, Ana,
/// has notifications on.
void queue_one_notification(MailFixture& f) {
    f.group("helpdesk");
    f.member("ana@team.example", Role::operator_, {"helpdesk"}, true);
    f.submit(f.device(), "helpdesk");
}

}  // namespace

TEST_CASE_METHOD(MailFixture, "a loopback relay offering STARTTLS is used with TLS, verified with --smtp-ca") {
    SmtpSink relay(SmtpSink::Tls::starttls);
    const auto tls = relay_settings(relay.url(), SmtpSink::ca_file());
    CHECK_FALSE(tls.require_tls);  // loopback: TLS because the relay offers it
    mail::OutboxWorker over_tls(store(), clock, metrics, tls);
    queue_one_notification(*this);

    CHECK(over_tls.run_once() == 1);
    const auto got = relay.wait_for_messages(1);
    REQUIRE(got.size() == 1);
    CHECK(got[0]["tls"] == true);
    CHECK(got[0]["rcpt_tos"] == nlohmann::json::array({"ana@team.example"}));
    CHECK(metrics.emails_sent == 1);
}

TEST_CASE_METHOD(MailFixture, "an smtps:// relay is reached with implicit TLS, verified with --smtp-ca") {
    SmtpSink relay(SmtpSink::Tls::implicit);
    REQUIRE(relay.url().rfind("smtps://", 0) == 0);
    mail::OutboxWorker over_tls(store(), clock, metrics, relay_settings(relay.url(), SmtpSink::ca_file()));
    queue_one_notification(*this);

    CHECK(over_tls.run_once() == 1);
    const auto got = relay.wait_for_messages(1);
    REQUIRE(got.size() == 1);
    CHECK(got[0]["tls"] == true);
    CHECK(metrics.emails_sent == 1);
}

TEST_CASE_METHOD(MailFixture, "a STARTTLS relay whose certificate does not verify gets nothing, and is tried again") {
    SmtpSink relay(SmtpSink::Tls::starttls);
    queue_one_notification(*this);
    // The system's CAs (no --smtp-ca), then a CA that signed something else.
    const auto system_cas = relay_settings(relay.url(), {});
    const auto unrelated = relay_settings(relay.url(), source_path("tests/fixtures/tls/unrelated-ca.pem"));
    int attempt = 0;
    for (const auto& untrusted : {system_cas, unrelated}) {
        ++attempt;
        mail::OutboxWorker over_tls(store(), clock, metrics, untrusted);
        CHECK(over_tls.run_once() == 1);
        const auto rows = store().due_mail(clock.now() + 1'000'000, 10);
        REQUIRE(rows.size() == 1);
        CHECK(rows[0].state == MailState::queued);  // a temporary failure: tried again later
        CHECK(rows[0].attempts == attempt);
        CHECK(rows[0].next_attempt_at >= clock.now() + 30);
        CHECK(rows[0].last_error.find("certificate") != std::string::npos);
        CHECK(rows[0].last_error.find("127.0.0.1") != std::string::npos);
        clock.set(rows[0].next_attempt_at);
    }
    CHECK(metrics.email_retries == 2);
    CHECK(metrics.emails_sent == 0);
    CHECK(relay.messages().empty());  // nothing went in plain text after the failed handshake

    // With the relay's CA the same message goes.
    mail::OutboxWorker trusted(store(), clock, metrics, relay_settings(relay.url(), SmtpSink::ca_file()));
    CHECK(trusted.run_once() == 1);
    const auto got = relay.wait_for_messages(1);
    REQUIRE(got.size() == 1);
    CHECK(got[0]["tls"] == true);
}

TEST_CASE_METHOD(MailFixture, "a loopback relay without STARTTLS is still used in plain text") {
    queue_one_notification(*this);
    CHECK(worker->run_once() == 1);
    const auto got = sink.wait_for_messages(1);
    REQUIRE(got.size() == 1);
    CHECK(got[0]["tls"] == false);
}

}  // namespace helpline::server::test
