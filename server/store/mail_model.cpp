#include "server/store/mail_model.h"

#include <array>

#include "server/store/enum_names.h"

namespace helpline::server {

namespace {

// What the store writes: never changed once released.
constexpr std::array<std::string_view, 4> kMailKindNames = {"ticket-assigned", "ticket-group", "ticket-new",
                                                            "invitation"};
constexpr std::array<std::string_view, 3> kMailStateNames = {"queued", "sent", "failed"};

}  // namespace

std::string_view to_string(MailKind k) { return kMailKindNames.at(static_cast<std::size_t>(k)); }
std::optional<MailKind> parse_mail_kind(std::string_view s) { return parse_name<MailKind>(kMailKindNames, s); }
std::string_view to_string(MailState s) { return kMailStateNames.at(static_cast<std::size_t>(s)); }
std::optional<MailState> parse_mail_state(std::string_view s) { return parse_name<MailState>(kMailStateNames, s); }

}  // namespace helpline::server
