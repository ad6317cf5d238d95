#pragma once
// The stamp: a signed trailer appended to the prebuilt client that turns it into a
// team's branded build (docs/stamp.md has the byte layout).
//
//   [profile JSON][assets][public key 32][signature 64][footer 24]
//   assets = count:u16 then per asset name_len:u16 name data_len:u32 data
//   footer = profile_len:u32 assets_len:u32 version:u32 total_len:u32 magic "HLSTAMP1"
//
// All integers little-endian. The signature covers a domain-separated message built from
// the lengths, the profile, the assets and the public key (signed_message()).

#include <filesystem>
#include <string>
#include <vector>

#include "shared/bytes.h"
#include "shared/ed25519.h"
#include "shared/result.h"

namespace helpline {

struct Asset {
    std::string name;  ///< plain file name: [A-Za-z0-9._-], no leading dot
    Bytes data;
    bool operator==(const Asset&) const = default;
};

/// What a stamp carries once read and verified.
struct StampContent {
    std::string profile_json;
    std::vector<Asset> assets;
    PublicKey key{};
    Signature signature{};

    const Asset* find_asset(std::string_view name) const;
};

inline constexpr std::uint32_t kStampVersion = 1;
inline constexpr std::size_t kStampFooterSize = 24;
inline constexpr std::uint32_t kMaxStampProfile = 1024 * 1024;       // 1 MiB
inline constexpr std::uint32_t kMaxStampAssets = 8 * 1024 * 1024;    // 8 MiB, all assets
inline constexpr std::uint16_t kMaxStampAssetCount = 32;
inline constexpr std::uint16_t kMaxAssetNameLength = 128;

/// Error codes returned by the reader (Error::code).
namespace stamp_error {
inline constexpr const char* kNotStamped = "stamp.none";
inline constexpr const char* kTruncated = "stamp.truncated";
inline constexpr const char* kCorrupt = "stamp.corrupt";
inline constexpr const char* kVersion = "stamp.version";
inline constexpr const char* kTooLarge = "stamp.too_large";
inline constexpr const char* kBadSignature = "stamp.bad_signature";
inline constexpr const char* kUntrustedKey = "stamp.untrusted_key";
}  // namespace stamp_error

bool is_valid_asset_name(std::string_view name);

/// The message the signature covers (also used by profile envelopes, with their own domain).
Bytes signed_message(std::string_view domain, std::string_view profile_json,
                     const std::vector<Asset>& assets, const PublicKey& key);

/// Builds the whole trailer, signed with `key`. Assets must have valid names and fit the caps.
Result<Bytes> build_stamp(std::string_view profile_json, const std::vector<Asset>& assets,
                          const SigningKey& key);

/// Where the trailer starts in a file of `file_size` bytes that ends with `footer`,
/// or an error. Checks caps before anything is allocated.
struct StampLocation {
    std::uint64_t offset = 0;  ///< first byte of the trailer = length of the base executable
    std::uint32_t profile_len = 0;
    std::uint32_t assets_len = 0;
};
Result<StampLocation> locate_stamp(ByteView footer, std::uint64_t file_size);

/// Parses and verifies a trailer (`trailer` starts at StampLocation::offset).
/// Does not apply trusted-key policy; see verify_trusted().
Result<StampContent> parse_stamp(ByteView trailer, const StampLocation& where);

/// Reads, parses and verifies the stamp at the end of `path`, then applies the build's
/// trusted keys (HELPLINE_TRUSTED_KEYS).
Result<StampContent> read_stamp(const std::filesystem::path& path);

/// Reads only the footer: where the base executable ends, or kNotStamped.
Result<StampLocation> read_stamp_location(const std::filesystem::path& path);

/// The build's trusted stamp keys (empty: every key is accepted).
const std::vector<PublicKey>& trusted_stamp_keys();
/// Refuses `key` when the build pins trusted keys and it is not one of them.
Status verify_trusted(const PublicKey& key, const std::vector<PublicKey>& trusted);

}  // namespace helpline
