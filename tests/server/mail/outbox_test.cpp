// Notifications: who gets them, in which language, with which headers; what a relay's 4xx
// and 5xx do. The real worker against a real SMTP server (aiosmtpd) on 127.0.0.1; time
// moves with the manual clock.
#include "tests/server/mail/mail_fixture.h"

namespace helpline::server::test {
namespace {

std::string header(const nlohmann::json& message, const std::string& name) {
    const auto& h = message["headers"];
    return h.contains(name) ? h[name].get<std::string>() : std::string();
}

std::set<std::string> recipients(const std::vector<nlohmann::json>& messages) {
    std::set<std::string> out;
    for (const auto& m : messages)
        for (const auto& r : m["rcpt_tos"]) out.insert(r.get<std::string>());
    return out;
}

}  // namespace

TEST_CASE_METHOD(MailFixture, "a new ticket in a group emails its members with notifications on, in their language") {
    group("helpdesk");
    member("ana@team.example", Role::operator_, {"helpdesk"}, true, "pt");
    member("bea@team.example", Role::operator_, {"helpdesk"}, false);  // notifications off
    member("carla@team.example", Role::operator_, {"helpdesk"}, true, "it");
    member("duda@team.example", Role::operator_, {"helpdesk"}, true, "pt_BR");
    UserId dora = 0;
    member("dora@team.example", Role::operator_, {"helpdesk"}, true, "en", &dora);
    auto disabled = store().user(dora);
    disabled->disabled = true;
    REQUIRE(store().update_user(*disabled).ok());
    member("eve@team.example", Role::operator_, {}, true);  // not in the group

    const auto device = this->device();
    auto r = call("POST", "/api/v1/tickets", device,
                  {{"email", "cliente@acme.example"},
                   {"subject", "Impressora não imprime"},
                   {"description", "SECRET-DESCRIPTION the printer is on fire"},
                   {"group_id", "helpdesk"},
                   {"priority", "high"}},
                  {{"Idempotency-Key", uuid()}});
    REQUIRE(r.status == 201);
    const TicketNumber number = r.json["number"];

    CHECK(worker->run_once() == 3);
    const auto messages = sink.wait_for_messages(3);
    REQUIRE(messages.size() == 3);
    CHECK(recipients(messages) == std::set<std::string>{"ana@team.example", "carla@team.example", "duda@team.example"});
    CHECK(metrics.emails_sent == 3);

    const auto pt = to("ana@team.example").at(0);
    CHECK(pt["subject"] == "Novo pedido n.º " + std::to_string(number) + " em helpdesk team (alta): Impressora não imprime");
    CHECK(header(pt, "Content-Language") == "pt");
    const auto it = to("carla@team.example").at(0);
    CHECK(it["subject"] ==
          "Nuova richiesta n. " + std::to_string(number) + " in helpdesk team (alta): Impressora não imprime");
    CHECK(header(it, "Content-Language") == "it");
    const auto br = to("duda@team.example").at(0);
    CHECK(br["subject"].get<std::string>().rfind("Novo chamado nº " + std::to_string(number), 0) == 0);
    CHECK(header(br, "Content-Language") == "pt-BR");

    for (const auto& m : messages) {
        // Headers: the subject in RFC 2047 words (it is not ASCII), the description never in it.
        CHECK(header(m, "Subject").rfind("=?UTF-8?B?", 0) == 0);
        CHECK(m["subject"].get<std::string>().find("SECRET-DESCRIPTION") == std::string::npos);
        CHECK(header(m, "From") == "helpline@team.example");
        CHECK(m["mail_from"] == "helpline@team.example");
        CHECK(header(m, "Date").find("+0000") != std::string::npos);
        CHECK(std::regex_match(header(m, "Message-ID"),
                               std::regex("<helpline\\.[0-9]+\\.[0-9]+@helpline\\.team\\.example>")));
        CHECK(header(m, "X-Helpline-Ticket") == std::to_string(number));
        // The body: plain text with the requester, the customer's text and the link.
        CHECK(header(m, "Content-Type") == "text/plain; charset=UTF-8");
        const std::string body = m["body"];
        CHECK(body.find("cliente@acme.example") != std::string::npos);
        CHECK(body.find("SECRET-DESCRIPTION") != std::string::npos);
        CHECK(body.find("https://helpline.team.example/console/#/tickets/" + std::to_string(number)) !=
              std::string::npos);
    }
    // Three messages, three Message-IDs.
    std::set<std::string> ids;
    for (const auto& m : messages) ids.insert(header(m, "Message-ID"));
    CHECK(ids.size() == 3);
    // Nothing left to send: the rows are marked sent.
    CHECK(worker->run_once() == 0);
    CHECK(store().mail_summary().queued == 0);
}

TEST_CASE_METHOD(MailFixture, "assigning emails the operator and the group's members, never the one who assigned") {
    group("helpdesk");
    group("billing");
    UserId admin_id = 0, carla_id = 0, bea_id = 0;
    const auto admin = member("boss@team.example", Role::admin, {"billing"}, true, "en", &admin_id);
    member("carla@team.example", Role::operator_, {}, true, "it", &carla_id);
    member("bea@team.example", Role::operator_, {}, false, "en", &bea_id);
    member("ana@team.example", Role::operator_, {"billing"}, true, "pt");
    const auto device = this->device();
    const TicketNumber n = submit(device);  // no group: nobody hears of it
    CHECK(worker->run_once() == 0);

    SECTION("to an operator") {
        REQUIRE(call("PATCH", "/api/v1/tickets/" + std::to_string(n), admin, {{"operator_id", carla_id}}).status == 200);
        CHECK(worker->run_once() == 1);
        const auto got = sink.wait_for_messages(1);
        REQUIRE(got.size() == 1);
        CHECK(got[0]["rcpt_tos"] == nlohmann::json::array({"carla@team.example"}));
        CHECK(got[0]["subject"].get<std::string>().rfind("Richiesta n. " + std::to_string(n) + " assegnata a te", 0) == 0);
        CHECK(got[0]["body"].get<std::string>().find("boss ti ha assegnato questa richiesta.") != std::string::npos);
    }
    SECTION("to an operator with notifications off: nothing") {
        REQUIRE(call("PATCH", "/api/v1/tickets/" + std::to_string(n), admin, {{"operator_id", bea_id}}).status == 200);
        CHECK(worker->run_once() == 0);
        CHECK(store().due_mail(clock.now() + 1'000'000, 100).empty());
        CHECK(sink.messages().empty());
    }
    SECTION("to themselves: nothing") {
        REQUIRE(call("PATCH", "/api/v1/tickets/" + std::to_string(n), admin, {{"operator_id", admin_id}}).status == 200);
        CHECK(worker->run_once() == 0);
    }
    SECTION("to a group: its members but the one who did it") {
        REQUIRE(call("PATCH", "/api/v1/tickets/" + std::to_string(n), admin, {{"group_id", "billing"}}).status == 200);
        CHECK(worker->run_once() == 1);
        const auto got = sink.wait_for_messages(1);
        REQUIRE(got.size() == 1);
        CHECK(got[0]["rcpt_tos"] == nlohmann::json::array({"ana@team.example"}));
        CHECK(got[0]["subject"].get<std::string>().rfind("Pedido n.º " + std::to_string(n) + " para billing team", 0) == 0);
    }
    SECTION("to a group and one of its members at once: one message, about the assignment") {
        UserId ana_id = store().user_by_email("ana@team.example")->id;
        REQUIRE(call("PATCH", "/api/v1/tickets/" + std::to_string(n), admin,
                     {{"group_id", "billing"}, {"operator_id", ana_id}})
                    .status == 200);
        CHECK(worker->run_once() == 1);
        const auto got = sink.wait_for_messages(1);
        REQUIRE(got.size() == 1);
        CHECK(got[0]["subject"].get<std::string>().find("atribuído a si") != std::string::npos);
    }
    SECTION("a change that assigns nobody new (the priority): nothing") {
        REQUIRE(call("PATCH", "/api/v1/tickets/" + std::to_string(n), admin, {{"priority", "urgent"}}).status == 200);
        CHECK(worker->run_once() == 0);
    }
}

TEST_CASE_METHOD(MailFixture, "a temporary refusal (4xx) is tried again after a backoff, then sent once") {
    group("helpdesk");
    member("ana@team.example", Role::operator_, {"helpdesk"}, true);
    sink.control({{"data_tempfail", 2}});
    submit(device(), "helpdesk");

    CHECK(worker->run_once() == 1);
    auto row = store().due_mail(clock.now() + 1'000'000, 10);
    REQUIRE(row.size() == 1);
    CHECK(row[0].attempts == 1);
    CHECK(row[0].next_attempt_at >= clock.now() + 30);
    CHECK(row[0].next_attempt_at <= clock.now() + 60);
    CHECK(row[0].last_error.find("451") != std::string::npos);
    CHECK(worker->run_once() == 0);  // not due yet

    clock.set(row[0].next_attempt_at);
    CHECK(worker->run_once() == 1);
    row = store().due_mail(clock.now() + 1'000'000, 10);
    REQUIRE(row.size() == 1);
    CHECK(row[0].attempts == 2);
    CHECK(row[0].next_attempt_at >= clock.now() + 60);  // doubled
    CHECK(row[0].next_attempt_at <= clock.now() + 120);

    clock.set(row[0].next_attempt_at);
    CHECK(worker->run_once() == 1);
    const auto got = sink.wait_for_messages(1);
    CHECK(got.size() == 1);
    CHECK(metrics.email_retries == 2);
    CHECK(metrics.emails_sent == 1);
    const auto sent = store().outbox_mail(row[0].id);
    REQUIRE(sent);
    CHECK(sent->state == MailState::sent);
    CHECK(sent->attempts == 3);
    CHECK_FALSE(store().mail_failing(store().user_by_email("ana@team.example")->id));
}

TEST_CASE_METHOD(MailFixture, "a permanent refusal (5xx) ends the attempts and admins see it") {
    group("helpdesk");
    const auto admin = member("boss@team.example", Role::admin, {}, false);
    UserId ana = 0;
    member("ana@team.example", Role::operator_, {"helpdesk"}, true, "en", &ana);
    sink.control({{"rcpt", {{"ana@team.example", 550}}}});
    const auto device = this->device();
    submit(device, "helpdesk");

    CHECK(worker->run_once() == 1);
    CHECK(metrics.emails_failed == 1);
    clock.advance(std::chrono::hours(24));
    CHECK(worker->run_once() == 0);  // no more attempts
    CHECK(sink.messages().empty());

    auto users = call("GET", "/api/v1/users", admin);
    REQUIRE(users.status == 200);
    for (const auto& u : users.json["users"]) CHECK(u["email_failing"] == (u["id"] == ana));
    auto email = call("GET", "/api/v1/email", admin);
    REQUIRE(email.status == 200);
    CHECK(email.json["configured"] == true);
    CHECK(email.json["failing"] == 1);
    CHECK(email.json["queued"] == 0);
    CHECK(email.json["last_error"].get<std::string>().find("550 5.1.1 refused by the test's relay") != std::string::npos);
    CHECK(metrics.render({}).find("helpline_emails_failed_total 1\n") != std::string::npos);

    // The next message that gets through clears it.
    sink.control(nlohmann::json::object());
    submit(device, "helpdesk");
    CHECK(worker->run_once() == 1);
    CHECK(sink.wait_for_messages(1).size() == 1);
    CHECK_FALSE(store().mail_failing(ana));
    CHECK(call("GET", "/api/v1/email", admin).json["failing"] == 0);
}

TEST_CASE_METHOD(MailFixture, "a relay that cannot be reached is a temporary failure, given up after two days") {
    group("helpdesk");
    member("ana@team.example", Role::operator_, {"helpdesk"}, true);
    submit(device(), "helpdesk");
    auto unreachable = settings;
    unreachable.smtp_url = "smtp://127.0.0.1:1";  // nothing listens on port 1
    mail::OutboxWorker down(store(), clock, metrics, unreachable);
    CHECK(down.run_once() == 1);
    auto row = store().due_mail(clock.now() + 1'000'000, 10).at(0);
    CHECK(row.state == MailState::queued);
    CHECK(row.attempts == 1);
    clock.advance(std::chrono::hours(49));
    CHECK(down.run_once() == 1);
    const auto failed = store().outbox_mail(row.id);
    CHECK(failed->state == MailState::failed);
    CHECK(failed->last_error.find("two days") != std::string::npos);
}

TEST_CASE("without email configured nothing is queued and the API says email is off") {
    ApiFixture api;
    api.group("helpdesk");
    UserId ana = 0;
    api.user("ana@team.example", Role::operator_, {"helpdesk"}, &ana);
    auto u = api.store().user(ana);
    u->notify_email = true;
    REQUIRE(api.store().update_user(*u).ok());
    const auto admin = api.user("boss@team.example", Role::admin);
    api.submit(api.device(), "helpdesk");
    CHECK(api.store().due_mail(api.clock.now() + 1'000'000, 10).empty());
    auto email = api.call("GET", "/api/v1/email", admin);
    REQUIRE(email.status == 200);
    CHECK(email.json["configured"] == false);
    CHECK(email.json["relay"].is_null());
    CHECK(api.call("GET", "/api/v1/email", api.user("op@team.example", Role::operator_)).status == 403);
}

}  // namespace helpline::server::test
