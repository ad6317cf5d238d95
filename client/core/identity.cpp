#include "client/core/identity.h"

#include <fmt/format.h>

#include "client/core/host_info.h"
#include "shared/atomic_file.h"

namespace helpline::client {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kMaxIdentityFile = 64 * 1024;

fs::path identity_file(const ClientPaths& paths) {
    return paths.state / "identity.json";
}

/// The saved identity when it is readable and was made with this server.
std::optional<DeviceIdentity> load_identity(const ClientPaths& paths, const std::string& server) {
    auto bytes = read_file(identity_file(paths), kMaxIdentityFile);
    if (!bytes) return std::nullopt;
    const auto doc = nlohmann::json::parse(as_string(*bytes), nullptr, false);
    if (!doc.is_object()) return std::nullopt;
    const auto text = [&doc](const char* key) {
        auto it = doc.find(key);
        return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    DeviceIdentity id{text("device_id"), text("device_token")};
    if (id.device_id.empty() || id.device_token.empty() || text("server") != server)
        return std::nullopt;
    return id;
}

}  // namespace

Result<DeviceIdentity> ensure_registered(ApiClient& api, const ClientPaths& paths,
                                         const Profile& profile,
                                         const std::string& client_version) {
    const std::string& server = api.endpoint().base_url;
    if (auto saved = load_identity(paths, server)) {
        api.set_token(saved->device_token);
        return *saved;
    }

    ApiRequest request;
    request.method = "POST";
    request.path = "/api/v1/devices";
    request.body = nlohmann::json{{"profile_id", profile.id},
                                  {"hostname", host_name()},
                                  {"os", os_description()},
                                  {"client_version", client_version}};
    auto reply = api.send(request);
    if (!reply) return reply.error();
    if (reply->status != 201 && reply->status != 200)
        return make_error("identity.refused",
                          fmt::format("The support server {} did not register this computer: {}.",
                                      server, describe_rejection(*reply)));
    DeviceIdentity id;
    if (reply->json.is_object()) {
        id.device_id = reply->json.value("device_id", "");
        id.device_token = reply->json.value("device_token", "");
    }
    if (id.device_id.empty() || id.device_token.empty())
        return make_error(
            "identity.bad_answer",
            fmt::format("The support server {} answered the registration without a device id and "
                        "token. Is {} a Helpline server?",
                        server, server));

    const nlohmann::json saved = {{"device_id", id.device_id},
                                  {"device_token", id.device_token},
                                  {"server", server},
                                  {"profile_id", profile.id}};
    // The token is a credential: only this user may read it.
    if (auto written =
            write_file_atomic(identity_file(paths), as_bytes(saved.dump(2) + "\n"), 0600);
        !written)
        return written.error();
    api.set_token(id.device_token);
    return id;
}

Status forget_identity(const ClientPaths& paths) {
    std::error_code ec;
    fs::remove(identity_file(paths), ec);
    if (ec)
        return make_error(
            "io.remove",
            fmt::format("Could not remove '{}': {}", identity_file(paths).string(), ec.message()),
            identity_file(paths).string());
    return Ok{};
}

}  // namespace helpline::client
