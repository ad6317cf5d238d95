// The operator console's static files (docs/console.md): HTML, CSS and ES modules from
// Config::console_dir, noVNC from Config::novnc_dir. They hold no data (every piece of
// data comes from the authenticated API), so they are public; and they are served without
// looking at credentials, so a stale session cookie can never lock anyone out of the
// sign-in page.

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include "server/api/handlers.h"
#include "server/http/problem.h"

namespace helpline::server::api {
namespace {

namespace fs = std::filesystem;

/// Larger than any file of the console or of noVNC by far; a file past it is a mistake in
/// the installation, not something to hold in memory.
constexpr std::uintmax_t kMaxFileBytes = 8 * 1024 * 1024;

struct MimeType {
    std::string_view extension;
    std::string_view type;
};

/// Only what the console and noVNC need: anything else in the folders (READMEs, build
/// files, sources maps) is not served at all.
constexpr std::array<MimeType, 8> kMimeTypes = {{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
}};

std::optional<std::string_view> mime_type(const fs::path& path) {
    std::string extension = path.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const auto& m : kMimeTypes)
        if (m.extension == extension) return m.type;
    return std::nullopt;
}

/// A path segment that names a file inside its folder. The router already refuses "." and
/// "..", '/' and NUL; this is checked again so the handler is safe on its own, and hidden
/// files (".git", ".htpasswd") and backslashes are refused too.
bool safe_segment(std::string_view segment) {
    return !segment.empty() && segment.front() != '.' &&
           segment.find_first_of(std::string_view("/\\\0", 3)) == std::string_view::npos;
}

/// The Host header, if it is a plain host[:port] that can go into a header value.
std::optional<std::string> plain_host(const http::Request& request) {
    const auto host = request.header("Host");
    if (!host || host->empty() || host->size() > 255) return std::nullopt;
    for (const unsigned char c : *host)
        if (!std::isalnum(c) && c != '.' && c != '-' && c != ':' && c != '[' && c != ']')
            return std::nullopt;
    return std::string(*host);
}

/// No inline script or style, nothing from elsewhere, never framed. connect-src names the
/// page's own host for WebSockets too (the noVNC viewer), because older browsers do not
/// count ws:/wss: as 'self'. img-src allows data: for the remote cursor noVNC draws.
std::string content_security_policy(const http::Request& request) {
    std::string connect = "'self'";
    if (const auto host = plain_host(request)) connect += " ws://" + *host + " wss://" + *host;
    return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           "font-src 'self'; connect-src " +
           connect +
           "; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}

http::Response with_page_headers(http::Response response, const http::Request& request) {
    response.header("Content-Security-Policy", content_security_policy(request));
    response.header("Referrer-Policy", "no-referrer");
    response.header("X-Frame-Options", "DENY");
    response.header("Cross-Origin-Opener-Policy", "same-origin");
    // Over TLS the browser is told to come back over TLS only, for a year (browsers ignore
    // the header over plain HTTP, which is also served behind a local TLS proxy: that proxy
    // sets it). Not for subdomains: the team's other hosts are not the server's to speak for.
    if (request.tls) response.header("Strict-Transport-Security", "max-age=31536000");
    return response;
}

http::Response not_found(const http::Request& request) {
    return with_page_headers(http::problem(404, "No console file at " + request.path + "."),
                             request);
}

/// The folder and the path inside it that `request` names, or nullopt (404).
/// "/console" is the console's index.html; "/console/vendor/novnc/core/..." and
/// "/console/vendor/novnc/vendor/..." are noVNC, "/console/vendor/chart.js/..." Chart.js,
/// "/console/vendor/qrcode-generator/..." qrcode-generator;
/// the rest is the console's own.
std::optional<fs::path> resolve(const http::Request& request, const Config& config) {
    const auto& s = request.segments;
    if (s.empty() || s[0] != "console") return std::nullopt;
    std::size_t first = 1;
    fs::path root = config.console_dir;
    if (s.size() >= 3 && s[1] == "vendor" && s[2] == "novnc") {
        // Only the ES modules the viewer imports; not noVNC's own app and pages.
        if (s.size() < 5 || (s[3] != "core" && s[3] != "vendor")) return std::nullopt;
        root = config.novnc_dir;
        first = 3;
    } else if (s.size() >= 3 && s[1] == "vendor" && s[2] == "chart.js") {
        // Chart.js's ES modules: chart.mjs and the chunks it imports.
        root = config.chartjs_dir;
        first = 3;
    } else if (s.size() >= 3 && s[1] == "vendor" && s[2] == "qrcode-generator") {
        // qrcode-generator's qrcode.js (a classic script), for the two-factor setup.
        root = config.qrcode_dir;
        first = 3;
    }
    if (root.empty()) return std::nullopt;
    if (first >= s.size()) return root / "index.html";
    fs::path path = root;
    for (std::size_t i = first; i < s.size(); ++i) {
        if (!safe_segment(s[i])) return std::nullopt;
        path /= s[i];
    }
    return path;
}

std::string etag_of(const struct stat& st) {
    const auto mtime_ns = static_cast<unsigned long long>(st.st_mtim.tv_sec) * 1'000'000'000ULL +
                          static_cast<unsigned long long>(st.st_mtim.tv_nsec);
    char text[64];
    std::snprintf(text, sizeof text, "\"%llx-%llx\"", static_cast<unsigned long long>(st.st_size),
                  mtime_ns);
    return text;
}

/// If-None-Match holds `etag` (or "*").
bool not_modified(const http::Request& request, const std::string& etag) {
    const auto header = request.header("If-None-Match");
    if (!header) return false;
    std::string_view rest = *header;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (item.substr(0, 2) == "W/") item.remove_prefix(2);
        if (item == "*" || item == etag) return true;
    }
    return false;
}

}  // namespace

http::Response console_redirect(const http::Request& request, Context&) {
    http::Response response;
    response.status = 302;
    response.content_type = "text/plain; charset=utf-8";
    response.body = "The operator console is at /console/\n";
    response.header("Location", "/console/");
    return with_page_headers(std::move(response), request);
}

http::Response console_file(const http::Request& request, Context& ctx) {
    const auto path = resolve(request, ctx.config);
    if (!path) return not_found(request);
    const auto type = mime_type(*path);
    if (!type) return not_found(request);

    // stat() follows symbolic links: the folders belong to the administrator (Debian's
    // novnc package links some files), and only regular files are served, never a listing.
    struct stat st {};
    if (::stat(path->c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return not_found(request);
    if (static_cast<std::uintmax_t>(st.st_size) > kMaxFileBytes)
        return with_page_headers(http::problem(500, "A console file is too large to serve."),
                                 request);

    const bool html = *type == kMimeTypes[0].type;
    http::Response response;
    if (html) {
        // Pages are small and always fetched anew, so a new version is picked up at once.
        response.header("Cache-Control", "no-store");
    } else {
        // Scripts and styles are revalidated on every load: a changed file is never stale,
        // an unchanged one costs a 304.
        const std::string etag = etag_of(st);
        response.header("Cache-Control", "no-cache");
        response.header("ETag", etag);
        if (not_modified(request, etag)) {
            response.status = 304;
            response.content_type.clear();
            return with_page_headers(std::move(response), request);
        }
    }

    std::ifstream in(*path, std::ios::binary);
    std::string body(static_cast<std::size_t>(st.st_size), '\0');
    if (!in || !in.read(body.data(), static_cast<std::streamsize>(body.size())))
        return with_page_headers(http::problem(500, "A console file could not be read."), request);
    response.status = 200;
    response.content_type = std::string(*type);
    response.body = std::move(body);
    return with_page_headers(std::move(response), request);
}

}  // namespace helpline::server::api
