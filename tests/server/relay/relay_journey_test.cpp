// The whole remote session, every part real: helpline-server, a stamped `helpline-cli
// listen` answered on a pseudo-terminal, x11vnc on a private Xvfb, and an RFB client written
// here that comes in through the relay's WebSocket viewer as the operator's noVNC would:
// VNC password authentication, a framebuffer update of the Xvfb screen; then the operator
// ends the session and everything on the customer's side goes away.

#include <dirent.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "client/core/spawn_posix.h"
#include "tests/client/events/terminal_session.h"
#include "tests/client/session/session_support.h"
#include "tests/client/submit/cli_fixture.h"
#include "tests/server/relay/view_client.h"

namespace helpline::test {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

const std::string kCountdown = " s left) > ";

/// Processes whose command line mentions `text`, zombies aside.
std::vector<int> processes_mentioning(const std::string& text) {
    std::vector<int> pids;
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) return pids;
    while (const dirent* entry = ::readdir(proc)) {
        const int pid = std::atoi(entry->d_name);
        if (pid <= 0) continue;
        std::string cmdline = read_text(fs::path("/proc") / entry->d_name / "cmdline");
        std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
        const std::string stat = read_text(fs::path("/proc") / entry->d_name / "stat");
        const auto paren = stat.rfind(')');
        const bool zombie =
            paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
        if (!zombie && cmdline.find(text) != std::string::npos) pids.push_back(pid);
    }
    ::closedir(proc);
    return pids;
}

/// Types "y" until the client takes it (answers within the Allow delay are refused).
void allow(TerminalSession& terminal) {
    for (int attempt = 0; attempt < 10; ++attempt) {
        const auto refused = terminal.count("Too quick");
        const auto drawn = terminal.count(kCountdown);
        terminal.type("y\r");
        REQUIRE(wait_for(
            [&] {
                return terminal.count("Too quick") > refused ||
                       terminal.count("Starting the remote-control") > 0;
            },
            10s));
        if (terminal.count("Starting the remote-control") > 0) return;
        REQUIRE(terminal.expect(kCountdown, 5s, drawn + 2));
    }
    FAIL("the client never took the answer: " << terminal.output());
}

/// The VNC authentication response (RFC 6143 §7.2.2): the 16-byte challenge encrypted
/// with DES-ECB under the password (8 bytes, zero-padded), each key byte's bits reversed.
/// Single DES lives in OpenSSL 3's legacy provider, loaded into a context of its own so
/// the rest of the process keeps the default one.
std::string vnc_response(const std::string& password, const std::string& challenge) {
    std::unique_ptr<OSSL_LIB_CTX, decltype(&OSSL_LIB_CTX_free)> libctx(OSSL_LIB_CTX_new(),
                                                                       &OSSL_LIB_CTX_free);
    OSSL_PROVIDER* legacy = OSSL_PROVIDER_load(libctx.get(), "legacy");
    REQUIRE(legacy != nullptr);
    EVP_CIPHER* des = EVP_CIPHER_fetch(libctx.get(), "DES-ECB", nullptr);
    REQUIRE(des != nullptr);
    unsigned char key[8] = {};
    for (std::size_t i = 0; i < 8 && i < password.size(); ++i) {
        unsigned char b = static_cast<unsigned char>(password[i]), r = 0;
        for (int bit = 0; bit < 8; ++bit)
            if ((b & (1u << bit)) != 0) r = static_cast<unsigned char>(r | (0x80u >> bit));
        key[i] = r;
    }
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    unsigned char out[32] = {};
    int n = 0;
    REQUIRE(EVP_EncryptInit_ex(ctx, des, nullptr, key, nullptr) == 1);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    REQUIRE(EVP_EncryptUpdate(ctx, out, &n,
                              reinterpret_cast<const unsigned char*>(challenge.data()), 16) == 1);
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(des);
    OSSL_PROVIDER_unload(legacy);
    REQUIRE(n == 16);
    return std::string(reinterpret_cast<char*>(out), 16);
}

std::uint32_t be(const std::string& bytes, std::size_t at, std::size_t size) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < size; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
    return v;
}

std::string be16(unsigned v) {
    return {static_cast<char>(v >> 8), static_cast<char>(v & 0xff)};
}

/// Takes `count` bytes from the viewer, or fails the test.
std::string need(ViewClient& view, std::size_t count) {
    auto bytes = view.take(count, 20s);
    INFO("waited for " << count << " bytes; the viewer ended with " << view.close_reason());
    REQUIRE(bytes.has_value());
    return *bytes;
}

Json json_of(const CurlResponse& r) {
    Json doc = Json::parse(r.body, nullptr, false);
    return doc.is_discarded() ? Json() : doc;
}

}  // namespace

TEST_CASE("a real session: listen, x11vnc, the relay and an RFB viewer, then the operator ends it",
          "[xvfb]") {
    if (!client::find_executable("x11vnc") || !client::find_executable("Xvfb")) {
        WARN("SKIPPED: x11vnc or Xvfb is not installed (apt-get install -y x11vnc xvfb)");
        return;
    }
    Xvfb xvfb;
    REQUIRE(xvfb.running());

    TempDir data;
    ServerProcess server(kServerBin, data.path());
    server.start();
    StampedCli cli(demo_profile(server.url()));
    const auto filed = cli.run({"request", "--group", "helpdesk", "--email", "ana@acme.example",
                                "--description", "Please look at my screen"});
    INFO(filed.out << filed.err);
    REQUIRE(filed.exit_code == 0);
    const auto ticket = queue_of(server).at(0).at("number").get<std::int64_t>();

    CurlOptions login;
    login.method = "POST";
    login.headers = {"Content-Type: application/json"};
    login.body =
        Json{{"email", server.admin_email()}, {"password", server.admin_password()}}.dump();
    const auto admin = json_of(curl_request(server.url("/api/v1/auth/login"), login))
                           .at("token")
                           .get<std::string>();
    const auto call = [&](const std::string& method, const std::string& path) {
        CurlOptions o;
        o.method = method;
        o.headers = {"Authorization: Bearer " + admin};
        return curl_request(server.url(path), o);
    };
    const auto connected = call("POST", "/api/v1/tickets/" + std::to_string(ticket) + "/connect");
    REQUIRE(connected.status == 201);
    const auto request = json_of(connected).at("request_id").get<std::string>();

    std::vector<std::string> env = {"XDG_CONFIG_HOME=" + cli.xdg("config").string(),
                                    "XDG_STATE_HOME=" + cli.xdg("state").string(),
                                    "XDG_RUNTIME_DIR=" + cli.xdg("runtime").string(),
                                    "NO_PROXY=127.0.0.1,localhost",
                                    "no_proxy=127.0.0.1,localhost",
                                    "LC_ALL=C",
                                    "TERM=xterm",
                                    "PATH=/usr/local/bin:/usr/bin:/bin",
                                    "HOME=" + cli.dir().string(),
                                    "DISPLAY=" + xvfb.display(),
                                    "XDG_SESSION_TYPE=x11"};
    TerminalSession terminal({cli.binary().string(), "listen", "--once"}, env);
    REQUIRE(terminal.expect(kCountdown, 20s));
    allow(terminal);
    REQUIRE(terminal.expect("can see and control this computer", 30s));

    // The operator's console learns the session and the VNC password.
    Json followed;
    REQUIRE(wait_for([&] {
        followed = json_of(call("GET", "/api/v1/connection-requests/" + request));
        return followed.value("state", "") == "accepted";
    }));
    const auto session = followed.at("session_id").get<std::string>();
    const auto password = followed.at("vnc_password").get<std::string>();

    ViewOptions options;
    options.target = "/api/v1/relay/" + session + "/view";
    options.headers = {"Authorization: Bearer " + admin};
    options.protocols = {"binary"};
    ViewClient view(server.port(), options);
    INFO(view.handshake().status << " " << view.handshake().body);
    REQUIRE(view.open());

    // RFB 3.8 through the relay: version, security (VNC authentication), init.
    const std::string version = need(view, 12);
    CHECK(version.substr(0, 4) == "RFB ");
    REQUIRE(view.send("RFB 003.008\n"));
    const auto types_count = static_cast<unsigned char>(need(view, 1)[0]);
    REQUIRE(types_count > 0);
    const std::string types = need(view, types_count);
    REQUIRE(types.find('\x02') != std::string::npos);
    CHECK(types.find('\x01') == std::string::npos);  // never without a password
    REQUIRE(view.send(std::string(1, '\x02')));
    const std::string challenge = need(view, 16);
    REQUIRE(view.send(vnc_response(password, challenge)));
    REQUIRE(be(need(view, 4), 0, 4) == 0);       // SecurityResult: OK
    REQUIRE(view.send(std::string(1, '\x01')));  // ClientInit: shared
    const std::string init = need(view, 24);
    const auto width = be(init, 0, 2), height = be(init, 2, 2);
    const auto bits_per_pixel = static_cast<unsigned char>(init[4]);
    CHECK(width == 640);
    CHECK(height == 480);
    need(view, be(init, 20, 4));  // the desktop's name

    // SetEncodings (raw only), then a full FramebufferUpdateRequest.
    REQUIRE(view.send(std::string("\x02\x00", 2) + be16(1) + std::string(4, '\0')));
    REQUIRE(view.send(std::string("\x03\x00", 2) + be16(0) + be16(0) + be16(width) + be16(height)));
    // The whole screen comes back, in raw rectangles (in one update or a few).
    std::uint64_t area = 0;
    while (area < std::uint64_t{width} * height) {
        const auto type = static_cast<unsigned char>(need(view, 1)[0]);
        if (type == 2) continue;  // Bell
        if (type == 3) {          // ServerCutText
            need(view, be(need(view, 7), 3, 4));
            continue;
        }
        REQUIRE(type == 0);  // FramebufferUpdate
        const auto rects = be(need(view, 3), 1, 2);
        for (std::uint32_t i = 0; i < rects; ++i) {
            const std::string rect = need(view, 12);
            const auto w = be(rect, 4, 2), h = be(rect, 6, 2);
            REQUIRE(be(rect, 8, 4) == 0);  // raw, as asked
            need(view, std::size_t{w} * h * bits_per_pixel / 8);
            area += std::uint64_t{w} * h;
        }
    }
    CHECK(area == std::uint64_t{width} * height);

    // The operator ends the session: the viewer closes, the client's tunnel and x11vnc go.
    CHECK(call("POST", "/api/v1/sessions/" + session + "/end").status == 204);
    CHECK(view.wait_closed(10s) == 4000);
    const auto code = terminal.wait_exit(30s);
    INFO(terminal.output());
    REQUIRE(code.has_value());
    CHECK(*code == 0);
    // "Admin ended the session", or, when its tunnel closing reaches the client before the
    // event that says why, that the connection closed.
    const auto out = terminal.output();
    CHECK((out.find("Admin ended the session") != std::string::npos ||
           out.find("The connection to the support server closed") != std::string::npos));
    CHECK(wait_for([&] { return processes_mentioning(cli.xdg("runtime").string()).empty(); }, 10s));
    CHECK(json_of(call("GET", "/api/v1/connection-requests/" + request)).at("state") == "ended");

    // Audited: started once, ended once by the operator, with the bytes each way.
    int started = 0, ended = 0;
    const auto audit = json_of(call("GET", "/api/v1/audit"));
    INFO(audit.dump());
    for (const auto& e : audit.at("entries")) {
        if (e.value("session_id", "") != session) continue;
        started += e.at("action") == "started";
        if (e.at("action") != "ended") continue;
        ++ended;
        CHECK(e.at("actor") == "user:1");
        const auto detail = e.at("detail");
        CHECK(detail.at("bytes_to_operator").get<std::uint64_t>() >= area * bits_per_pixel / 8);
        CHECK(detail.at("bytes_to_customer").get<std::uint64_t>() > 12);
    }
    CHECK(started == 1);
    CHECK(ended == 1);
}

}  // namespace helpline::test
