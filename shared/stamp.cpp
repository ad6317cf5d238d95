#include "shared/stamp.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace helpline {
namespace {

constexpr char kMagic[8] = {'H', 'L', 'S', 'T', 'A', 'M', 'P', '1'};
constexpr std::string_view kStampDomain = "helpline-stamp-v1";
constexpr std::size_t kSignedTail = 32 + 64;  // public key + signature

Error corrupt(std::string detail) {
    return make_error(stamp_error::kCorrupt,
                      fmt::format("The branding stamp is corrupt: {}. Stamp the client again with "
                                  "'helpline-brand stamp'.",
                                  detail));
}

}  // namespace

const Asset* StampContent::find_asset(std::string_view name) const {
    for (const auto& a : assets)
        if (a.name == name) return &a;
    return nullptr;
}

bool is_valid_asset_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxAssetNameLength || name.front() == '.') return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
    });
}

namespace {

Bytes encode_assets(const std::vector<Asset>& assets) {
    Bytes out;
    append_u16le(out, static_cast<std::uint16_t>(assets.size()));
    for (const auto& a : assets) {
        append_u16le(out, static_cast<std::uint16_t>(a.name.size()));
        append(out, as_bytes(a.name));
        append_u32le(out, static_cast<std::uint32_t>(a.data.size()));
        append(out, a.data);
    }
    return out;
}

Result<std::vector<Asset>> decode_assets(ByteView section) {
    std::vector<Asset> assets;
    std::size_t pos = 0;
    const auto remaining = [&] { return section.size() - pos; };
    if (remaining() < 2) return corrupt("the asset table is cut short");
    const std::uint16_t count = read_u16le(section.data());
    pos += 2;
    if (count > kMaxStampAssetCount)
        return corrupt(fmt::format("it lists {} assets, more than the limit of {}", count,
                                   kMaxStampAssetCount));
    for (std::uint16_t i = 0; i < count; ++i) {
        if (remaining() < 2) return corrupt(fmt::format("asset {} is cut short", i + 1));
        const std::uint16_t name_len = read_u16le(section.data() + pos);
        pos += 2;
        if (name_len > kMaxAssetNameLength || name_len > remaining())
            return corrupt(fmt::format("asset {} has an impossible name length", i + 1));
        std::string name(as_string(section.subspan(pos, name_len)));
        pos += name_len;
        if (!is_valid_asset_name(name))
            return corrupt(fmt::format("asset {} has an invalid name", i + 1));
        if (remaining() < 4) return corrupt(fmt::format("asset '{}' is cut short", name));
        const std::uint32_t data_len = read_u32le(section.data() + pos);
        pos += 4;
        if (data_len > remaining())
            return corrupt(fmt::format("asset '{}' claims {} bytes but only {} remain", name,
                                       data_len, remaining()));
        auto data = section.subspan(pos, data_len);
        pos += data_len;
        for (const auto& a : assets)
            if (a.name == name) return corrupt(fmt::format("asset '{}' appears twice", name));
        assets.push_back(Asset{std::move(name), Bytes(data.begin(), data.end())});
    }
    if (pos != section.size()) return corrupt("there are stray bytes after the assets");
    return assets;
}

}  // namespace

Bytes signed_message(std::string_view domain, std::string_view profile_json,
                     const std::vector<Asset>& assets, const PublicKey& key) {
    const Bytes asset_section = encode_assets(assets);
    Bytes message;
    message.reserve(domain.size() + 1 + 8 + profile_json.size() + asset_section.size() + key.size());
    append(message, as_bytes(domain));
    message.push_back(0);
    append_u32le(message, static_cast<std::uint32_t>(profile_json.size()));
    append_u32le(message, static_cast<std::uint32_t>(asset_section.size()));
    append(message, as_bytes(profile_json));
    append(message, asset_section);
    append(message, key);
    return message;
}

Result<Bytes> build_stamp(std::string_view profile_json, const std::vector<Asset>& assets,
                          const SigningKey& key) {
    if (profile_json.size() > kMaxStampProfile)
        return make_error(stamp_error::kTooLarge,
                          fmt::format("The profile is {} bytes; a stamp holds at most {} bytes.",
                                      profile_json.size(), kMaxStampProfile));
    if (assets.size() > kMaxStampAssetCount)
        return make_error(stamp_error::kTooLarge,
                          fmt::format("{} assets; a stamp holds at most {}.", assets.size(),
                                      kMaxStampAssetCount));
    for (const auto& a : assets)
        if (!is_valid_asset_name(a.name))
            return make_error("stamp.asset_name",
                              fmt::format("'{}' is not a valid asset name (letters, digits, '.', "
                                          "'_' and '-', not starting with '.').",
                                          a.name));
    const Bytes asset_section = encode_assets(assets);
    if (asset_section.size() > kMaxStampAssets)
        return make_error(stamp_error::kTooLarge,
                          fmt::format("The assets take {} bytes; a stamp holds at most {} bytes.",
                                      asset_section.size(), kMaxStampAssets));

    const PublicKey public_key = key.public_key();
    const Signature signature =
        key.sign(signed_message(kStampDomain, profile_json, assets, public_key));

    Bytes out;
    out.reserve(profile_json.size() + asset_section.size() + kSignedTail + kStampFooterSize);
    append(out, as_bytes(profile_json));
    append(out, asset_section);
    append(out, public_key);
    append(out, signature);
    const auto total = static_cast<std::uint32_t>(out.size() + kStampFooterSize);
    append_u32le(out, static_cast<std::uint32_t>(profile_json.size()));
    append_u32le(out, static_cast<std::uint32_t>(asset_section.size()));
    append_u32le(out, kStampVersion);
    append_u32le(out, total);
    append(out, ByteView(reinterpret_cast<const std::uint8_t*>(kMagic), sizeof kMagic));
    return out;
}

Result<StampLocation> locate_stamp(ByteView footer, std::uint64_t file_size) {
    if (footer.size() != kStampFooterSize ||
        std::memcmp(footer.data() + 16, kMagic, sizeof kMagic) != 0)
        return make_error(stamp_error::kNotStamped, "No branding stamp found at the end of the file.");
    StampLocation loc;
    loc.profile_len = read_u32le(footer.data());
    loc.assets_len = read_u32le(footer.data() + 4);
    const std::uint32_t version = read_u32le(footer.data() + 8);
    const std::uint32_t total = read_u32le(footer.data() + 12);
    if (version != kStampVersion)
        return make_error(stamp_error::kVersion,
                          fmt::format("The branding stamp has format version {}; this build reads "
                                      "version {}. Stamp it with a matching helpline-brand.",
                                      version, kStampVersion));
    if (loc.profile_len > kMaxStampProfile || loc.assets_len > kMaxStampAssets)
        return corrupt(fmt::format("its lengths ({} + {} bytes) exceed the limits", loc.profile_len,
                                   loc.assets_len));
    const std::uint64_t expected =
        std::uint64_t{loc.profile_len} + loc.assets_len + kSignedTail + kStampFooterSize;
    if (total != expected)
        return corrupt("the lengths in its footer do not add up");
    if (expected > file_size)
        return make_error(stamp_error::kTruncated,
                          fmt::format("The branding stamp is truncated: it needs {} bytes but the "
                                      "file has only {}. Copy or download the build again.",
                                      expected, file_size));
    loc.offset = file_size - expected;
    return loc;
}

Result<StampContent> parse_stamp(ByteView trailer, const StampLocation& where) {
    const std::uint64_t expected =
        std::uint64_t{where.profile_len} + where.assets_len + kSignedTail + kStampFooterSize;
    if (trailer.size() != expected)
        return make_error(stamp_error::kTruncated, "The branding stamp is truncated.");
    StampContent content;
    std::size_t pos = 0;
    content.profile_json = std::string(as_string(trailer.subspan(pos, where.profile_len)));
    pos += where.profile_len;
    auto assets = decode_assets(trailer.subspan(pos, where.assets_len));
    if (!assets) return assets.error();
    content.assets = std::move(*assets);
    pos += where.assets_len;
    std::copy_n(trailer.data() + pos, content.key.size(), content.key.begin());
    pos += content.key.size();
    std::copy_n(trailer.data() + pos, content.signature.size(), content.signature.begin());

    if (!verify_signature(content.key,
                          signed_message(kStampDomain, content.profile_json, content.assets,
                                         content.key),
                          content.signature))
        return make_error(stamp_error::kBadSignature,
                          "The branding stamp's signature does not match its content: the build "
                          "was modified after it was signed. Get a fresh copy from your support team.");
    return content;
}

Status verify_trusted(const PublicKey& key, const std::vector<PublicKey>& trusted) {
    if (trusted.empty() || std::find(trusted.begin(), trusted.end(), key) != trusted.end())
        return Ok{};
    return make_error(stamp_error::kUntrustedKey,
                      fmt::format("The branding stamp is signed by a key this build does not trust "
                                  "(fingerprint {}). Only builds signed by your support team's key "
                                  "are accepted; get the client from them.",
                                  short_fingerprint(key)));
}

}  // namespace helpline
