#include <catch2/catch.hpp>

#include "shared/bytes.h"

using namespace helpline;

TEST_CASE("base64 round-trips every length up to a few blocks") {
    for (std::size_t n = 0; n < 40; ++n) {
        Bytes data(n);
        for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<std::uint8_t>(i * 37 + 11);
        Bytes back;
        REQUIRE(base64_decode(base64_encode(data), back));
        REQUIRE(back == data);
    }
}

TEST_CASE("base64 decoding refuses malformed text") {
    Bytes out;
    CHECK_FALSE(base64_decode("abc", out));        // not a multiple of 4
    CHECK_FALSE(base64_decode("ab c", out));       // whitespace
    CHECK_FALSE(base64_decode("a=bc", out));       // padding in the middle
    CHECK_FALSE(base64_decode("ab=c", out));
    CHECK_FALSE(base64_decode("a$bc", out));
    CHECK(base64_decode("YWI=", out));
    CHECK(as_string(out) == "ab");
}

TEST_CASE("little-endian integers round-trip") {
    Bytes b;
    append_u16le(b, 0xBEEF);
    append_u32le(b, 0xDEADBEEF);
    REQUIRE(b.size() == 6);
    CHECK(b[0] == 0xEF);
    CHECK(read_u16le(b.data()) == 0xBEEF);
    CHECK(read_u32le(b.data() + 2) == 0xDEADBEEFu);
}
