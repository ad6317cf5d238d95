#pragma once
// A team on a real helpline-server process (127.0.0.1, free port, fresh data folder) and
// the calls the end-to-end tests make to it over HTTP with libcurl.

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/fixtures.h"
#include "tests/support/server_process.h"
#include "tests/support/test_client.h"

namespace helpline::test::e2e {

using Json = nlohmann::json;

inline constexpr const char* kServerBin = HELPLINE_SERVER_BIN;
inline constexpr const char* kBrandBin = HELPLINE_BRAND_BIN;
/// The id of branding/profiles/demo, which names the groups helpdesk and billing.
inline constexpr const char* kDemoProfile = "demo-support";

/// `run` arguments that lift the rate limits: these tests send more than customers would.
std::vector<std::string> unlimited_args();

using helpline::test::body_json;  // tests/support/test_client.h
using helpline::test::new_uuid;

/// GET options carrying `token` as a bearer token (for CurlEventStream).
CurlOptions bearer(const std::string& token, std::vector<std::string> more_headers = {});

/// The "field" of every entry of a problem+json answer's "errors".
std::vector<std::string> problem_fields(const CurlResponse& response);

/// The status of a request whose answer may be an endless event stream: the transfer is
/// cut as soon as the response header is in. 0 when no answer came within 5 s.
long stream_status(const std::string& url, const std::vector<std::string>& headers);

/// Signs the demo profile with `key` (under tests/fixtures) through the real
/// `helpline-brand sign-profile`, after setting its revision and, when given, replacing
/// its groups (ids) and default group. Writes into `work`; returns the envelope's path.
std::filesystem::path sign_demo_profile(const std::filesystem::path& work, int revision,
                                        const std::vector<std::string>& group_ids = {},
                                        const std::string& key = "keys/test-signing-key.pem");

struct DeviceCredentials {
    std::string id;
    std::string token;
};

/// A fresh team (admin, groups helpdesk and billing) served by a running helpline-server.
class Team {
  public:
    explicit Team(std::vector<std::string> run_args = unlimited_args(),
                  std::vector<std::string> groups = {"helpdesk", "billing"});

    ServerProcess& server() { return server_; }
    const ServerProcess& server() const { return server_; }
    const TempDir& dir() const { return dir_; }
    const std::string& admin_token() const { return admin_token_; }

    /// One request with a fresh connection. `token` goes as a bearer token; `body` as JSON.
    CurlResponse call(const std::string& method, const std::string& path,
                      const std::string& token = {}, const std::optional<Json>& body = {},
                      std::vector<std::string> headers = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

    /// Signs in; the session token (REQUIREs success).
    std::string login(const std::string& email, const std::string& password) const;
    /// Registers a device; its id and token (REQUIREs success).
    DeviceCredentials register_device(const std::string& profile_id = kDemoProfile) const;
    /// Adds a user through the admin API with `password`; the user's id.
    std::int64_t add_user(const std::string& email, const std::string& name,
                          const std::string& password, const std::string& role = "operator") const;
    /// Replaces a group's members through the admin API.
    void set_members(const std::string& group, const std::vector<std::int64_t>& user_ids) const;
    /// Submits a ticket with a fresh Idempotency-Key; its number (REQUIREs a 201).
    std::int64_t submit(const DeviceCredentials& device, const Json& body) const;
    /// The admin's view of the open queue.
    Json admin_queue() const;
    /// The admin's view of the history.
    Json admin_history() const;

  private:
    TempDir dir_;
    ServerProcess server_;
    std::string admin_token_;
};

/// One frame of an event stream.
struct SseFrame {
    std::string id;
    std::string event;
    Json data;
};
/// The complete frames of an event stream's text (comments such as ": ping" left out).
std::vector<SseFrame> sse_frames(const std::string& text);

/// A ticket body for `group` ("helpdesk" unless told).
Json ticket_body(const std::string& description, const std::string& group = "helpdesk",
                 const std::string& email = "ana@acme.example");

}  // namespace helpline::test::e2e
