// The operator console's static files (server/api/console_api.cpp) through the real router
// and make_handler(), without sockets: types, security headers, caching, what is refused.

#include <catch2/catch.hpp>

#include "server/api/handlers.h"
#include "tests/server/api/api_fixture.h"

namespace helpline::server::test {
namespace {

namespace fs = std::filesystem;
using helpline::test::TempDir;
using helpline::test::write_text;

std::vector<std::string> header_values(const http::Response& response, std::string_view name) {
    std::vector<std::string> values;
    for (const auto& [n, v] : response.headers)
        if (n == name) values.push_back(v);
    return values;
}

std::string header_of(const http::Response& response, std::string_view name) {
    const auto values = header_values(response, name);
    return values.empty() ? std::string() : values.front();
}

/// A console folder and a noVNC folder with a file of each kind, and a secret beside them.
struct ConsoleFixture : ApiFixture {
    TempDir files;
    ConsoleFixture() {
        const fs::path console = files / "console";
        const fs::path novnc = files / "novnc";
        for (const auto& dir : {console / "js", console / "img", console / "empty-dir",
                                novnc / "core" / "util", novnc / "vendor" / "pako", novnc / "app"})
            fs::create_directories(dir);
        write_text(console / "index.html", "<!doctype html><title>console</title>");
        write_text(console / "viewer.html", "<!doctype html><title>viewer</title>");
        write_text(console / "console.css", "body{}");
        write_text(console / "js" / "app.js", "export const x = 1;");
        write_text(console / "js" / "lib.mjs", "export const y = 2;");
        write_text(console / "img" / "icon.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>");
        write_text(console / "img" / "logo.png", std::string("\x89PNG\r\n\x1a\n", 8));
        write_text(console / "img" / "favicon.ico", std::string(4, '\0'));
        write_text(console / "font.woff2", "wOF2");
        write_text(console / "empty.js", "");
        write_text(console / "README.md", "# notes");
        write_text(console / "notes.txt", "notes");
        write_text(console / "Makefile", "all:");
        write_text(console / ".hidden.js", "hidden");
        write_text(novnc / "core" / "rfb.js", "export default class RFB {}");
        write_text(novnc / "core" / "util" / "logging.js", "export function Info() {}");
        write_text(novnc / "vendor" / "pako" / "inflate.js", "export function inflate() {}");
        write_text(novnc / "app" / "ui.js", "ui");
        write_text(novnc / "vnc.html", "<html>");
        write_text(files / "secret.html", "TOP-SECRET-CONTENT");
        config.console_dir = console;
        config.novnc_dir = novnc;
    }
};

http::Request raw_request(std::string method, std::vector<std::string> segments) {
    http::Request r;
    r.method = std::move(method);
    r.segments = std::move(segments);
    for (const auto& s : r.segments) r.path += "/" + s;
    r.target = r.path;
    return r;
}

}  // namespace

TEST_CASE("the root redirects to the console, which serves its index page", "[console]") {
    ConsoleFixture f;
    auto root = f.call("GET", "/");
    CHECK(root.status == 302);
    CHECK(header_of(root.raw, "Location") == "/console/");

    for (const char* target : {"/console", "/console/", "//console//"}) {
        INFO(target);
        auto page = f.call("GET", target);
        CHECK(page.status == 200);
        CHECK(page.raw.content_type == "text/html; charset=utf-8");
        CHECK(page.raw.body == "<!doctype html><title>console</title>");
    }
    auto viewer = f.call("GET", "/console/viewer.html");
    CHECK(viewer.status == 200);
    CHECK(viewer.raw.body == "<!doctype html><title>viewer</title>");
}

TEST_CASE("console pages carry a strict CSP and no-referrer, no-sniff, no-store", "[console]") {
    ConsoleFixture f;
    auto page = f.call("GET", "/console", {}, nullptr, {{"Host", "support.example:8443"}});
    REQUIRE(page.status == 200);
    const std::string csp = header_of(page.raw, "Content-Security-Policy");
    CHECK_THAT(csp, Catch::StartsWith("default-src 'self';"));
    CHECK_THAT(csp, Catch::Contains("script-src 'self';"));
    CHECK_THAT(csp, Catch::Contains("style-src 'self';"));
    CHECK_THAT(csp, Catch::Contains("frame-ancestors 'none'"));
    CHECK_THAT(csp, Catch::Contains("object-src 'none'"));
    CHECK_THAT(csp,
               Catch::Contains(
                   "connect-src 'self' ws://support.example:8443 wss://support.example:8443;"));
    CHECK_THAT(csp, !Catch::Contains("unsafe-inline") && !Catch::Contains("unsafe-eval") &&
                        !Catch::Contains("*"));
    CHECK(header_of(page.raw, "Referrer-Policy") == "no-referrer");
    CHECK(header_of(page.raw, "X-Content-Type-Options") == "nosniff");
    CHECK(header_of(page.raw, "X-Frame-Options") == "DENY");
    CHECK(header_values(page.raw, "Cache-Control") == std::vector<std::string>{"no-store"});
    // Plain HTTP (loopback, or behind a TLS proxy): no HSTS, which only TLS may carry.
    CHECK(header_values(page.raw, "Strict-Transport-Security").empty());
}

TEST_CASE("a Host header that could change the CSP is left out of it", "[console]") {
    ConsoleFixture f;
    for (const char* host : {"evil.example; script-src *", "a b", "x\"y", ""}) {
        INFO(host);
        auto page = f.call("GET", "/console", {}, nullptr, {{"Host", host}});
        REQUIRE(page.status == 200);
        const std::string csp = header_of(page.raw, "Content-Security-Policy");
        CHECK_THAT(csp, Catch::Contains("connect-src 'self';"));
        CHECK_THAT(csp, !Catch::Contains("evil") && !Catch::Contains("ws:"));
    }
}

TEST_CASE("each kind of file has its content type, others are not served", "[console]") {
    ConsoleFixture f;
    const std::pair<const char*, const char*> served[] = {
        {"/console/console.css", "text/css; charset=utf-8"},
        {"/console/js/app.js", "text/javascript; charset=utf-8"},
        {"/console/js/lib.mjs", "text/javascript; charset=utf-8"},
        {"/console/img/icon.svg", "image/svg+xml"},
        {"/console/img/logo.png", "image/png"},
        {"/console/img/favicon.ico", "image/x-icon"},
        {"/console/font.woff2", "font/woff2"},
        {"/console/empty.js", "text/javascript; charset=utf-8"},
    };
    for (const auto& [target, type] : served) {
        INFO(target);
        auto r = f.call("GET", target);
        CHECK(r.status == 200);
        CHECK(r.raw.content_type == type);
        CHECK(!header_of(r.raw, "Content-Security-Policy").empty());
    }
    CHECK(f.call("GET", "/console/img/logo.png").raw.body.size() == 8);
    CHECK(f.call("GET", "/console/empty.js").raw.body.empty());
    for (const char* target :
         {"/console/README.md", "/console/notes.txt", "/console/Makefile", "/console/missing.js",
          "/console/js/missing/app.js", "/console/.hidden.js", "/console/%2Ehidden.js"}) {
        INFO(target);
        CHECK(f.call("GET", target).status == 404);
    }
}

TEST_CASE("folders are never listed", "[console]") {
    ConsoleFixture f;
    for (const char* target :
         {"/console/js", "/console/img/", "/console/empty-dir", "/console/vendor/novnc/core",
          "/console/vendor/novnc", "/console/vendor"}) {
        INFO(target);
        const auto r = f.call("GET", target);
        CHECK(r.status == 404);
        CHECK_THAT(r.raw.body, !Catch::Contains("app.js") && !Catch::Contains("rfb.js"));
    }
}

TEST_CASE("paths that climb out of the console are refused", "[console]") {
    ConsoleFixture f;
    // Over the wire the router refuses them before any handler (400)...
    for (const char* target :
         {"/console/../secret.html", "/console/%2e%2e/secret.html", "/console/js/..%2Fsecret.html",
          "/console/js%2F..%2F..%2Fsecret.html", "/console/%00.html"}) {
        INFO(target);
        CHECK(f.call("GET", target).status == 400);
    }
    // ...and the handler refuses them on its own too, should a path ever reach it unchecked.
    const std::vector<std::vector<std::string>> sneaky = {
        {"console", "..", "secret.html"},
        {"console", "js", "..", "..", "secret.html"},
        {"console", ".", "index.html"},
        {"console", "..\\secret.html"},
        {"console", "js/../../secret.html"},
        {"console", std::string("a\0.html", 7)},
        {"console", ""},
        {"console", "vendor", "novnc", "core", "..", "..", "secret.html"},
        {"secret.html"},
    };
    for (const auto& segments : sneaky) {
        auto request = raw_request("GET", segments);
        INFO(request.path);
        const auto r = api::console_file(request, f.ctx());
        CHECK(r.status == 404);
        CHECK_THAT(r.body, !Catch::Contains("TOP-SECRET"));
    }
}

TEST_CASE("noVNC's modules are served from the noVNC folder, and only those", "[console]") {
    ConsoleFixture f;
    auto rfb = f.call("GET", "/console/vendor/novnc/core/rfb.js");
    CHECK(rfb.status == 200);
    CHECK(rfb.raw.content_type == "text/javascript; charset=utf-8");
    CHECK(rfb.raw.body == "export default class RFB {}");
    CHECK(f.call("GET", "/console/vendor/novnc/core/util/logging.js").status == 200);
    CHECK(f.call("GET", "/console/vendor/novnc/vendor/pako/inflate.js").status == 200);
    CHECK(f.call("GET", "/console/vendor/novnc/app/ui.js").status == 404);
    CHECK(f.call("GET", "/console/vendor/novnc/vnc.html").status == 404);

    f.config.novnc_dir = f.files / "nowhere";
    CHECK(f.call("GET", "/console/vendor/novnc/core/rfb.js").status == 404);
    f.config.novnc_dir.clear();
    CHECK(f.call("GET", "/console/vendor/novnc/core/rfb.js").status == 404);
    CHECK(f.call("GET", "/console").status == 200);  // the console works without noVNC
}

TEST_CASE("without console files the console is a clear 404 and the API is unaffected",
          "[console]") {
    ConsoleFixture f;
    f.config.console_dir.clear();
    const auto page = f.call("GET", "/console");
    CHECK(page.status == 404);
    CHECK(f.call("GET", "/livez").status == 200);
}

TEST_CASE("only GET and HEAD, and HEAD answers as GET does", "[console]") {
    ConsoleFixture f;
    for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
        for (const char* target : {"/", "/console", "/console/js/app.js"}) {
            INFO(method << " " << target);
            const auto r = f.call(method, target);
            CHECK(r.status == 405);
            CHECK(header_of(r.raw, "Allow") == "GET, HEAD");
        }
    }
    const auto get = f.call("GET", "/console/js/app.js");
    const auto head = f.call("HEAD", "/console/js/app.js");
    CHECK(head.status == 200);
    CHECK(head.raw.content_type == get.raw.content_type);
    CHECK(header_of(head.raw, "ETag") == header_of(get.raw, "ETag"));
    CHECK(f.call("HEAD", "/console").status == 200);
    CHECK(f.call("HEAD", "/").status == 302);
}

TEST_CASE("scripts are revalidated with an ETag and an unchanged one is a 304", "[console]") {
    ConsoleFixture f;
    const auto first = f.call("GET", "/console/js/app.js");
    REQUIRE(first.status == 200);
    CHECK(header_values(first.raw, "Cache-Control") == std::vector<std::string>{"no-cache"});
    const std::string etag = header_of(first.raw, "ETag");
    REQUIRE(etag.size() > 2);
    CHECK(etag.front() == '"');

    const auto again = f.call("GET", "/console/js/app.js", {}, nullptr, {{"If-None-Match", etag}});
    CHECK(again.status == 304);
    CHECK(again.raw.body.empty());
    CHECK(f.call("GET", "/console/js/app.js", {}, nullptr, {{"If-None-Match", "\"x\", W/" + etag}})
              .status == 304);
    CHECK(
        f.call("GET", "/console/js/app.js", {}, nullptr, {{"If-None-Match", "\"other\""}}).status ==
        200);

    write_text(f.config.console_dir / "js" / "app.js", "export const x = 22;");
    const auto changed =
        f.call("GET", "/console/js/app.js", {}, nullptr, {{"If-None-Match", etag}});
    CHECK(changed.status == 200);
    CHECK(changed.raw.body == "export const x = 22;");
    CHECK(header_of(changed.raw, "ETag") != etag);
    // Pages are never kept: no ETag, no 304.
    CHECK(header_of(f.call("GET", "/console").raw, "ETag").empty());
}

TEST_CASE("console files are served whatever credentials come with them, the API is not",
          "[console]") {
    ConsoleFixture f;
    const std::vector<std::pair<std::string, std::string>> stale_cookie = {
        {"Cookie", "helpline_session=no-longer-valid"}};
    CHECK(f.call("GET", "/console", {}, nullptr, stale_cookie).status == 200);
    CHECK(f.call("GET", "/console/js/app.js", "bogus-token").status == 200);
    CHECK(f.call("GET", "/api/v1/queue", {}, nullptr, stale_cookie).status == 401);
    CHECK(f.call("GET", "/api/v1/queue").status == 401);
    // The API keeps its own caching rule.
    const auto api = f.call("GET", "/livez");
    CHECK(header_values(api.raw, "Cache-Control") == std::vector<std::string>{"no-store"});
}

}  // namespace helpline::server::test
