#pragma once
// An email as RFC 5322 text: the headers (Subject in RFC 2047 encoded words when it is not
// plain ASCII, Date, a Message-ID derived from the outbox row) and a plain-text UTF-8
// body in quoted-printable, so that the message is 7-bit whatever the relay supports.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/store/model.h"

namespace helpline::server::mail {

struct Message {
    std::string from;        ///< address
    std::string to;          ///< address
    std::string subject;     ///< UTF-8, one line (line breaks become spaces)
    std::string body;        ///< UTF-8 plain text, lines separated by '\n'
    std::string message_id;  ///< without the angle brackets
    Timestamp date = 0;
    std::string language;  ///< Content-Language, e.g. "pt-BR"; empty: none
    std::vector<std::pair<std::string, std::string>> extra_headers;  ///< ASCII values
};

/// "<id>.<created_at>@<domain>" without brackets: the outbox row's id and time (a database
/// made anew starts its ids again, its times do not), at the public URL's host.
std::string message_id_for(std::int64_t outbox_id, Timestamp created_at, std::string_view domain);

/// RFC 5322 date: "Sun, 06 Dec 2026 07:44:59 +0000".
std::string format_date(Timestamp t);

/// The value of an unstructured header (Subject): as it is when it is printable ASCII and
/// fits the line, else RFC 2047 "=?UTF-8?B?…?=" words of at most 75 characters, cut
/// between characters, folded one per line. Control characters become spaces, bytes that
/// are not UTF-8 U+FFFD, so no value can add a header.
std::string encode_header_text(std::string_view text, std::size_t name_length);

/// Quoted-printable (RFC 2045) with CRLF line ends and lines of at most 76 characters.
std::string quoted_printable(std::string_view text);

/// The whole message, CRLF line ends, ready for SMTP DATA.
std::string render(const Message& m);

}  // namespace helpline::server::mail
