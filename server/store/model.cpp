#include "server/store/model.h"

#include <array>
#include <cstddef>

#include "server/store/conversation_model.h"
#include "server/store/enum_names.h"

namespace helpline::server {

namespace {

// The names are what the store writes and the API sends, so they never change once
// released; the enumerators index them.
constexpr std::array<std::string_view, 2> kRoleNames = {"admin", "operator"};
constexpr std::array<std::string_view, 3> kTicketStatusNames = {"open", "closed", "expired"};
constexpr std::array<std::string_view, 6> kRequestStateNames = {"pending", "accepted",  "declined",
                                                                "expired", "cancelled", "ended"};
constexpr std::array<std::string_view, 3> kDeclineReasonNames = {"customer", "desktop_dialog", "no_backend"};
constexpr std::array<std::string_view, 2> kAuthorNames = {"customer", "team"};

}  // namespace

std::string_view to_string(Author a) {
    return kAuthorNames.at(static_cast<std::size_t>(a));
}

std::optional<Author> parse_author(std::string_view s) {
    return parse_name<Author>(kAuthorNames, s);
}

std::string_view to_string(Role r) {
    return kRoleNames.at(static_cast<std::size_t>(r));
}

std::optional<Role> parse_role(std::string_view s) {
    return parse_name<Role>(kRoleNames, s);
}

std::string_view to_string(TicketStatus s) {
    return kTicketStatusNames.at(static_cast<std::size_t>(s));
}

std::optional<TicketStatus> parse_ticket_status(std::string_view s) {
    return parse_name<TicketStatus>(kTicketStatusNames, s);
}

std::string_view to_string(RequestState s) {
    return kRequestStateNames.at(static_cast<std::size_t>(s));
}

std::optional<RequestState> parse_request_state(std::string_view s) {
    return parse_name<RequestState>(kRequestStateNames, s);
}

std::string_view to_string(DeclineReason r) {
    return kDeclineReasonNames.at(static_cast<std::size_t>(r));
}

std::optional<DeclineReason> parse_decline_reason(std::string_view s) {
    return parse_name<DeclineReason>(kDeclineReasonNames, s);
}

}  // namespace helpline::server
