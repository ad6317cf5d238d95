// Team administration: the published branding profiles, signed envelopes made with
// `helpline-brand sign-profile` (docs/protocol.md, "Admin").
#include "server/api/admin_common.h"
#include "server/api/body_reader.h"
#include "server/api/handlers.h"
#include "server/api/services.h"
#include "shared/envelope.h"

namespace helpline::server::api {
namespace {

/// A published profile as GET /profiles lists it: the key's fingerprint as
/// helpline-brand prints it (keygen, sign-profile), so an admin can compare the two.
nlohmann::json profile_json(Context& ctx, const PublishedProfile& p) {
    nlohmann::json groups = nlohmann::json::array();
    if (const auto profile = published_profile(ctx, p.id))
        for (const auto& g : profile->assistance.groups) groups.push_back(g.id);
    nlohmann::json fingerprint;
    nlohmann::json short_fingerprint;
    if (const auto key = public_key_from_base64(p.public_key)) {
        fingerprint = helpline::fingerprint(*key);
        short_fingerprint = helpline::short_fingerprint(*key);
    }
    return {{"id", p.id},
            {"revision", p.revision},
            {"groups", groups},
            {"key_fingerprint", fingerprint},
            {"key_short_fingerprint", short_fingerprint},
            {"public_key", p.public_key},
            {"published_at", format_time(p.published_at)}};
}

/// 422: well-formed, signed, and still refused; each reason under its field.
http::Response refused(std::string detail, std::vector<http::FieldError> errors) {
    return http::problem(422, std::move(detail), std::move(errors), "urn:helpline:problem:profile-refused");
}

}  // namespace

http::Response list_profiles(const http::Request&, const Principal&, Context& ctx) {
    nlohmann::json list = nlohmann::json::array();
    for (const PublishedProfile& p : ctx.store.profiles()) list.push_back(profile_json(ctx, p));
    return json_response(200, {{"profiles", list}});
}

http::Response publish_profile_text(Context& ctx, const std::string& text, const std::string& actor) {
    auto env = parse_envelope(text);
    if (!env && env.error().code == "envelope.bad_signature")
        return refused("The envelope's signature does not match the profile it carries.",
                       {{"signature",
                         "does not match the profile and assets: the file was changed after it was signed; "
                         "sign it again with 'helpline-brand sign-profile'"}});
    if (!env)
        return http::problem(400, env.error().message + " Make one with 'helpline-brand sign-profile'.",
                             {{env.error().where.empty() ? "envelope" : env.error().where, env.error().message}});
    Profile profile;
    const auto problems = parse_profile_text(env->profile_json, profile);
    if (!problems.empty()) {
        std::vector<http::FieldError> errors;
        for (const auto& p : problems) errors.push_back({"profile." + p.path, p.message});
        return http::problem(400, "The profile inside the envelope is invalid.", errors,
                             "urn:helpline:problem:validation");
    }
    // Every reason at once, each a sentence of the detail and an entry under its field.
    std::vector<http::FieldError> errors;
    std::string detail;
    const std::string key = public_key_to_base64(env->key);
    if (auto current = ctx.store.profile(profile.id)) {
        if (current->public_key != key) {
            const auto published_key = public_key_from_base64(current->public_key);
            const std::string named = published_key ? fingerprint(*published_key) : current->public_key;
            detail += "Profile " + profile.id + " was published signed by another key (" + named +
                      "); clients would refuse this update. ";
            errors.push_back({"public_key", "is not the key that signed the published revision (" + named +
                                                "); sign it with that key"});
        }
        if (current->revision >= profile.revision) {
            detail += "Profile " + profile.id + " is already at revision " + std::to_string(current->revision) +
                      "; raise \"revision\" and sign again. ";
            errors.push_back({"revision", "must be higher than " + std::to_string(current->revision) +
                                              ", the published revision; raise \"revision\" and sign again"});
        }
    }
    bool unknown_groups = false;
    for (std::size_t i = 0; i < profile.assistance.groups.size(); ++i) {
        if (ctx.store.group(profile.assistance.groups[i].id)) continue;
        unknown_groups = true;
        errors.push_back({"profile.assistance.groups[" + std::to_string(i) + "].id",
                          "\"" + profile.assistance.groups[i].id + "\" is not a group of this team; create it first"});
    }
    if (unknown_groups) detail += "The profile names groups this team does not have. ";
    if (!errors.empty()) {
        detail.pop_back();
        return refused(std::move(detail), std::move(errors));
    }
    PublishedProfile p{profile.id, profile.revision, text, key, ctx.clock.now()};
    if (auto s = ctx.store.put_profile(p); !s) return http::problem(500, "Could not store the profile.");
    audit(ctx, actor, "profile-published", {}, {}, {}, {{"profile_id", p.id}, {"revision", p.revision}});
    refresh_consoles(ctx);  // the groups it offers changed
    return json_response(201, profile_json(ctx, p));
}

http::Response publish_profile(const http::Request& req, const Principal& who, Context& ctx) {
    if (auto refused = unless_json_content(req)) return std::move(*refused);
    return publish_profile_text(ctx, req.body, who.actor());
}

}  // namespace helpline::server::api
