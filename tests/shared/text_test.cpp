// UTF-8 sequences as the JSON and mail writers read them (shared/text.h): every malformed
// form RFC 3629 names is refused, so no writer passes a bad byte on.
#include <catch2/catch.hpp>
#include <string>

#include "shared/text.h"

using helpline::utf8_sequence;

TEST_CASE("utf8_sequence measures well-formed sequences of one to four bytes") {
    CHECK(utf8_sequence("a") == 1);
    CHECK(utf8_sequence("\xC3\xA7x") == 2);          // ç
    CHECK(utf8_sequence("\xE2\x82\xAC") == 3);       // €
    CHECK(utf8_sequence("\xF0\x9F\x98\x80") == 4);   // 😀
    CHECK(utf8_sequence("\xF4\x8F\xBF\xBF") == 4);   // U+10FFFF, the last
}

TEST_CASE("utf8_sequence refuses overlong forms, surrogates, values past U+10FFFF and cut sequences") {
    CHECK(utf8_sequence("") == 0);
    CHECK(utf8_sequence("\xC0\xAF") == 0);           // overlong '/'
    CHECK(utf8_sequence("\xE0\x80\xAF") == 0);       // overlong
    CHECK(utf8_sequence("\xED\xA0\x80") == 0);       // U+D800, a surrogate
    CHECK(utf8_sequence("\xF0\x80\x80\xAF") == 0);   // overlong
    CHECK(utf8_sequence("\xF4\x90\x80\x80") == 0);   // U+110000
    CHECK(utf8_sequence("\x80") == 0);               // a continuation byte alone
    CHECK(utf8_sequence(std::string("\xE2\x82", 2)) == 0);  // cut short
    CHECK(utf8_sequence("\xFF") == 0);
}
