#include "shared/envelope.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace helpline {
namespace {

constexpr std::string_view kEnvelopeDomain = "helpline-profile-envelope-v1";
constexpr std::string_view kFormat = "helpline-profile-envelope";

Error bad(std::string detail, std::string where = {}) {
    return make_error("envelope.invalid",
                      fmt::format("This is not a valid signed profile envelope: {}.", detail),
                      std::move(where));
}

}  // namespace

std::string make_envelope(std::string_view profile_id, std::int64_t revision,
                          std::string_view profile_json, const std::vector<Asset>& assets,
                          const SigningKey& key) {
    const PublicKey public_key = key.public_key();
    const Signature signature =
        key.sign(signed_message(kEnvelopeDomain, profile_json, assets, public_key));
    nlohmann::ordered_json doc;
    doc["format"] = kFormat;
    doc["version"] = 1;
    doc["profile_id"] = profile_id;
    doc["revision"] = revision;
    doc["profile"] = base64_encode(as_bytes(profile_json));
    doc["assets"] = nlohmann::ordered_json::array();
    for (const auto& a : assets)
        doc["assets"].push_back({{"name", a.name}, {"data", base64_encode(a.data)}});
    doc["public_key"] = public_key_to_base64(public_key);
    doc["signature"] = base64_encode(signature);
    return doc.dump(2) + "\n";
}

Result<ProfileEnvelope> parse_envelope(std::string_view text) {
    if (text.size() > kMaxEnvelopeSize)
        return bad(fmt::format("it is larger than {} bytes", kMaxEnvelopeSize));
    // nlohmann reads a NUL byte as the end of the text; JSON never holds one.
    if (text.find('\0') != std::string_view::npos) return bad("it is not a JSON object");
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return bad("it is not a JSON object");
    const auto string_field = [&](const char* name) -> const std::string* {
        const auto it = doc.find(name);
        return it != doc.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
    };
    const auto* format = string_field("format");
    if (format == nullptr || *format != kFormat) return bad("\"format\" is missing or wrong", "format");
    if (!doc.contains("version") || !doc["version"].is_number_integer() || doc["version"] != 1)
        return bad("\"version\" must be 1", "version");

    ProfileEnvelope env;
    const auto* id = string_field("profile_id");
    if (id == nullptr) return bad("\"profile_id\" must be a string", "profile_id");
    env.profile_id = *id;
    if (!doc.contains("revision") || !doc["revision"].is_number_integer() ||
        doc["revision"].get<std::int64_t>() < 1)
        return bad("\"revision\" must be an integer of at least 1", "revision");
    env.revision = doc["revision"].get<std::int64_t>();

    Bytes raw;
    const auto* profile = string_field("profile");
    if (profile == nullptr || !base64_decode(*profile, raw))
        return bad("\"profile\" must be base64 text", "profile");
    env.profile_json.assign(raw.begin(), raw.end());

    const auto assets = doc.find("assets");
    if (assets == doc.end() || !assets->is_array() || assets->size() > kMaxStampAssetCount)
        return bad(fmt::format("\"assets\" must be an array of at most {}", kMaxStampAssetCount),
                   "assets");
    for (std::size_t i = 0; i < assets->size(); ++i) {
        const auto& a = (*assets)[i];
        const std::string where = fmt::format("assets[{}]", i);
        if (!a.is_object() || !a.contains("name") || !a["name"].is_string() ||
            !a.contains("data") || !a["data"].is_string())
            return bad("each asset needs a \"name\" and \"data\"", where);
        Asset asset{a["name"].get<std::string>(), {}};
        if (!is_valid_asset_name(asset.name)) return bad("an asset name is invalid", where);
        if (!base64_decode(a["data"].get_ref<const std::string&>(), asset.data))
            return bad("asset data must be base64", where);
        env.assets.push_back(std::move(asset));
    }

    const auto* key_text = string_field("public_key");
    if (key_text == nullptr) return bad("\"public_key\" is missing", "public_key");
    auto key = public_key_from_base64(*key_text);
    if (!key) return bad("\"public_key\" is not an Ed25519 public key", "public_key");
    env.key = *key;

    const auto* sig_text = string_field("signature");
    if (sig_text == nullptr || !base64_decode(*sig_text, raw) || raw.size() != env.signature.size())
        return bad("\"signature\" must be 64 bytes of base64", "signature");
    std::copy(raw.begin(), raw.end(), env.signature.begin());

    if (!verify_signature(env.key,
                          signed_message(kEnvelopeDomain, env.profile_json, env.assets, env.key),
                          env.signature))
        return make_error("envelope.bad_signature",
                          "The profile envelope's signature does not match its content.",
                          "signature");

    const auto inner = nlohmann::json::parse(env.profile_json, nullptr, false);
    if (inner.is_discarded() || !inner.is_object() || !inner.contains("id") ||
        inner["id"] != env.profile_id ||  // a compare, not value(): that throws for a non-string
        !inner.contains("revision") || inner["revision"] != env.revision)
        return bad("the profile inside does not match \"profile_id\" and \"revision\"", "profile");
    return env;
}

}  // namespace helpline
