#pragma once
// The device's identity with its team server: id and bearer token from registration,
// saved in the state folder (file mode 0600, written atomically).

#include <string>

#include "client/core/api_client.h"
#include "client/core/paths.h"
#include "shared/profile.h"

namespace helpline::client {

struct DeviceIdentity {
    std::string device_id;
    std::string device_token;
};

/// The saved identity, or registers (POST /api/v1/devices with profile id, hostname, OS,
/// client version) and saves it. Sets the token on `api`.
Result<DeviceIdentity> ensure_registered(ApiClient& api, const ClientPaths& paths, const Profile& profile,
                                         const std::string& client_version);

/// Deletes the saved identity, so that the next ensure_registered() registers again (the
/// server answered 401: it no longer knows this device's token).
Status forget_identity(const ClientPaths& paths);

}  // namespace helpline::client
