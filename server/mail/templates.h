#pragma once
// What the messages say, in the recipient's language (en, pt, pt_BR, it; anything else is
// English): the subject and the plain-text body of each kind of outbox message.
//
// The subject carries the ticket's number, its priority and the customer's subject line
// (cut to 80 characters), never the description; the body is plain text, so nothing the
// customer wrote can be markup or a hidden link.

#include <string>

#include "server/store/mail_model.h"

namespace helpline::server::mail {

struct MailText {
    std::string subject;
    std::string body;
};

/// The text of `mail` (its kind, language and data) with links under `public_url`
/// (`<public_url>/console/#/tickets/<n>`, `<public_url>/console/#/invite/<token>`).
MailText compose_text(const OutboxMail& mail, const std::string& public_url);

/// The language's tag for Content-Language: "pt-BR" for pt_BR, "en" for an unknown one.
std::string language_tag(const std::string& language);

}  // namespace helpline::server::mail
