#pragma once
// The GUI client in-process against the real helpline-server on 127.0.0.1: a profile (the demo
// one, pointed at the server), private XDG folders, and a Client with the retry delays
// shortened. Tests drive its windows with wxUIActionSimulator and check the server's view.

#include <wx/toplevel.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "client/core/brand.h"
#include "client/core/paths.h"
#include "client/gui/client.h"
#include "shared/atomic_file.h"
#include "shared/profile.h"
#include "tests/gui/demo_profile.h"
#include "tests/gui/wx_fixture.h"
#include "tests/support/fixtures.h"
#include "tests/support/server_process.h"

namespace helpline::gui::test {

using helpline::test::ServerProcess;
using helpline::test::TempDir;

inline const std::string kServerBin = HELPLINE_SERVER_BIN;

/// The demo brand, its server set to `url`.
inline client::Brand demo_brand(const std::string& url, const nlohmann::json& changes = {}) {
    nlohmann::json all = changes.is_object() ? changes : nlohmann::json::object();
    all["server"]["url"] = url;
    return demo_brand_with(all);
}

/// A server, XDG folders of the client's own, and the client once open() is called.
class ClientScene {
  public:
    explicit ClientScene(std::vector<std::string> server_args = {}, bool start_server = true)
        : server_(kServerBin, dir_ / "data") {
        server_.start(std::move(server_args));
        if (!start_server) server_.terminate();  // its port stays reserved for a later start
        for (const char* which : {"config", "state", "runtime", "cache"}) {
            const std::string var =
                std::string("XDG_") + (std::string(which) == "config"  ? "CONFIG_HOME"
                                       : std::string(which) == "state" ? "STATE_HOME"
                                       : std::string(which) == "cache" ? "CACHE_HOME"
                                                                       : "RUNTIME_DIR");
            ::setenv(var.c_str(), (dir_ / which).c_str(), 1);
        }
        ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);
        ::setenv("no_proxy", "127.0.0.1,localhost", 1);
        ::setenv("XDG_SESSION_TYPE", "x11", 1);
    }
    ~ClientScene() { close(); }

    Client& open(const nlohmann::json& profile_changes = {}, ClientOptions options = {}) {
        auto brand = demo_brand(server_.url(), profile_changes);
        auto paths = client::ClientPaths::for_profile(brand.profile.id);
        REQUIRE(paths.ok());
        paths_ = *paths;
        options.language = "en";
        options.client_version = "0.0.0-test";
        options.link.register_base = std::chrono::milliseconds(200);
        options.link.register_cap = std::chrono::milliseconds(1000);
        options.link.stream_backoff_base = std::chrono::milliseconds(100);
        options.link.stream_backoff_cap = std::chrono::milliseconds(1000);
        options.submit.background.base = std::chrono::milliseconds(200);
        options.submit.background.cap = std::chrono::milliseconds(1000);
        options.submit.background.floor = std::chrono::milliseconds(100);
        options.submit.attempt_timeout = std::chrono::milliseconds(3000);
        client_ = std::make_unique<Client>(std::move(brand), *paths, std::move(options));
        return *client_;
    }
    void close() {
        // The client's windows go with it (a window of an earlier test left on the screen
        // would be in the next one's screenshots): hidden at once, destroyed when idle.
        if (client_)
            for (wxWindow* window : wxTopLevelWindows) {
                window->Hide();
                window->Destroy();
            }
        client_.reset();
        wxTheApp->ProcessIdle();  // deletes the windows destroyed above
        pump_until([] { return false; }, std::chrono::milliseconds(100));
    }

    Client& client() { return *client_; }
    ServerProcess& server() { return server_; }
    const client::ClientPaths& paths() const { return paths_; }
    const TempDir& dir() const { return dir_; }

    /// The device token the client registered with (identity.json).
    std::string device_token() const {
        const auto text = helpline::test::read_text(paths_.state / "identity.json");
        return nlohmann::json::parse(text).at("device_token").get<std::string>();
    }
    bool connected() const {
        return client_ && client_->frame() != nullptr &&
               client_->frame()->link_text() == "Connected to Demo Support";
    }

  private:
    TempDir dir_;
    ServerProcess server_;
    client::ClientPaths paths_;
    std::unique_ptr<Client> client_;
};

}  // namespace helpline::gui::test
