// The email options of `run`: what is refused, and how.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "server/mail/mail_settings.h"
#include "tests/support/fixtures.h"

namespace helpline::server::mail {

using helpline::test::TempDir;

namespace {

MailOptions relay(std::string url = "smtp://127.0.0.1:2525") {
    MailOptions o;
    o.smtp_url = std::move(url);
    o.smtp_from = "helpline@team.example";
    o.public_url = "https://helpline.team.example/";
    return o;
}

std::filesystem::path credentials(const TempDir& dir, const std::string& text, mode_t mode) {
    const auto path = dir / "smtp-credentials";
    helpline::test::write_text(path, text);
    ::chmod(path.c_str(), mode);
    return path;
}

}  // namespace

TEST_CASE("without --smtp-url email is off") {
    auto s = load_mail_settings({});
    REQUIRE(s.ok());
    CHECK_FALSE(s->has_value());
}

TEST_CASE("an SMTP option without --smtp-url is refused, naming it") {
    MailOptions o;
    o.smtp_from = "helpline@team.example";
    auto s = load_mail_settings(o);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().where == "--smtp-from");
    CHECK(s.error().message.find("without --smtp-url") != std::string::npos);
}

TEST_CASE("a relay on loopback does not need TLS, any other needs STARTTLS") {
    auto local = load_mail_settings(relay("smtp://127.0.0.1:2525"));
    REQUIRE(local.ok());
    CHECK_FALSE((*local)->require_tls);
    CHECK((*local)->public_url == "https://helpline.team.example");
    CHECK((*local)->message_id_domain == "helpline.team.example");
    CHECK_FALSE(load_mail_settings(relay("smtp://localhost"))->value().require_tls);
    CHECK_FALSE(load_mail_settings(relay("smtp://[::1]:25"))->value().require_tls);
    CHECK(load_mail_settings(relay("smtp://smtp.provider.example:587"))->value().require_tls);
    CHECK(load_mail_settings(relay("smtps://smtp.provider.example"))->value().require_tls);
    CHECK(load_mail_settings(relay("smtp://10.0.0.5:25"))->value().require_tls);
}

TEST_CASE("bad relay, sender and public addresses are refused with what to write") {
    for (const char* url : {"http://smtp.example", "smtp://", "smtp.example:25"}) {
        auto s = load_mail_settings(relay(url));
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().where == "--smtp-url");
    }
    auto with_user = load_mail_settings(relay("smtp://me:secret@smtp.example:587"));
    REQUIRE_FALSE(with_user.ok());
    CHECK(with_user.error().message.find("--smtp-credentials") != std::string::npos);
    auto o = relay();
    o.smtp_from = "";
    CHECK(load_mail_settings(o).error().where == "--smtp-from");
    o = relay();
    o.smtp_from = "not an address";
    CHECK(load_mail_settings(o).error().where == "--smtp-from");
    o = relay();
    o.public_url = "";
    CHECK(load_mail_settings(o).error().where == "--public-url");
    o.public_url = "ftp://helpline.team.example";
    CHECK(load_mail_settings(o).error().where == "--public-url");
}

TEST_CASE("a credentials file others can read is refused, saying chmod 600") {
    TempDir dir;
    auto o = relay();
    o.smtp_credentials = credentials(dir, "user = helpline\npassword = s3cret\n", 0644);
    auto s = load_mail_settings(o);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == "mail.credentials");
    CHECK(s.error().message.find("chmod 600") != std::string::npos);
    CHECK(s.error().message.find("0644") != std::string::npos);
}

TEST_CASE("a credentials file of mode 0600 gives the user and password") {
    TempDir dir;
    auto o = relay();
    o.smtp_credentials = credentials(dir, "# the relay's account\nuser = helpline@team.example\n\npassword =  p=ss word \n", 0600);
    auto s = load_mail_settings(o);
    REQUIRE(s.ok());
    CHECK((*s)->username == "helpline@team.example");
    CHECK((*s)->password == "p=ss word");
}

TEST_CASE("a credentials file with another line, or without the password, is refused") {
    TempDir dir;
    auto bad = read_credentials(credentials(dir, "user = a\npasword = b\n", 0600));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find("Line 2") != std::string::npos);
    auto missing = read_credentials(credentials(dir, "user = a\n", 0600));
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.find("password = SECRET") != std::string::npos);
    auto absent = read_credentials(dir / "nothing-here");
    REQUIRE_FALSE(absent.ok());
}

TEST_CASE("the --smtp-ca option names a readable PEM file of CA certificates, else it is refused") {
    TempDir dir;
    auto o = relay();
    o.smtp_ca = helpline::test::source_path("tests/fixtures/tls/relay-ca.pem");
    auto s = load_mail_settings(o);
    REQUIRE(s.ok());
    CHECK((*s)->ca_file == o.smtp_ca.string());
    CHECK(load_mail_settings(relay())->value().ca_file.empty());  // the system's CAs

    o.smtp_ca = dir / "no-such-ca.pem";
    auto missing = load_mail_settings(o);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == "mail.ca");
    CHECK(missing.error().message.find("'" + o.smtp_ca.string() + "' (--smtp-ca) cannot be read") != std::string::npos);
    o.smtp_ca = dir.path();  // a folder
    CHECK(load_mail_settings(o).error().code == "mail.ca");
    o.smtp_ca = dir / "empty.pem";
    helpline::test::write_text(o.smtp_ca, "not a certificate\n");
    auto empty = load_mail_settings(o);
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().message.find("holds no PEM certificate") != std::string::npos);

    MailOptions alone;
    alone.smtp_ca = "/etc/ssl/certs/ca-certificates.crt";
    CHECK(load_mail_settings(alone).error().where == "--smtp-ca");
}

}  // namespace helpline::server::mail
