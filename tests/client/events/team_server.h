#pragma once
// The few team-server calls the event tests need, over libcurl against the real
// helpline-server: a device registers, files a ticket, an admin asks to connect.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/server_process.h"

namespace helpline::test {

struct TestDevice {
    std::string id;
    std::string token;
};

/// POST /api/v1/devices.
TestDevice register_device(const ServerProcess& server,
                           const std::string& profile_id = "events-test");
/// Signs the admin in; the bearer token.
std::string admin_token(const ServerProcess& server);
/// POST /api/v1/tickets with the device's token; the ticket number.
std::int64_t create_ticket(const ServerProcess& server, const std::string& device_token);
/// POST /api/v1/tickets/{number}/connect; the connection request's id.
std::string connect_ticket(const ServerProcess& server, const std::string& admin_token,
                           std::int64_t number);
/// GET /api/v1/connection-requests/{id}: the operator's view of it.
nlohmann::json request_view(const ServerProcess& server, const std::string& admin_token,
                            const std::string& id);
/// GET /api/v1/connection-requests/{id}: its state ("pending", "declined", ...).
std::string request_state(const ServerProcess& server, const std::string& admin_token,
                          const std::string& id);

}  // namespace helpline::test
