#include "client/core/profile_refresh.h"

#include <fmt/format.h>

#include "shared/atomic_file.h"
#include "shared/envelope.h"

namespace helpline::client {
namespace {

namespace fs = std::filesystem;

fs::path cache_file(const ClientPaths& paths) {
    return paths.state / "profile.envelope.json";
}

}  // namespace

std::string_view to_string(ProfileSource source) {
    switch (source) {
        case ProfileSource::stamp:
            return "stamp";
        case ProfileSource::cache:
            return "cache";
        case ProfileSource::server:
            return "server";
    }
    return "stamp";
}

Result<ProfileInForce> accept_envelope(std::string_view text, const PublicKey& stamp_key,
                                       const std::string& profile_id,
                                       std::int64_t current_revision) {
    auto envelope = parse_envelope(text);
    if (!envelope)
        return make_error(profile_update_error::kInvalid,
                          fmt::format("The profile update is not a valid signed envelope: {}",
                                      envelope.error().message));
    // The signature verified against the key the envelope names; only the stamp's key may
    // change what this client shows and where it connects.
    if (envelope->key != stamp_key)
        return make_error(
            profile_update_error::kWrongKey,
            fmt::format("The profile update is signed by key {}, not by this client's key {}.",
                        short_fingerprint(envelope->key), short_fingerprint(stamp_key)));
    if (envelope->profile_id != profile_id)
        return make_error(profile_update_error::kWrongProfile,
                          fmt::format("The profile update is for profile '{}', not '{}'.",
                                      envelope->profile_id, profile_id));
    if (envelope->revision <= current_revision)
        return make_error(
            profile_update_error::kNotNewer,
            fmt::format("The profile update has revision {}, not higher than revision {} in force.",
                        envelope->revision, current_revision));
    ProfileInForce in_force;
    const auto problems = parse_profile_text(envelope->profile_json, in_force.profile);
    if (!problems.empty())
        return make_error(profile_update_error::kBadProfile,
                          fmt::format("The profile update (revision {}) is invalid: {}.",
                                      envelope->revision, problems.front().to_string()));
    in_force.profile_json = std::move(envelope->profile_json);
    in_force.assets = std::move(envelope->assets);
    in_force.source = ProfileSource::server;
    return in_force;
}

ProfileInForce profile_at_start(const Brand& stamped, const ClientPaths& paths,
                                std::vector<std::string>& notes) {
    ProfileInForce in_force;
    in_force.profile = stamped.profile;
    in_force.profile_json = stamped.stamp.profile_json;
    in_force.source = ProfileSource::stamp;

    std::error_code ec;
    if (!fs::exists(cache_file(paths), ec)) return in_force;
    auto text = read_file(cache_file(paths), kMaxEnvelopeSize);
    if (!text) {
        notes.push_back(fmt::format("Cached profile update not used. {}", text.error().message));
        return in_force;
    }
    auto cached = accept_envelope(as_string(*text), stamped.stamp.key, stamped.profile.id,
                                  stamped.profile.revision);
    if (!cached) {
        // A restamped client may carry a newer profile than the cache, or another key:
        // the cache is simply stale then.
        notes.push_back(fmt::format("Cached profile update not used. {}", cached.error().message));
        return in_force;
    }
    cached->source = ProfileSource::cache;
    return std::move(*cached);
}

RefreshResult refresh_profile(const ApiClient& api, const PublicKey& stamp_key,
                              const ClientPaths& paths, ProfileInForce& current,
                              std::vector<std::string>& notes) {
    ApiRequest request;
    request.path = "/api/v1/profiles/" + current.profile.id;
    request.timeout = std::chrono::seconds(10);
    auto reply = api.send(request);
    const auto keep = fmt::format("Keeping the {} profile, revision {}.", to_string(current.source),
                                  current.profile.revision);
    if (!reply) {
        notes.push_back(
            fmt::format("Profile update not checked: {} {}", reply.error().message, keep));
        return RefreshResult::unchanged;
    }
    if (reply->status == 404)
        return RefreshResult::unchanged;  // nothing published: the stamp is all there is
    if (reply->status == 401) return RefreshResult::unauthorized;
    if (!reply->ok()) {
        notes.push_back(
            fmt::format("Profile update not checked: the server answered HTTP {} ({}). {}",
                        reply->status, describe_rejection(*reply), keep));
        return RefreshResult::unchanged;
    }
    auto update =
        accept_envelope(reply->body, stamp_key, current.profile.id, current.profile.revision);
    if (!update) {
        // The same revision as the cache is the normal case, not worth a note.
        bool same = false;
        if (update.error().code == profile_update_error::kNotNewer) {
            const auto envelope = parse_envelope(reply->body);
            same = envelope && envelope->revision == current.profile.revision;
        }
        if (!same)
            notes.push_back(
                fmt::format("Profile update refused. {} {}", update.error().message, keep));
        return RefreshResult::unchanged;
    }
    if (auto cached = write_file_atomic(cache_file(paths), as_bytes(reply->body), 0600); !cached)
        notes.push_back(fmt::format("Profile revision {} is used but could not be cached: {}",
                                    update->profile.revision, cached.error().message));
    notes.push_back(fmt::format("Profile updated from revision {} to {}.", current.profile.revision,
                                update->profile.revision));
    current = std::move(*update);
    return RefreshResult::updated;
}

void apply_profile(Brand& brand, const ProfileInForce& in_force) {
    brand.profile = in_force.profile;
    if (!in_force.assets.empty()) brand.stamp.assets = in_force.assets;
}

}  // namespace helpline::client
