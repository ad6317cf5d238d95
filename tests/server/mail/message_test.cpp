// Messages as RFC 5322 text: encoded subjects, quoted-printable bodies, dates, ids; and the
// retry delays of the outbox worker.
#include <catch2/catch.hpp>

#include <random>
#include <set>
#include <sstream>

#include "server/mail/message.h"
#include "server/mail/outbox_worker.h"

namespace helpline::server::mail {
namespace {

std::string base64_decode(const std::string& in) {
    static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned value = 0;
    int bits = 0;
    for (const char c : in) {
        if (c == '=') break;
        value = (value << 6) | static_cast<unsigned>(kAlphabet.find(c));
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((value >> bits) & 0xFF);
        }
    }
    return out;
}

/// The encoded words of a header value, decoded and joined; the words themselves in `words`.
std::string decode_words(const std::string& value, std::vector<std::string>& words) {
    std::string out;
    std::istringstream in(value);
    std::string word;
    while (in >> word) {
        words.push_back(word);
        REQUIRE(word.rfind("=?UTF-8?B?", 0) == 0);
        REQUIRE(word.substr(word.size() - 2) == "?=");
        out += base64_decode(word.substr(10, word.size() - 12));
    }
    return out;
}

bool valid_utf8(const std::string& s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n;
    }
    return true;
}

}  // namespace

TEST_CASE("a plain ASCII subject that fits the line is left as it is") {
    CHECK(encode_header_text("Ticket #1001 assigned to you", 7) == "Ticket #1001 assigned to you");
}

TEST_CASE("a UTF-8 subject becomes encoded words of at most 75 characters, never cutting a character") {
    CHECK(encode_header_text("é", 7) == "=?UTF-8?B?w6k=?=");
    std::string long_text;
    for (int i = 0; i < 40; ++i) long_text += "Pedido não é só ação €😀 ";
    std::vector<std::string> words;
    const std::string encoded = encode_header_text(long_text, 7);
    CHECK(decode_words(encoded, words) == long_text);
    REQUIRE(words.size() > 10);
    for (const auto& w : words) {
        CHECK(w.size() <= 75);
        CHECK(valid_utf8(base64_decode(w.substr(10, w.size() - 12))));
    }
    // Folded: one word a line, continuation lines start with a space.
    CHECK(encoded.find("?=\r\n =?UTF-8?B?") != std::string::npos);
}

TEST_CASE("line breaks and bad bytes in a subject cannot add a header") {
    const std::string encoded = encode_header_text("hello\r\nBcc: victim@x.example", 7);
    CHECK(encoded.find('\r') == std::string::npos);
    CHECK(encoded.find('\n') == std::string::npos);
    CHECK(encoded == "hello  Bcc: victim@x.example");
    std::vector<std::string> words;
    CHECK(decode_words(encode_header_text("caf\xC3 \xFF", 7), words) == "caf\xEF\xBF\xBD \xEF\xBF\xBD");
}

TEST_CASE("quoted-printable keeps lines within 76 characters and encodes what is not plain ASCII") {
    CHECK(quoted_printable("a=b") == "a=3Db");
    CHECK(quoted_printable("olá") == "ol=C3=A1");
    CHECK(quoted_printable("end \nnext") == "end=20\r\nnext");
    CHECK(quoted_printable("one\n.two") == "one\r\n.two");
    const std::string encoded = quoted_printable(std::string(300, 'x') + "\n" + std::string(100, 'y'));
    std::istringstream lines(encoded);
    std::string line;
    int count = 0;
    while (std::getline(lines, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        CHECK(line.size() <= 76);
        ++count;
    }
    CHECK(count >= 6);
}

TEST_CASE("dates are RFC 5322 and Message-IDs come from the outbox row") {
    CHECK(format_date(0) == "Thu, 01 Jan 1970 00:00:00 +0000");
    CHECK(format_date(1'796'543'099) == "Sun, 06 Dec 2026 07:44:59 +0000");
    CHECK(message_id_for(42, 1'780'000'000, "helpline.team.example") ==
          "helpline.42.1780000000@helpline.team.example");
}

TEST_CASE("a rendered message has its headers, a blank line and a 7-bit body") {
    Message m;
    m.from = "helpline@team.example";
    m.to = "ana@team.example";
    m.subject = "Richiesta n. 1001 assegnata a te";
    m.body = "Priorità: alta\nhttps://helpline.team.example/console/#/tickets/1001";
    m.message_id = "helpline.7.1780000000@helpline.team.example";
    m.date = 1'780'000'000;
    m.language = "it";
    const std::string text = render(m);
    CHECK(text.rfind("From: helpline@team.example\r\nTo: ana@team.example\r\n", 0) == 0);
    CHECK(text.find("\r\nMessage-ID: <helpline.7.1780000000@helpline.team.example>\r\n") != std::string::npos);
    CHECK(text.find("\r\nContent-Type: text/plain; charset=UTF-8\r\n") != std::string::npos);
    CHECK(text.find("\r\nContent-Language: it\r\n") != std::string::npos);
    CHECK(text.find("\r\nAuto-Submitted: auto-generated\r\n") != std::string::npos);
    CHECK(text.find("\r\n\r\nPriorit=C3=A0: alta\r\n") != std::string::npos);
    for (const char c : text) CHECK(static_cast<unsigned char>(c) < 0x80);
}

TEST_CASE("retries back off exponentially, capped, with jitter in the upper half") {
    WorkerOptions o;
    o.first_retry_s = 60;
    o.max_retry_s = 3600;
    std::mt19937_64 random(7);
    std::set<std::int64_t> first;
    for (int i = 0; i < 200; ++i) {
        const auto d1 = retry_delay(1, o, random);
        CHECK(d1 >= 30);
        CHECK(d1 <= 60);
        first.insert(d1);
        const auto d3 = retry_delay(3, o, random);
        CHECK(d3 >= 120);
        CHECK(d3 <= 240);
        const auto d20 = retry_delay(20, o, random);
        CHECK(d20 >= 1800);
        CHECK(d20 <= 3600);
    }
    CHECK(first.size() > 10);  // jittered, not one value
}

}  // namespace helpline::server::mail
