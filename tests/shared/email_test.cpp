// The email rule shared by the server and the clients (shared/email.h).
#include <catch2/catch.hpp>
#include <string>

#include "shared/email.h"

using helpline::is_valid_email;

TEST_CASE("plausible emails pass") {
    for (const char* good : {"ana@acme.example", "a.b+c@sub.acme.example", "x@a.io", "jos\xC3\xA9@acme.example"})
        CHECK(is_valid_email(good));
}

TEST_CASE("emails without one @, with spaces or markup, or with a bad domain are refused") {
    for (const char* bad : {"", "ana", "@acme.example", "ana@acme", "ana@.acme.example", "ana@acme.example.",
                            "ana@ac..me", "a b@acme.example", "ana@acme@example.com", "<ana>@acme.example",
                            "ana@acme_example.com", "a\tb@acme.example", "a\x7F@acme.example"})
        CHECK_FALSE(is_valid_email(bad));
    CHECK_FALSE(is_valid_email(std::string(250, 'a') + "@acme.example"));
    CHECK_FALSE(is_valid_email(std::string(65, 'a') + "@acme.example"));
}

TEST_CASE("emails with invisible or direction-changing characters are refused") {
    // "gnp.exe" behind a right-to-left override reads as "exe.png" on screen.
    for (const char* bad : {"invoice\xE2\x80\xAEgnp.exe@acme.example",  // U+202E
                            "an\xE2\x80\x8B" "a@acme.example",            // U+200B zero width space
                            "ana\xE2\x81\xA6x@acme.example",             // U+2066 isolate
                            "\xEF\xBB\xBF" "ana@acme.example",            // U+FEFF
                            "ana\xC2\x85@acme.example"})                 // U+0085 (C1 control)
        CHECK_FALSE(is_valid_email(bad));
    CHECK(is_valid_email("\xE2\x82\xAC" "uro@acme.example"));  // U+20AC, a visible character
}
