#pragma once
// How the server sends email: the SMTP relay, the sender address, the credentials, the CAs
// that verify the relay and the public address links point at (`run --smtp-url …
// --smtp-from … --smtp-credentials FILE --smtp-ca FILE --public-url …`, docs/operations.md
// "Email"). Without --smtp-url there is no email: notifications are off and new users get a
// generated password instead of an invitation.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "shared/result.h"

namespace helpline::server::mail {

/// The options as given (command line or [run] in the configuration file).
struct MailOptions {
    std::string smtp_url;                    ///< smtp://host[:port] or smtps://host[:port]
    std::string smtp_from;                   ///< the sender address
    std::filesystem::path smtp_credentials;  ///< `user = …` and `password = …`, mode 0600
    std::filesystem::path smtp_ca;           ///< PEM CA certificates for the relay; empty: the system's
    std::string public_url;                  ///< https://helpline.example.com (links in emails)
};

struct MailSettings {
    std::string smtp_url;  ///< as given, without credentials
    std::string host;      ///< the relay's host name or address
    std::string from;
    std::string username;  ///< empty: no AUTH
    std::string password;
    std::string public_url;  ///< without a trailing '/'
    /// The domain of every Message-ID: the public URL's host. Stable across restarts and
    /// secret-free, so a message resent after a crash carries the same id.
    std::string message_id_domain;
    /// TLS is required (STARTTLS for smtp://, implicit for smtps://) unless the relay is on
    /// loopback, where STARTTLS is used when the relay offers it and plain SMTP otherwise.
    bool require_tls = true;
    /// The CA certificates (PEM) that verify the relay instead of the system's; empty: the
    /// system's. A checked, readable file.
    std::string ca_file;
};

struct Credentials {
    std::string user;
    std::string password;
};

/// nullopt when no --smtp-url is given (email is off), else the checked settings; an Error
/// naming the option (or the credentials file and line) and saying how to fix it.
Result<std::optional<MailSettings>> load_mail_settings(const MailOptions& options);

/// Reads a credentials file: mode 0600 (no access for group or others) or refused; lines
/// `user = NAME` and `password = SECRET` (the value is the rest of the line, blanks at both
/// ends removed); blank lines and lines starting with '#' are skipped.
Result<Credentials> read_credentials(const std::filesystem::path& file);

/// localhost, 127.0.0.0/8, ::1.
bool is_loopback_host(std::string_view host);

}  // namespace helpline::server::mail
