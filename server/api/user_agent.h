#pragma once
// A person's name for a session's browser, from its User-Agent header: "Chrome on Linux",
// "Firefox on Windows", "Safari on iOS". The account page lists sessions with it.

#include <string>
#include <string_view>

namespace helpline::server {

/// "<browser> on <system>", "<browser>" when the system is unknown, the first product
/// token for other clients ("curl"), "Unknown browser" for an empty header.
std::string browser_summary(std::string_view user_agent);

}  // namespace helpline::server
