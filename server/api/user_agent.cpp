#include "server/api/user_agent.h"

#include <array>
#include <utility>

namespace helpline::server {
namespace {

bool has(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

/// The browser, most specific first: Edge and Opera also say "Chrome", Chrome also says
/// "Safari".
std::string_view browser_of(std::string_view ua) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kBrowsers = {{
        {"Edg/", "Edge"},
        {"OPR/", "Opera"},
        {"Vivaldi/", "Vivaldi"},
        {"SamsungBrowser/", "Samsung Internet"},
        {"Firefox/", "Firefox"},
        {"FxiOS/", "Firefox"},
        {"Chromium/", "Chromium"},
        {"Chrome/", "Chrome"},
        {"CriOS/", "Chrome"},
    }};
    for (const auto& [token, name] : kBrowsers)
        if (has(ua, token)) return name;
    if (has(ua, "Safari/") && has(ua, "Version/")) return "Safari";
    return {};
}

std::string_view system_of(std::string_view ua) {
    if (has(ua, "Android")) return "Android";
    if (has(ua, "iPhone") || has(ua, "iPad") || has(ua, "iPod")) return "iOS";
    if (has(ua, "CrOS")) return "ChromeOS";
    if (has(ua, "Windows")) return "Windows";
    if (has(ua, "Mac OS X") || has(ua, "Macintosh")) return "macOS";
    if (has(ua, "Linux") || has(ua, "X11")) return "Linux";
    return {};
}

}  // namespace

std::string browser_summary(std::string_view ua) {
    const std::string_view browser = browser_of(ua);
    const std::string_view system = system_of(ua);
    if (browser.empty()) {
        const auto end = ua.find_first_of("/ ");
        const std::string_view product = ua.substr(0, end);
        if (product.empty()) return "Unknown browser";
        if (product == "Mozilla")
            return system.empty() ? "Unknown browser" : "A browser on " + std::string(system);
        return std::string(product.substr(0, 40));
    }
    if (system.empty()) return std::string(browser);
    return std::string(browser) + " on " + std::string(system);
}

}  // namespace helpline::server
