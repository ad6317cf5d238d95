#pragma once
// The queue/history shape of a ticket written straight into the answer's text.
//
// Lists of tickets are the console's largest answers (an operator's queue of 500, history
// pages of up to 1,000, an admin's whole queue): built as nlohmann::json trees they cost
// ~20 µs a ticket, 85 % of the server's CPU for those requests, nearly all of it small
// allocations (benchmarks.md, "The operator console at scale"). This writer appends the
// same bytes ticket_json(...).dump() gives — same keys in the same (sorted) order, same
// escaping — with no tree. tests/server/api/ticket_writer_test.cpp compares the two.

#include <string>
#include <vector>

#include "server/api/services.h"

namespace helpline::server::api {

/// Appends the ticket as ticket_json(t, dir, now, device_online).dump() would write it.
void write_ticket_json(std::string& out, const Ticket& t, const Directory& dir, Timestamp now, bool device_online);

/// Appends `text` as a JSON string (quotes included), escaped as nlohmann::json's dump()
/// does; bytes that are not UTF-8 are written as U+FFFD instead of failing.
void write_json_string(std::string& out, std::string_view text);

}  // namespace helpline::server::api
