#include "server/mail/message.h"

#include <fmt/format.h>

#include <ctime>

#include "shared/text.h"

namespace helpline::server::mail {
namespace {

constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(std::string_view in) {
    std::string out;
    std::size_t i = 0;
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(in[k]); };
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
        for (int s : {18, 12, 6, 0}) out += kBase64[(v >> s) & 63];
    }
    if (i + 1 == in.size()) {
        const unsigned v = byte(i) << 16;
        out += kBase64[(v >> 18) & 63];
        out += kBase64[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        const unsigned v = (byte(i) << 16) | (byte(i + 1) << 8);
        out += kBase64[(v >> 18) & 63];
        out += kBase64[(v >> 12) & 63];
        out += kBase64[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

/// The text as UTF-8 characters, control characters as spaces, bad bytes as U+FFFD.
std::vector<std::string> header_characters(std::string_view text) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = utf8_sequence(text.substr(i));
        if (n == 0) {
            out.emplace_back("\xEF\xBF\xBD");
            ++i;
            continue;
        }
        const auto c = static_cast<unsigned char>(text[i]);
        out.emplace_back(n == 1 && (c < 0x20 || c == 0x7F) ? std::string(" ") : std::string(text.substr(i, n)));
        i += n;
    }
    return out;
}

}  // namespace

std::string message_id_for(std::int64_t outbox_id, Timestamp created_at, std::string_view domain) {
    return fmt::format("helpline.{}.{}@{}", outbox_id, created_at, domain);
}

std::string format_date(Timestamp t) {
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::time_t time = t;
    std::tm tm{};
    gmtime_r(&time, &tm);
    return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} +0000", kDays[tm.tm_wday], tm.tm_mday, kMonths[tm.tm_mon],
                       tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string encode_header_text(std::string_view text, std::size_t name_length) {
    const auto chars = header_characters(text);
    std::string plain;
    bool ascii = true;
    for (const auto& c : chars) {
        plain += c;
        ascii = ascii && c.size() == 1;
    }
    // "Name: value" within 78 characters needs no encoding when it is ASCII (RFC 5322 2.1.1).
    if (ascii && name_length + 2 + plain.size() <= 78) return plain;
    // Encoded words: "=?UTF-8?B?" + base64 + "?=" at most 75 characters, so at most 45
    // bytes of text each (60 base64 characters), never a character cut in two.
    std::string out;
    std::string chunk;
    const auto flush = [&] {
        if (chunk.empty()) return;
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + base64(chunk) + "?=";
        chunk.clear();
    };
    for (const auto& c : chars) {
        if (chunk.size() + c.size() > 45) flush();
        chunk += c;
    }
    flush();
    return out;
}

std::string quoted_printable(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        std::size_t column = 0;
        for (std::size_t i = 0; i < line.size(); ++i) {
            const auto c = static_cast<unsigned char>(line[i]);
            const bool last = i + 1 == line.size();
            std::string piece;
            if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last)) {
                piece = static_cast<char>(c);
            } else {
                piece = {'=', kHex[c >> 4], kHex[c & 15]};
            }
            // A soft line break ("=" at the end) keeps every line within 76 characters.
            if (column + piece.size() > 75) {
                out += "=\r\n";
                column = 0;
            }
            out += piece;
            column += piece.size();
        }
        if (end == text.size()) break;
        out += "\r\n";
        start = end + 1;
    }
    return out;
}

std::string render(const Message& m) {
    std::string out;
    const auto header = [&](std::string_view name, std::string_view value) {
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    };
    header("From", m.from);
    header("To", m.to);
    header("Subject", encode_header_text(m.subject, 7));
    header("Date", format_date(m.date));
    header("Message-ID", "<" + m.message_id + ">");
    header("MIME-Version", "1.0");
    header("Content-Type", "text/plain; charset=UTF-8");
    header("Content-Transfer-Encoding", "quoted-printable");
    if (!m.language.empty()) header("Content-Language", m.language);
    // A notification: vacation responders and the like must not answer it (RFC 3834).
    header("Auto-Submitted", "auto-generated");
    for (const auto& [name, value] : m.extra_headers) header(name, value);
    out += "\r\n";
    out += quoted_printable(m.body);
    out += "\r\n";
    return out;
}

}  // namespace helpline::server::mail
