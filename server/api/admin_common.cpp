#include "server/api/admin_common.h"

#include <algorithm>

#include "server/api/services.h"
#include "server/http/problem.h"

namespace helpline::server::api {

http::Response store_failure(const Error& error) {
    if (error.code == store_error::kConflict) return http::problem(409, error.message);
    if (error.code == store_error::kNotFound) return http::problem(404, error.message);
    return http::problem(500, "The change could not be stored; the server's log says why.");
}

void team_changed(Context& ctx, const Principal& who, const std::string& action,
                  const nlohmann::json& detail) {
    audit(ctx, who.actor(), action, {}, {}, {}, detail);
    refresh_consoles(ctx);
}

std::map<std::string, std::vector<GroupOffer>> group_offers(Context& ctx) {
    std::map<std::string, std::vector<GroupOffer>> offers;
    for (const PublishedProfile& p : ctx.store.profiles()) {
        const auto profile = published_profile(ctx, p.id);
        if (!profile) continue;
        std::vector<std::string> ids;
        for (const auto& g : profile->assistance.groups) ids.push_back(g.id);
        if (profile->assistance.default_group) ids.push_back(*profile->assistance.default_group);
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        for (const auto& id : ids) offers[id].push_back({p.id, p.revision});
    }
    return offers;
}

}  // namespace helpline::server::api
