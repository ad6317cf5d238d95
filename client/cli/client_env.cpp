#include <fmt/format.h>

#include "client/cli/console.h"
#include "client/cli/env_setup.h"
#include "client/core/identity.h"
#include "shared/file_io.h"

namespace helpline::client::cli {
namespace {

ServerEndpoint endpoint_for(const Profile& profile, const std::string& client_version) {
    ServerEndpoint endpoint = ServerEndpoint::from_profile(profile);
    endpoint.user_agent = fmt::format("helpline-cli/{} ({})", client_version, profile.id);
    return endpoint;
}

}  // namespace

void ClientLog::note(std::string_view text) const {
    const std::string line =
        fmt::format("{} {}\n", format_utc(std::chrono::system_clock::now()), text);
    if (echo_ != nullptr) *echo_ << "helpline-cli: " << text << '\n';
    auto log = File::open_append(file_, 0600);
    if (!log) return;  // the log is a help for diagnosis, never a reason to fail
    (void)log->write_all(as_bytes(line));
}

Result<ClientEnv> open_client_env(Brand stamped, std::string client_version, EnvState& state) {
    auto paths = ClientPaths::for_profile(stamped.profile.id);
    if (!paths) return paths.error();
    state.profile = profile_at_start(stamped, *paths, state.notes);

    ClientEnv env;
    env.brand = std::move(stamped);
    apply_profile(env.brand, state.profile);
    env.paths = std::move(*paths);
    env.client_version = std::move(client_version);
    env.api = std::make_unique<ApiClient>(endpoint_for(env.brand.profile, env.client_version));
    return env;
}

bool connect_client_env(ClientEnv& env, EnvState& state) {
    const auto register_device = [&] {
        auto identity =
            ensure_registered(*env.api, env.paths, env.brand.profile, env.client_version);
        state.registered = identity.ok();
        if (!identity) {
            state.connect_error = identity.error();
            state.notes.push_back(fmt::format("Not registered with the support server: {}",
                                              identity.error().message));
        }
        return identity.ok();
    };
    if (!register_device()) return false;
    auto refreshed =
        refresh_profile(*env.api, env.brand.stamp.key, env.paths, state.profile, state.notes);
    if (refreshed == RefreshResult::unauthorized) {
        // The server's data was reset or the device removed: this token is worthless.
        state.notes.push_back("The support server no longer knows this device; registering again.");
        (void)forget_identity(env.paths);
        env.api->set_token({});
        if (!register_device()) return false;
        refreshed =
            refresh_profile(*env.api, env.brand.stamp.key, env.paths, state.profile, state.notes);
    }
    if (refreshed != RefreshResult::updated) return true;

    apply_profile(env.brand, state.profile);
    ServerEndpoint endpoint = endpoint_for(env.brand.profile, env.client_version);
    const ServerEndpoint& before = env.api->endpoint();
    if (endpoint.base_url == before.base_url && endpoint.pins == before.pins) return true;
    // The signed update moves the client to another server (or other pins): talk to it
    // from now on, registering there if this device is not known to it yet.
    state.notes.push_back(fmt::format("The support server is now {}.", endpoint.base_url));
    env.api = std::make_unique<ApiClient>(std::move(endpoint));
    return register_device();
}

RequestLog request_log(const ClientEnv& env) {
    return RequestLog(env.paths.state / "requests.log");
}

Outbox make_outbox(const ClientEnv& env) {
    return Outbox(env.paths.state / "outbox", request_log(env));
}

TicketPoster make_poster(ClientEnv& env) {
    return make_ticket_poster(*env.api, env.paths, env.brand.profile, env.client_version);
}

OutboxTransport make_transport(ClientEnv& env) {
    return make_outbox_transport(*env.api, env.paths, env.brand.profile, env.client_version);
}

bool check_attach_option(const ClientEnv& env, const std::vector<std::string>& files,
                         std::vector<AttachmentFile>& accepted, std::ostream& err,
                         nlohmann::json* json_errors) {
    std::vector<std::filesystem::path> paths;  // UTF-8 arguments: not the ANSI code page's
    for (const auto& f : files) paths.push_back(path_argument(f));
    const auto check = check_attachments(paths, AttachmentLimits::from(env.brand.profile));
    for (const auto& refused : check.refused) {
        if (json_errors != nullptr)
            json_errors->push_back({{"field", "attachments"},
                                    {"option", "--attach"},
                                    {"file", refused.path.string()},
                                    {"message", refused.message}});
        else
            err << "  --attach: " << refused.message << '\n';
    }
    accepted = check.accepted;
    return check.ok();
}

std::string option_for_field(std::string_view field) {
    if (field == "group_id") return "--group";
    if (field == "attachments") return "--attach";
    if (field == "email" || field == "description" || field == "subject" || field == "priority")
        return "--" + std::string(field);
    return std::string(field);
}

}  // namespace helpline::client::cli
