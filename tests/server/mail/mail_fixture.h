#pragma once
// The API in-process (api_fixture.h) with email configured: a real SMTP server on
// 127.0.0.1 (smtp_sink.h) and the outbox worker driven by hand with the manual clock.

#include <memory>
#include <regex>

#include "server/mail/outbox_worker.h"
#include "tests/server/api/api_fixture.h"
#include "tests/support/smtp_sink.h"

namespace helpline::server::test {

class MailFixture : public ApiFixture {
  public:
    MailFixture() {
        settings.smtp_url = sink.url();
        settings.host = "127.0.0.1";
        settings.from = "helpline@team.example";
        settings.public_url = "https://helpline.team.example";
        settings.message_id_domain = "helpline.team.example";
        settings.require_tls = false;
        config.email = {settings.smtp_url, settings.from, settings.public_url};
        store().set_mail_notifications(true);
        worker = std::make_unique<mail::OutboxWorker>(store(), clock, metrics, settings);
    }

    /// A user as ApiFixture::user makes them, with email notifications and a language.
    std::string member(const std::string& email, Role role, std::vector<std::string> groups, bool notify,
                       const std::string& language = "en", UserId* id = nullptr) {
        UserId made = 0;
        const std::string token = user(email, role, std::move(groups), &made);
        auto u = store().user(made);
        REQUIRE(u);
        u->notify_email = notify;
        u->language = language;
        REQUIRE(store().update_user(*u).ok());
        if (id) *id = made;
        return token;
    }

    /// The messages the relay holds for `address`.
    std::vector<nlohmann::json> to(const std::string& address) const {
        std::vector<nlohmann::json> out;
        for (auto& m : sink.messages())
            if (m["rcpt_tos"] == nlohmann::json::array({address})) out.push_back(m);
        return out;
    }

    helpline::test::SmtpSink sink;
    mail::MailSettings settings;
    std::unique_ptr<mail::OutboxWorker> worker;
};

}  // namespace helpline::server::test
