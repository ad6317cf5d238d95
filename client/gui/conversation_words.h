#pragma once
// The words of conversations and attachments in the customer's language: when a message
// was written ("Today, 16:42", "6 December 2026, 09:05" in the computer's time zone), who
// wrote it ("You", "Ana (support team)"), how big a file is ("3,4 KiB" in Portuguese), why
// a file cannot be attached, and what went wrong with a conversation. The core words the
// same facts in English for the log and the terminal; these are the GUI's, from the
// facts (codes, sizes, limits), never from the core's sentences.

#include <wx/string.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "client/core/attachment_limits.h"
#include "client/core/conversation.h"
#include "shared/result.h"

namespace helpline::gui {

/// "Today, 16:42", "Yesterday, 09:05", "6 December 2026, 16:42": a wire time (UTC) in the
/// computer's time zone, relative to `now`. Empty for a time that cannot be read.
wxString time_words(const std::string& utc, std::chrono::system_clock::time_point now);
/// "512 bytes", "3.4 KiB", "12.0 MiB", with the language's decimal separator.
wxString size_words(std::uint64_t bytes);
/// "You" for the customer; "Ana (support team)" for the team ("The support team" unnamed).
wxString author_words(const client::Message& message);
/// Why a file cannot be attached, one sentence naming it (RefusedAttachment's facts).
wxString refused_file_text(const client::RefusedAttachment& refused);
/// Why a reply cannot be sent as it is (the server's rules: check_reply_text), or empty.
wxString reply_problem_text(const wxString& text, bool with_files);
/// Why a conversation could not be read or a file downloaded (conversation_error and
/// transport codes). The server's own words for a closed ticket are shown as they are.
wxString conversation_problem_text(const Error& error);

}  // namespace helpline::gui
