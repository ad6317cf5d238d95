#pragma once
// CSV as RFC 4180 writes it, for exports people open in a spreadsheet.

#include <string>
#include <string_view>
#include <vector>

namespace helpline::server::api {

/// One CSV field: quoted (with its quotes doubled) when it holds a comma, a quote, CR or
/// LF. A text field (`text`: true) that begins with =, +, -, @, a tab or a CR gets a
/// leading ' so a spreadsheet shows it instead of running it as a formula (OWASP, "CSV
/// injection"); numbers and times are written as they are.
std::string csv_field(std::string_view value, bool text = true);

/// A record: the fields joined by commas, ended by CRLF.
std::string csv_record(const std::vector<std::string>& fields);

}  // namespace helpline::server::api
