#pragma once
// Who is calling: nobody, a registered device, or a signed-in user (operator or admin).

#include <optional>
#include <string>
#include <vector>

#include "server/store/model.h"

namespace helpline::server::api {

struct Principal {
    enum class Kind { anonymous, device, user };
    Kind kind = Kind::anonymous;
    std::optional<Device> device;
    std::optional<User> user;
    std::vector<std::string> groups;  ///< the user's groups
    std::string session_token_hash;   ///< operator session, when signed in

    bool is_device() const { return kind == Kind::device; }
    bool is_user() const { return kind == Kind::user; }
    bool is_admin() const { return is_user() && user->role == Role::admin; }
    /// "user:12" / "device:ab12…" / "anonymous", for the audit log.
    std::string actor() const;
};

}  // namespace helpline::server::api
