#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>

#include "shared/atomic_file.h"
#include "shared/stamp.h"
#include "tests/support/fixtures.h"

using namespace helpline;
using helpline::test::TempDir;

namespace {

const SigningKey& test_key() {
    static const SigningKey key =
        std::move(SigningKey::load(helpline::test::fixture("keys/test-signing-key.pem"))).value();
    return key;
}

const std::string kProfile = R"({"schema":1,"id":"acme"})";
const std::vector<Asset> kAssets = {{"logo.svg", {'<', 's', 'v', 'g', '/', '>'}},
                                    {"extra.png", {0x89, 'P', 'N', 'G'}}};

Result<StampContent> parse_whole(ByteView file) {
    if (file.size() < kStampFooterSize)
        return make_error(stamp_error::kNotStamped, "short");
    auto loc = locate_stamp(file.last(kStampFooterSize), file.size());
    if (!loc) return loc.error();
    return parse_stamp(file.subspan(static_cast<std::size_t>(loc->offset)), *loc);
}

}  // namespace

TEST_CASE("a stamp round-trips profile, assets and key") {
    auto stamp = build_stamp(kProfile, kAssets, test_key());
    REQUIRE(stamp.ok());
    Bytes file = {'E', 'L', 'F', 0, 1, 2, 3};
    const std::size_t base_size = file.size();
    append(file, *stamp);
    auto content = parse_whole(file);
    REQUIRE(content.ok());
    CHECK(content->profile_json == kProfile);
    CHECK(content->assets == kAssets);
    CHECK(content->key == test_key().public_key());
    REQUIRE(content->find_asset("logo.svg") != nullptr);
    CHECK(content->find_asset("nope") == nullptr);
    auto loc = locate_stamp(ByteView(file).last(kStampFooterSize), file.size());
    REQUIRE(loc.ok());
    CHECK(loc->offset == base_size);
}

TEST_CASE("a stamp with no assets is fine") {
    auto stamp = build_stamp(kProfile, {}, test_key());
    REQUIRE(stamp.ok());
    auto content = parse_whole(*stamp);
    REQUIRE(content.ok());
    CHECK(content->assets.empty());
}

TEST_CASE("flipping any byte of the trailer is refused") {
    auto stamp = build_stamp(kProfile, kAssets, test_key());
    REQUIRE(stamp.ok());
    Bytes file = {'b', 'a', 's', 'e'};
    const std::size_t base_size = file.size();
    append(file, *stamp);
    for (std::size_t i = base_size; i < file.size(); ++i) {
        for (std::uint8_t mask : {std::uint8_t{0x01}, std::uint8_t{0x80}, std::uint8_t{0xFF}}) {
            Bytes copy = file;
            copy[i] ^= mask;
            auto r = parse_whole(copy);
            INFO("byte " << i << " mask " << int(mask));
            REQUIRE_FALSE(r.ok());
            CHECK_FALSE(r.error().message.empty());
        }
    }
}

TEST_CASE("truncating a stamped file at every length is refused") {
    auto stamp = build_stamp(kProfile, kAssets, test_key());
    REQUIRE(stamp.ok());
    Bytes file = {'b', 'a', 's', 'e'};
    append(file, *stamp);
    for (std::size_t n = 0; n < file.size(); ++n) {
        INFO("length " << n);
        auto r = parse_whole(ByteView(file).first(n));
        REQUIRE_FALSE(r.ok());
    }
}

TEST_CASE("each kind of damage gets its own precise error") {
    auto stamp = build_stamp(kProfile, kAssets, test_key());
    REQUIRE(stamp.ok());
    const std::size_t footer = stamp->size() - kStampFooterSize;

    SECTION("a changed profile byte breaks the signature") {
        Bytes copy = *stamp;
        copy[2] ^= 1;
        auto r = parse_whole(copy);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == stamp_error::kBadSignature);
    }
    SECTION("a wrong magic means no stamp") {
        Bytes copy = *stamp;
        copy.back() ^= 1;
        CHECK(parse_whole(copy).error().code == stamp_error::kNotStamped);
    }
    SECTION("an unknown version is named") {
        Bytes copy = *stamp;
        copy[footer + 8] = 9;
        auto r = parse_whole(copy);
        CHECK(r.error().code == stamp_error::kVersion);
        CHECK_THAT(r.error().message, Catch::Contains("version 9"));
    }
    SECTION("absurd lengths are refused before anything is allocated") {
        Bytes copy = *stamp;
        for (int k = 0; k < 4; ++k) copy[footer + k] = 0xFF;  // profile_len = 4 GiB
        auto r = parse_whole(copy);
        CHECK(r.error().code == stamp_error::kCorrupt);
        CHECK_THAT(r.error().message, Catch::Contains("exceed the limits"));
    }
    SECTION("a footer promising more bytes than the file has means truncation") {
        Bytes only_tail(stamp->end() - 40, stamp->end());
        auto r = parse_whole(only_tail);
        CHECK(r.error().code == stamp_error::kTruncated);
    }
}

TEST_CASE("garbage is never taken for a stamp") {
    std::uint32_t seed = 12345;
    for (int round = 0; round < 2000; ++round) {
        Bytes junk(static_cast<std::size_t>(seed % 300));
        for (auto& b : junk) {
            seed = seed * 1664525u + 1013904223u;
            b = static_cast<std::uint8_t>(seed >> 24);
        }
        // Give half of them a valid magic so the deeper checks run too.
        if (round % 2 == 0 && junk.size() >= kStampFooterSize)
            std::memcpy(junk.data() + junk.size() - 8, "HLSTAMP1", 8);
        CHECK_FALSE(parse_whole(junk).ok());
    }
}

TEST_CASE("building a stamp refuses bad asset names and oversize input") {
    CHECK_FALSE(build_stamp(kProfile, {{"../evil", {1}}}, test_key()).ok());
    CHECK_FALSE(build_stamp(kProfile, {{".hidden", {1}}}, test_key()).ok());
    CHECK_FALSE(build_stamp(std::string(kMaxStampProfile + 1, ' '), {}, test_key()).ok());
    std::vector<Asset> many(kMaxStampAssetCount + 1u, Asset{"a", {}});
    CHECK_FALSE(build_stamp(kProfile, many, test_key()).ok());
}

TEST_CASE("read_stamp reads a stamped file from disk and says when there is none") {
    TempDir dir;
    const Bytes base(1000, 0x7F);
    REQUIRE(write_file_atomic(dir / "plain", base).ok());
    auto none = read_stamp(dir / "plain");
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().code == stamp_error::kNotStamped);

    auto stamp = build_stamp(kProfile, kAssets, test_key());
    REQUIRE(copy_and_append_atomic(dir / "plain", base.size(), *stamp, dir / "branded", 0755).ok());
    auto content = read_stamp(dir / "branded");
    REQUIRE(content.ok());
    CHECK(content->profile_json == kProfile);
    auto loc = read_stamp_location(dir / "branded");
    REQUIRE(loc.ok());
    CHECK(loc->offset == base.size());

    CHECK(read_stamp(dir / "missing").error().code == "io.open");
}

TEST_CASE("the trusted-key policy accepts any key when none are pinned") {
    CHECK(verify_trusted(test_key().public_key(), {}).ok());
    PublicKey other{};
    auto r = verify_trusted(test_key().public_key(), {other});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == stamp_error::kUntrustedKey);
    CHECK_THAT(r.error().message, Catch::Contains(short_fingerprint(test_key().public_key())));
}
