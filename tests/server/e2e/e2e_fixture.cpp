#include "tests/server/e2e/e2e_fixture.h"

#include <sstream>

#include <catch2/catch.hpp>
#include <cstdio>
#include <random>

namespace helpline::test::e2e {
namespace {

std::size_t stop_at_header_end(char* data, std::size_t size, std::size_t count, void*) {
    const std::string_view line(data, size * count);
    // The blank line ends the header: returning less than given aborts the transfer.
    return line == "\r\n" || line == "\n" ? 0 : size * count;
}

std::size_t discard(char*, std::size_t size, std::size_t count, void*) {
    return size * count;
}

}  // namespace

std::vector<std::string> unlimited_args() {
    return {"--login-limit", "1000000", "--submit-limit", "1000000", "--register-limit", "1000000"};
}

CurlOptions bearer(const std::string& token, std::vector<std::string> more_headers) {
    CurlOptions options;
    options.headers = std::move(more_headers);
    options.headers.push_back("Authorization: Bearer " + token);
    return options;
}

std::vector<std::string> problem_fields(const CurlResponse& response) {
    std::vector<std::string> fields;
    const Json doc = body_json(response);
    if (doc.is_object() && doc.contains("errors") && doc["errors"].is_array())
        for (const auto& e : doc["errors"]) fields.push_back(e.value("field", ""));
    return fields;
}

long stream_status(const std::string& url, const std::vector<std::string>& headers) {
    CURL* curl = curl_easy_init();
    curl_slist* list = nullptr;
    for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    std::string ca_pem = default_ca_pem();  // HAProxy's, behind HAProxy
    curl_blob blob{ca_pem.data(), ca_pem.size(), CURL_BLOB_COPY};
    if (!ca_pem.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &blob);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, stop_at_header_end);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    (void)curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    return status;
}

std::filesystem::path sign_demo_profile(const std::filesystem::path& work, int revision,
                                        const std::vector<std::string>& group_ids,
                                        const std::string& key) {
    static int serial = 0;  // each call its own folder
    const auto dir =
        work / ("profile-r" + std::to_string(revision) + "-" + std::to_string(++serial));
    std::filesystem::create_directories(dir);
    const auto demo = source_path("branding/profiles/demo");
    std::filesystem::copy_file(demo / "logo.svg", dir / "logo.svg",
                               std::filesystem::copy_options::overwrite_existing);
    Json profile = Json::parse(read_text(demo / "profile.json"));
    profile["revision"] = revision;
    if (!group_ids.empty()) {
        Json groups = Json::array();
        for (const auto& id : group_ids) groups.push_back({{"id", id}, {"name", {{"en", id}}}});
        profile["assistance"]["groups"] = groups;
        profile["assistance"]["default_group"] = group_ids.front();
    }
    write_text(dir / "profile.json", profile.dump(2));
    const auto out = dir / "envelope.json";
    const auto signed_ = run_program({kBrandBin, "sign-profile", "--profile", dir.string(), "--key",
                                      fixture(key).string(), "--out", out.string()});
    INFO(signed_.out << signed_.err);
    REQUIRE(signed_.exit_code == 0);
    return out;
}

Team::Team(std::vector<std::string> run_args, std::vector<std::string> groups)
    : server_(kServerBin, dir_ / "data", std::move(groups)) {
    server_.start(std::move(run_args));
    admin_token_ = login(server_.admin_email(), server_.admin_password());
}

CurlResponse Team::call(const std::string& method, const std::string& path,
                        const std::string& token, const std::optional<Json>& body,
                        std::vector<std::string> headers, std::chrono::milliseconds timeout) const {
    CurlOptions options;
    options.method = method;
    options.timeout = timeout;
    if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
    if (body) {
        options.body = body->dump();
        headers.push_back("Content-Type: application/json");
    }
    options.headers = std::move(headers);
    return curl_request(server_.url(path), options);
}

std::string Team::login(const std::string& email, const std::string& password) const {
    const auto r =
        call("POST", "/api/v1/auth/login", {}, Json{{"email", email}, {"password", password}});
    INFO(r.body);
    REQUIRE(r.status == 200);
    return body_json(r).at("token").get<std::string>();
}

DeviceCredentials Team::register_device(const std::string& profile_id) const {
    const auto r = call("POST", "/api/v1/devices", {},
                        Json{{"profile_id", profile_id}, {"hostname", "pc-1"}, {"os", "linux"}});
    INFO(r.body);
    REQUIRE(r.status == 201);
    const Json j = body_json(r);
    return {j.at("device_id").get<std::string>(), j.at("device_token").get<std::string>()};
}

std::int64_t Team::add_user(const std::string& email, const std::string& name,
                            const std::string& password, const std::string& role) const {
    const auto r =
        call("POST", "/api/v1/users", admin_token_,
             Json{{"email", email}, {"name", name}, {"role", role}, {"password", password}});
    INFO(r.body);
    REQUIRE(r.status == 201);
    return body_json(r).at("user").at("id").get<std::int64_t>();
}

void Team::set_members(const std::string& group, const std::vector<std::int64_t>& user_ids) const {
    const auto r = call("PUT", "/api/v1/groups/" + group + "/members", admin_token_,
                        Json{{"user_ids", user_ids}});
    INFO(r.body);
    REQUIRE(r.status == 200);
}

std::int64_t Team::submit(const DeviceCredentials& device, const Json& body) const {
    const auto r =
        call("POST", "/api/v1/tickets", device.token, body, {"Idempotency-Key: " + new_uuid()});
    INFO(r.body);
    REQUIRE(r.status == 201);
    return body_json(r).at("number").get<std::int64_t>();
}

Json Team::admin_queue() const {
    const auto r = call("GET", "/api/v1/queue", admin_token_);
    INFO(r.body);
    REQUIRE(r.status == 200);
    return body_json(r).at("tickets");
}

Json Team::admin_history() const {
    const auto r = call("GET", "/api/v1/history", admin_token_);
    INFO(r.body);
    REQUIRE(r.status == 200);
    return body_json(r).at("tickets");
}

Json ticket_body(const std::string& description, const std::string& group,
                 const std::string& email) {
    return {{"email", email}, {"description", description}, {"group_id", group}};
}

std::vector<SseFrame> sse_frames(const std::string& text) {
    std::vector<SseFrame> out;
    std::size_t start = 0;
    while (true) {
        const auto end = text.find("\n\n", start);
        if (end == std::string::npos) break;
        std::istringstream lines(text.substr(start, end - start));
        start = end + 2;
        SseFrame f;
        std::string line;
        while (std::getline(lines, line)) {
            if (line.rfind("id: ", 0) == 0) f.id = line.substr(4);
            if (line.rfind("event: ", 0) == 0) f.event = line.substr(7);
            if (line.rfind("data: ", 0) == 0) f.data = Json::parse(line.substr(6), nullptr, false);
        }
        if (!f.event.empty()) out.push_back(std::move(f));
    }
    return out;
}

}  // namespace helpline::test::e2e
