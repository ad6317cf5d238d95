#pragma once
// Building the ClientEnv every command works with: the folders, the profile in force
// (a cached update or the stamp), the API client, registration and the profile refresh at
// start, the outbox, and the client's own log (client.log in the state folder).

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "client/cli/client_env.h"
#include "client/core/outbox.h"
#include "client/core/profile_refresh.h"
#include "client/core/submission.h"

namespace helpline::client::cli {

/// client.log: why a profile update was refused, the server was unreachable, ... — one
/// line each with the time; also echoed to `echo` (--verbose) when given.
class ClientLog {
  public:
    ClientLog(std::filesystem::path file, std::ostream* echo)
        : file_(std::move(file)), echo_(echo) {}
    void note(std::string_view text) const;
    void notes(const std::vector<std::string>& texts) const {
        for (const auto& t : texts) note(t);
    }

  private:
    std::filesystem::path file_;
    std::ostream* echo_;
};

/// What the start-up found out, beyond the ClientEnv itself.
struct EnvState {
    ProfileInForce profile;   ///< the profile in force and where it came from
    bool registered = false;  ///< the device has an identity and the API client its token
    std::optional<Error> connect_error;  ///< why registering failed
    std::vector<std::string> notes;      ///< for the client log
};

/// The environment of a verified brand, without the network: folders, the profile in
/// force (a still-valid cached update, else the stamp), an API client for its server.
Result<ClientEnv> open_client_env(Brand stamped, std::string client_version, EnvState& state);

/// Registers the device if needed, then checks for a profile update and applies it (the
/// API client follows the profile to a new server). False when the server could not be
/// reached or refused; state.connect_error says why.
bool connect_client_env(ClientEnv& env, EnvState& state);

/// The outbox and request log of this brand (state folder).
RequestLog request_log(const ClientEnv& env);
Outbox make_outbox(const ClientEnv& env);
/// A poster over the env's API client (registers on demand).
TicketPoster make_poster(ClientEnv& env);
/// The whole outbox transport (requests, their files, replies) over the env's API client.
OutboxTransport make_transport(ClientEnv& env);

/// The files of --attach checked against the profile's limits: each refused one is
/// printed on `err` ("  --attach: 'x.iso' is 700.0 MiB; ...") or added to `json_errors`.
/// False when any was refused (nothing is to be saved then).
bool check_attach_option(const ClientEnv& env, const std::vector<std::string>& files,
                         std::vector<AttachmentFile>& accepted, std::ostream& err,
                         nlohmann::json* json_errors);

/// The option a wire field name corresponds to ("group_id" -> "--group").
std::string option_for_field(std::string_view field);

}  // namespace helpline::client::cli
