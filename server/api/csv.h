#pragma once
// CSV as RFC 4180 writes it, for exports people open in a spreadsheet.

#include <string>
#include <string_view>
#include <vector>

#include "server/api/clock.h"
#include "server/http/message.h"

namespace helpline::server::api {

/// One CSV field: quoted (with its quotes doubled) when it holds a comma, a quote, CR or
/// LF. A text field (`text`: true) that begins with =, +, -, @, a tab or a CR gets a
/// leading ' so a spreadsheet shows it instead of running it as a formula (OWASP, "CSV
/// injection"); numbers and times are written as they are.
std::string csv_field(std::string_view value, bool text = true);

/// A record: the fields joined by commas, ended by CRLF.
std::string csv_record(const std::vector<std::string>& fields);

/// The 200 answer that downloads `body` as `<name>-YYYYMMDD-HHMMSS.csv`, named after `now`
/// (UTC), so two exports do not overwrite each other.
http::Response csv_download(std::string body, std::string_view name, Timestamp now);

}  // namespace helpline::server::api
