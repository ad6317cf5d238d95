#pragma once
// What the admin handlers (users, groups, organizations, profiles, audit) share: how a
// store failure of a team change is answered, and what follows every change.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/api/context.h"
#include "server/api/principal.h"
#include "server/http/message.h"
#include "shared/result.h"

namespace helpline::server::api {

/// 409 for a taken key, 404 for a missing object (with the store's message), else 500.
http::Response store_failure(const Error& error);

/// After an admin's change through the API: it is audited with `detail`, and every open
/// console hears "queue-changed" at once (the store counted the change in team_revision).
void team_changed(Context& ctx, const Principal& who, const std::string& action,
                  const nlohmann::json& detail);

/// A published profile that offers a group to customers.
struct GroupOffer {
    std::string profile_id;
    std::int64_t revision = 0;
};

/// Group id -> the published profiles that offer it (in `assistance.groups` or as the
/// default group), by profile id. A profile that no longer parses offers nothing.
std::map<std::string, std::vector<GroupOffer>> group_offers(Context& ctx);

}  // namespace helpline::server::api
