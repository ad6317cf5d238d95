#include "server/mail/mail_settings.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <arpa/inet.h>

#include <fstream>
#include <iterator>
#include <memory>

#include "shared/email.h"
#include "shared/text.h"

namespace helpline::server::mail {
namespace {

Error bad_option(std::string_view option, std::string message) {
    return make_error("mail.config", std::move(message), std::string(option));
}

/// The parts of a URL, by libcurl's parser (the one that will use it).
struct UrlParts {
    std::string scheme, host, port, user, path, query, fragment;
};

std::optional<UrlParts> parse_url(const std::string& text) {
    std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> url(curl_url(), curl_url_cleanup);
    if (!url || curl_url_set(url.get(), CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
        return std::nullopt;
    const auto part = [&](CURLUPart which) {
        char* value = nullptr;
        std::string out;
        if (curl_url_get(url.get(), which, &value, 0) == CURLUE_OK && value != nullptr) out = value;
        curl_free(value);
        return out;
    };
    return UrlParts{part(CURLUPART_SCHEME), part(CURLUPART_HOST),  part(CURLUPART_PORT),    part(CURLUPART_USER),
                    part(CURLUPART_PATH),   part(CURLUPART_QUERY), part(CURLUPART_FRAGMENT)};
}

std::string unbracketed(std::string host) {
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
    return host;
}

/// The file exists, can be read and holds at least one PEM certificate; libcurl reads it at
/// each connection, so a mistake here would otherwise only show as failing email.
Status check_ca_file(const std::filesystem::path& file) {
    const std::string where = file.string();
    std::error_code ec;
    std::ifstream in(file);
    if (!std::filesystem::is_regular_file(file, ec) || !in)
        return make_error("mail.ca",
                          fmt::format("The CA file '{file}' (--smtp-ca) cannot be read: it does not exist, is "
                                      "not a file or is not the server's user's to read.",
                                      fmt::arg("file", where)),
                          where);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (text.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
        return make_error("mail.ca",
                          fmt::format("The CA file '{file}' (--smtp-ca) holds no PEM certificate (-----BEGIN "
                                      "CERTIFICATE-----): give the CA certificates that sign the relay's "
                                      "certificate.",
                                      fmt::arg("file", where)),
                          where);
    return Ok{};
}

}  // namespace

bool is_loopback_host(std::string_view host_text) {
    const std::string host = unbracketed(std::string(host_text));
    if (iequals(host, "localhost")) return true;
    in_addr v4{};
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    in6_addr v6{};
    if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
    return false;
}

Result<Credentials> read_credentials(const std::filesystem::path& file) {
    const std::string where = file.string();
    struct stat st {};
    if (::stat(where.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return make_error("mail.credentials",
                          fmt::format("The SMTP credentials file '{file}' (--smtp-credentials) cannot be "
                                      "read: it does not exist or is not a file.",
                                      fmt::arg("file", where)),
                          where);
    if ((st.st_mode & 077) != 0)
        return make_error("mail.credentials",
                          fmt::format("The SMTP credentials file '{file}' can be read by others (mode "
                                      "{mode:04o}); it holds a password. Run: chmod 600 '{file}' (and make it "
                                      "the server's user's).",
                                      fmt::arg("file", where), fmt::arg("mode", st.st_mode & 07777)),
                          where);
    std::ifstream in(file);
    if (!in)
        return make_error("mail.credentials",
                          fmt::format("The SMTP credentials file '{file}' cannot be opened: is it the "
                                      "server's user's?",
                                      fmt::arg("file", where)),
                          where);
    Credentials c;
    bool has_user = false, has_password = false;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const std::string_view text = trim_blanks(line);
        if (text.empty() || text.front() == '#') continue;
        const auto eq = text.find('=');
        const std::string key(trim_blanks(text.substr(0, eq == std::string_view::npos ? 0 : eq)));
        const std::string value(eq == std::string_view::npos ? std::string_view{} : trim_blanks(text.substr(eq + 1)));
        if (key == "user") {
            c.user = value;
            has_user = true;
        } else if (key == "password") {
            c.password = value;
            has_password = true;
        } else {
            return make_error("mail.credentials",
                              fmt::format("Line {line} of the SMTP credentials file '{file}' is not `user = NAME` "
                                          "or `password = SECRET`.",
                                          fmt::arg("line", number), fmt::arg("file", where)),
                              where);
        }
    }
    if (!has_user || !has_password || c.user.empty())
        return make_error("mail.credentials",
                          fmt::format("The SMTP credentials file '{file}' needs two lines: `user = NAME` and "
                                      "`password = SECRET`.",
                                      fmt::arg("file", where)),
                          where);
    return c;
}

Result<std::optional<MailSettings>> load_mail_settings(const MailOptions& o) {
    if (o.smtp_url.empty()) {
        const char* given = !o.smtp_from.empty() ? "--smtp-from"
                            : !o.smtp_credentials.empty() ? "--smtp-credentials"
                            : !o.smtp_ca.empty() ? "--smtp-ca"
                            : !o.public_url.empty() ? "--public-url"
                                                    : nullptr;
        // --public-url alone is harmless (nothing links yet); the SMTP options are not.
        if (given != nullptr && std::string_view(given) != "--public-url")
            return bad_option(given, fmt::format("{option} is given without --smtp-url: say which relay sends "
                                                 "the email (smtp://host:port or smtps://host:port), or drop "
                                                 "{option}.",
                                                 fmt::arg("option", given)));
        return std::optional<MailSettings>{};
    }
    MailSettings s;
    const auto url = parse_url(o.smtp_url);
    if (!url || (url->scheme != "smtp" && url->scheme != "smtps") || url->host.empty())
        return bad_option("--smtp-url", fmt::format("--smtp-url '{url}' is not smtp://HOST[:PORT] or "
                                                    "smtps://HOST[:PORT] (e.g. smtp://127.0.0.1:25, "
                                                    "smtp://smtp.provider.example:587).",
                                                    fmt::arg("url", o.smtp_url)));
    if (!url->user.empty())
        return bad_option("--smtp-url", "--smtp-url must not carry a user or password (anyone can read a "
                                        "command line): put them in the file given with --smtp-credentials.");
    s.host = unbracketed(url->host);
    s.smtp_url = url->scheme + "://" + url->host + (url->port.empty() ? "" : ":" + url->port);
    s.require_tls = !is_loopback_host(s.host);
    if (o.smtp_from.empty() || !is_valid_email(o.smtp_from))
        return bad_option("--smtp-from", o.smtp_from.empty()
                                             ? std::string("--smtp-url needs --smtp-from: the address the "
                                                           "email is sent from, e.g. helpline@team.example.")
                                             : fmt::format("--smtp-from '{from}' is not an email address.",
                                                           fmt::arg("from", o.smtp_from)));
    s.from = o.smtp_from;
    if (o.public_url.empty())
        return bad_option("--public-url", "--smtp-url needs --public-url: the address operators open the "
                                          "console at, for the links in the email (e.g. "
                                          "https://helpline.team.example).");
    const auto pub = parse_url(o.public_url);
    if (!pub || (pub->scheme != "https" && pub->scheme != "http") || pub->host.empty() || !pub->query.empty() ||
        !pub->fragment.empty() || !pub->user.empty())
        return bad_option("--public-url", fmt::format("--public-url '{url}' is not an http(s) address such as "
                                                      "https://helpline.team.example (no query, no '#').",
                                                      fmt::arg("url", o.public_url)));
    s.public_url = o.public_url;
    while (!s.public_url.empty() && s.public_url.back() == '/') s.public_url.pop_back();
    s.message_id_domain = unbracketed(pub->host);
    if (!o.smtp_credentials.empty()) {
        auto c = read_credentials(o.smtp_credentials);
        if (!c) return c.error();
        s.username = c->user;
        s.password = c->password;
    }
    if (!o.smtp_ca.empty()) {
        auto ca = check_ca_file(o.smtp_ca);
        if (!ca) return ca.error();
        s.ca_file = o.smtp_ca.string();
    }
    return std::optional<MailSettings>(std::move(s));
}

}  // namespace helpline::server::mail
