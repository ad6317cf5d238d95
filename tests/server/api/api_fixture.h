#pragma once
// Drives the API handlers in-process: a real store (SQLite in a temp folder, or in the
// PostgreSQL pass a new database of the test cluster: tests/support/store_engine.h), a
// manual clock, the real router and authentication; no sockets.

#include <catch2/catch.hpp>
#include <algorithm>
#include <functional>
#include <memory>
#include <set>
#include <nlohmann/json.hpp>
#include <string>

#include "server/api/context.h"
#include "server/api/handlers.h"
#include "server/api/routes.h"
#include "server/api/secrets.h"
#include "server/http/router.h"
#include "shared/envelope.h"
#include "tests/support/fixtures.h"
#include "tests/support/store_engine.h"
#include <spdlog/spdlog.h>

namespace helpline::server::test {

struct Reply {
    int status = 0;
    nlohmann::json json;
    http::Response raw;
};

class ApiFixture {
public:
    ApiFixture() {
        ::setenv("HELPLINE_FAST_PASSWORD_HASH", "1", 1);
        spdlog::set_level(spdlog::level::warn);  // the audit trail is not what these tests read
        auto s = open_store(database_);
        INFO((s.ok() ? std::string() : s.error().message));
        REQUIRE(s.ok());
        store_ = std::move(*s);
        ctx_ = std::make_unique<Context>(Context{*store_, clock, hub, config, limiter, metrics});
        handler_ = api::make_handler(*ctx_);
    }

    Reply call(const std::string& method, const std::string& target, const std::string& token = {},
               const nlohmann::json& body = nullptr, std::vector<std::pair<std::string, std::string>> headers = {}) {
        http::Request r;
        r.method = method;
        r.target = target;
        r.remote_address = peer;
        auto norm = http::normalize_target(target);
        if (!norm) return {400, nullptr, {}};
        r.path = norm->path;
        r.segments = norm->segments;
        r.query = norm->query;
        if (!token.empty()) r.headers.add("Authorization", "Bearer " + token);
        if (!body.is_null()) {
            // A Content-Type among `headers` replaces the default.
            const bool typed = std::any_of(headers.begin(), headers.end(), [](const auto& h) { return h.first == "Content-Type"; });
            if (!typed) r.headers.add("Content-Type", "application/json");
            r.body = body.dump();
        }
        for (auto& [n, v] : headers) r.headers.add(n, v);
        Reply out;
        out.raw = handler_(r);
        out.status = out.raw.status;
        if (!out.raw.stream && !out.raw.body.empty() && out.raw.content_type.find("json") != std::string::npos)
            out.json = nlohmann::json::parse(out.raw.body);
        return out;
    }

    /// A user with a signed-in session; returns the bearer token.
    std::string user(const std::string& email, Role role, std::vector<std::string> groups = {}, UserId* id = nullptr) {
        User u;
        u.email = email;
        u.name = email.substr(0, email.find('@'));
        u.role = role;
        u.password_hash = hash_password("correct horse battery");
        u.created_at = clock.now();
        auto added = store_->add_user(u);
        REQUIRE(added.ok());
        for (const auto& g : groups) {
            auto members = store_->group_members(g);
            members.push_back(added->id);
            REQUIRE(store_->set_group_members(g, members).ok());
        }
        const std::string token = random_token();
        REQUIRE(store_->add_session({sha256_hex(token), added->id, "csrf", clock.now(), clock.now() + 10 * 365 * 24 * 3600}).ok());
        if (id) *id = added->id;
        return token;
    }

    void group(const std::string& id) { REQUIRE(store_->add_group({id, id + " team"}).ok()); }

    /// A registered device; returns its bearer token.
    std::string device(std::string* id = nullptr) {
        auto r = call("POST", "/api/v1/devices", {}, {{"profile_id", "demo-support"}, {"hostname", "pc1"}});
        REQUIRE(r.status == 201);
        if (id) *id = r.json["device_id"];
        return r.json["device_token"];
    }

    /// Submits a ticket from a device; returns its number.
    TicketNumber submit(const std::string& device_token, const std::string& group = "",
                        const std::string& priority = "medium", const std::string& email = "ana@example.com") {
        nlohmann::json body = {{"email", email}, {"description", "printer on fire"}, {"priority", priority}};
        if (!group.empty()) body["group_id"] = group;
        auto r = call("POST", "/api/v1/tickets", device_token, body, {{"Idempotency-Key", uuid()}});
        REQUIRE(r.status == 201);
        return r.json["number"];
    }

    /// Publishes the demo profile (branding/profiles/demo, id "demo-support", which
    /// devices register with) at `revision`, after `edit` changed it, signed with
    /// tests/fixtures/keys/test-signing-key.pem. Its groups must exist. Returns the status.
    int publish_profile(int revision, const std::function<void(nlohmann::json&)>& edit = {}) {
        auto profile = nlohmann::json::parse(helpline::test::read_text(
            helpline::test::source_path("branding/profiles/demo/profile.json")));
        profile["revision"] = revision;
        if (edit) edit(profile);
        auto key = SigningKey::load(helpline::test::fixture("keys/test-signing-key.pem"));
        REQUIRE(key.ok());
        const std::string envelope = make_envelope(profile["id"].get<std::string>(), revision, profile.dump(), {}, *key);
        const auto r = api::publish_profile_text(*ctx_, envelope, "test");
        INFO(r.body);
        return r.status;
    }

    static std::string uuid() {
        const std::string h = random_hex(16);
        return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
    }

    std::vector<TicketNumber> queue_numbers(const std::string& token) {
        auto r = call("GET", "/api/v1/queue", token);
        REQUIRE(r.status == 200);
        std::vector<TicketNumber> out;
        for (const auto& t : r.json["tickets"]) out.push_back(t["number"]);
        return out;
    }

    Store& store() { return *store_; }
    /// The store's database: the SQLite file's path or the PostgreSQL URL (another store
    /// opened on it acts as the CLI would).
    const std::string& database() const { return database_; }
    /// Everything the database holds, as text: the SQLite file's and its WAL's bytes, or on
    /// PostgreSQL every row of every table (for "never stored as it was shown" checks).
    std::string database_text() const {
        if (!is_postgres_url(database_))
            return helpline::test::read_text(database_) + helpline::test::read_text(database_ + "-wal");
        std::string text;
        for (const auto& table : helpline::test::query_rows(
                 database_, "SELECT quote_ident(table_name) FROM information_schema.tables "
                            "WHERE table_schema = current_schema()"))
            for (const auto& row : helpline::test::query_rows(database_, "SELECT t::text FROM " + table[0] + " AS t"))
                text += row[0] + "\n";
        return text;
    }
    Context& ctx() { return *ctx_; }

    std::string peer = "127.0.0.1";  ///< the remote address of the calls
    ManualClock clock;
    EventHub hub;
    Config config;
    RateLimiter limiter{clock};
    Metrics metrics;

private:
    helpline::test::TempDir dir_;
    std::string database_ = helpline::test::postgres_pass() ? helpline::test::fresh_postgres_url()
                                                            : (dir_ / "helpline.db").string();
    std::unique_ptr<Store> store_;
    std::unique_ptr<Context> ctx_;
    http::Handler handler_;
};

}  // namespace helpline::server::test
