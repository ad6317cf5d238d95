#pragma once
// The mail outbox and invitations, as the store keeps them (docs/storage.md). A
// notification is written to the outbox in the same transaction as the change that causes
// it, so it is never lost; the server's outbox worker (server/mail/) sends it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/store/model.h"

namespace helpline::server {

enum class MailKind {
    ticket_assigned,  ///< a ticket was assigned to the recipient
    ticket_group,     ///< a ticket was assigned to a group of the recipient's
    ticket_new,       ///< a customer's new ticket arrived in a group of the recipient's
    invitation,       ///< a new user's invitation to set a password
};
std::string_view to_string(MailKind k);
std::optional<MailKind> parse_mail_kind(std::string_view s);

enum class MailState { queued, sent, failed };
std::string_view to_string(MailState s);
std::optional<MailState> parse_mail_state(std::string_view s);

struct OutboxMail {
    std::int64_t id = 0;  ///< also names the message: its Message-ID is derived from it
    MailKind kind = MailKind::ticket_assigned;
    std::optional<UserId> user_id;  ///< the recipient (NULL once the user is deleted)
    std::string recipient;          ///< their address, as when queued
    std::string language = "en";    ///< en, pt, pt_BR or it: the recipient's, when queued
    std::optional<TicketNumber> ticket_number;
    /// What the message says, fixed when queued (JSON object text), so that a resend after
    /// a crash is the same message. An invitation's holds its token until it is sent.
    std::string data = "{}";
    MailState state = MailState::queued;
    int attempts = 0;  ///< sending attempts that failed or succeeded
    Timestamp next_attempt_at = 0;
    Timestamp created_at = 0;
    std::optional<Timestamp> sent_at;  ///< when sent, or when it failed for good
    std::string last_error;            ///< the relay's last refusal, or why it could not be reached
};

/// The outbox at a glance, for admins (GET /api/v1/email).
struct MailSummary {
    std::int64_t queued = 0;   ///< not sent yet (first attempt or waiting to retry)
    std::int64_t failing = 0;  ///< users whose last notification failed for good
    std::string last_error;    ///< of the most recent failed attempt, "" when none
};

/// A new user's invitation: a single-use link to set a password, valid until expires_at.
struct Invitation {
    std::string token_hash;  ///< sha256 hex of the token in the link
    UserId user_id = 0;
    Timestamp created_at = 0;
    Timestamp expires_at = 0;
    std::optional<Timestamp> used_at;
};

}  // namespace helpline::server
