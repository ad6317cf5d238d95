#include "server/store/store_errors.h"

#include <fmt/format.h>

#include "server/store/store.h"

namespace helpline::server {

Error no_user(UserId id) {
    return make_error(store_error::kNotFound,
                      fmt::format("There is no user with the id {id}.", fmt::arg("id", id)),
                      "user_id");
}

Error no_group(const std::string& id) {
    return make_error(store_error::kNotFound,
                      fmt::format("There is no group \"{id}\".", fmt::arg("id", id)), "group_id");
}

Error no_device(const std::string& id) {
    return make_error(store_error::kNotFound,
                      fmt::format("There is no device \"{id}\".", fmt::arg("id", id)), "device_id");
}

Error no_ticket(TicketNumber number) {
    return make_error(store_error::kNotFound,
                      fmt::format("There is no ticket {number}.", fmt::arg("number", number)),
                      "number");
}

Error no_connection_request(const std::string& id) {
    return make_error(store_error::kNotFound,
                      fmt::format("There is no connection request \"{id}\".", fmt::arg("id", id)),
                      "id");
}

}  // namespace helpline::server
