#pragma once
// The errors every Store implementation returns for missing objects, worded once so that
// SQLite and PostgreSQL say the same thing.

#include <string>

#include "server/store/model.h"
#include "shared/result.h"

namespace helpline::server {

Error no_user(UserId id);
Error no_group(const std::string& id);
Error no_device(const std::string& id);
Error no_ticket(TicketNumber number);
Error no_connection_request(const std::string& id);

}  // namespace helpline::server
