#include "tests/server/e2e/authz_world.h"

#include <catch2/catch.hpp>
#include <cctype>
#include <cstdio>

namespace helpline::test::e2e {
namespace {

struct Segment {
    std::string text;
    bool literal;
};

std::vector<Segment> fill(const std::string& pattern, const std::vector<std::string>& params) {
    std::vector<Segment> out;
    std::size_t next_param = 0;
    std::size_t start = 1;
    while (start <= pattern.size()) {
        auto slash = pattern.find('/', start);
        if (slash == std::string::npos) slash = pattern.size();
        std::string part = pattern.substr(start, slash - start);
        start = slash + 1;
        if (part.empty()) continue;
        if (part.front() == '{') {
            REQUIRE(next_param < params.size());
            out.push_back({params[next_param++], false});
        } else {
            out.push_back({std::move(part), true});
        }
    }
    REQUIRE(next_param == params.size());
    return out;
}

std::string join(const std::vector<Segment>& segments) {
    std::string path;
    for (const auto& s : segments) path += "/" + s.text;
    return path;
}

std::string percent(char c) {
    char text[4];
    std::snprintf(text, sizeof text, "%%%02x",
                  static_cast<unsigned>(static_cast<unsigned char>(c)));
    return text;
}

// Rows of expected statuses: anonymous, device, operator A, operator B, admin.
constexpr std::array<int, 5> kAnyone = {200, 200, 200, 200, 200};
constexpr std::array<int, 5> kDeviceOnly = {401, 200, 403, 403, 403};
constexpr std::array<int, 5> kUsers = {401, 403, 200, 200, 200};
constexpr std::array<int, 5> kAdminOnly = {401, 403, 403, 403, 200};
/// An object in group A: operator B does not see it, so for B it does not exist.
constexpr std::array<int, 5> kGroupA = {401, 403, 200, 404, 200};

Target none(World&, Caller) {
    return {};
}

Endpoint row(std::string method, std::string pattern, std::array<int, 5> expected,
             std::function<Target(World&, Caller)> prepare = none) {
    Endpoint e;
    e.method = std::move(method);
    e.pattern = std::move(pattern);
    e.expected = expected;
    e.prepare = std::move(prepare);
    return e;
}

std::vector<Endpoint> make_endpoints() {
    std::vector<Endpoint> rows;
    // Health.
    rows.push_back(row("GET", "/livez", kAnyone));
    rows.push_back(row("GET", "/readyz", kAnyone));
    // Every caller here is on loopback; through HAProxy every request carries its
    // X-Forwarded-For and is not local, so /metrics is the admin's (operations.md).
    rows.push_back(row("GET", "/metrics", haproxy_topology() ? kAdminOnly : kAnyone));
    // Device side.
    rows.push_back(row("POST", "/api/v1/devices", {201, 201, 201, 201, 201}, [](World&, Caller) {
        return Target{{}, Json{{"profile_id", kDemoProfile}, {"hostname", "pc-2"}}, {}};
    }));
    rows.push_back(row("GET", "/api/v1/profiles/{id}", kDeviceOnly, [](World&, Caller) {
        return Target{{kDemoProfile}, {}, {}};
    }));
    rows.push_back(row("POST", "/api/v1/tickets", {401, 201, 403, 403, 403}, [](World&, Caller) {
        return Target{{}, ticket_body("Cannot print"), {"Idempotency-Key: " + new_uuid()}};
    }));
    rows.push_back(row("GET", "/api/v1/devices/me/tickets", kDeviceOnly));
    rows.push_back(row("GET", "/api/v1/events", kDeviceOnly));
    rows.back().stream = true;
    rows.push_back(
        row("POST", "/api/v1/connection-requests/{id}/accept", kDeviceOnly, [](World& w, Caller) {
            return Target{{w.pending_request()}, Json{{"vnc_password", "secret-1234"}}, {}};
        }));
    rows.push_back(row("POST", "/api/v1/connection-requests/{id}/decline",
                       {401, 204, 403, 403, 403}, [](World& w, Caller) {
                           return Target{{w.pending_request()}, {}, {}};
                       }));
    // The session's device, its operator (A) and admins may end it.
    rows.push_back(
        row("POST", "/api/v1/sessions/{id}/end", {401, 204, 204, 404, 204}, [](World& w, Caller) {
            return Target{{w.session()}, {}, {}};
        }));
    // Operator side.
    rows.push_back(row("POST", "/api/v1/auth/login", kAnyone, [](World& w, Caller) {
        const auto& s = w.team().server();
        return Target{{}, Json{{"email", s.admin_email()}, {"password", s.admin_password()}}, {}};
    }));
    rows.push_back(row("POST", "/api/v1/auth/logout", {401, 403, 204, 204, 204}));
    rows.back().fresh_session = true;
    rows.push_back(row("GET", "/api/v1/auth/me", kUsers));
    rows.push_back(row("GET", "/api/v1/queue", kUsers));
    rows.push_back(row("PATCH", "/api/v1/tickets/{number}", kGroupA, [](World& w, Caller) {
        return Target{{std::to_string(w.ticket_in_a())}, Json{{"priority", "high"}}, {}};
    }));
    rows.push_back(row("POST", "/api/v1/tickets/{number}/close", kGroupA, [](World& w, Caller) {
        return Target{{std::to_string(w.ticket_in_a())}, {}, {}};
    }));
    rows.push_back(row("POST", "/api/v1/tickets/{number}/connect", {401, 403, 201, 404, 201},
                       [](World& w, Caller) {
                           return Target{{std::to_string(w.ticket_in_a())}, {}, {}};
                       }));
    // Operator A's request: B may not follow it (it would carry the VNC password).
    rows.push_back(row("GET", "/api/v1/connection-requests/{id}", kGroupA, [](World& w, Caller) {
        return Target{{w.pending_request()}, {}, {}};
    }));
    rows.push_back(row("GET", "/api/v1/tickets/{number}", kGroupA, [](World& w, Caller) {
        return Target{{std::to_string(w.ticket_in_a())}, {}, {}};
    }));
    // Conversations: the ticket's device, and users who see the ticket (B does not).
    constexpr std::array<int, 5> kTicketParties = {401, 200, 200, 404, 200};
    rows.push_back(row("GET", "/api/v1/tickets/{number}/messages", kTicketParties, [](World& w, Caller) {
        return Target{{std::to_string(w.ticket_in_a())}, {}, {}};
    }));
    rows.push_back(row("POST", "/api/v1/tickets/{number}/messages", {401, 201, 201, 404, 201}, [](World& w, Caller) {
        return Target{{std::to_string(w.ticket_in_a())}, Json{{"body", "Is it plugged in?"}},
                      {"Idempotency-Key: " + new_uuid()}};
    }));
    // The body is the file: these JSON bytes will do.
    rows.push_back(row("PUT", "/api/v1/tickets/{number}/attachments/{key}", {401, 201, 201, 404, 201},
                       [](World& w, Caller) {
                           return Target{{std::to_string(w.ticket_in_a()), new_uuid()}, Json{{"note", "a file"}},
                                         {"X-Helpline-File-Name: note.json"}};
                       }));
    rows.push_back(row("GET", "/api/v1/attachments/{id}", kTicketParties, [](World& w, Caller) {
        return Target{{std::to_string(w.attachment_in_a())}, {}, {}};
    }));
    rows.push_back(row("PUT", "/api/v1/tickets/{number}/read", {401, 204, 204, 404, 204}, [](World& w, Caller) {
        return Target{{std::to_string(w.ticket_in_a())}, Json{{"message_id", 0}}, {}};
    }));
    rows.push_back(row("GET", "/api/v1/settings/attachments", kAdminOnly));
    rows.push_back(row("PUT", "/api/v1/settings/attachments", kAdminOnly, [](World&, Caller) {
        return Target{{}, Json{{"retention_days", 90}}, {}};
    }));
    rows.push_back(row("GET", "/api/v1/team", kUsers));
    rows.push_back(row("GET", "/api/v1/history", kUsers));
    rows.push_back(row("GET", "/api/v1/history/export", kUsers));
    // Without the prefix it needs: 400 shows the call got past access control.
    rows.push_back(row("GET", "/api/v1/history/requesters", {401, 403, 400, 400, 400}));
    rows.push_back(row("GET", "/api/v1/dashboard", kUsers));
    rows.push_back(row("GET", "/api/v1/console/events", kUsers));
    rows.back().stream = true;
    // Operator accounts: one's own account and two-factor setup (a pending secret changes
    // nothing until confirmed); the code step with a challenge nobody was given.
    rows.push_back(row("GET", "/api/v1/account", kUsers));
    rows.push_back(row("PATCH", "/api/v1/account", kUsers, [](World&, Caller) {
        return Target{{}, Json{{"language", "en"}}, {}};
    }));
    rows.push_back(row("POST", "/api/v1/account/two-factor/setup", kUsers));
    // Changes that would end the world's sessions or count as sign-in attempts are sent
    // without their fields: the answer (400) shows the call got past access control.
    constexpr std::array<int, 5> kUsersBadBody = {401, 403, 400, 400, 400};
    rows.push_back(row("POST", "/api/v1/account/two-factor/confirm", kUsersBadBody, [](World&, Caller) {
        return Target{{}, Json::object(), {}};
    }));
    rows.push_back(row("DELETE", "/api/v1/account/two-factor", kUsersBadBody, [](World&, Caller) {
        return Target{{}, Json::object(), {}};
    }));
    rows.push_back(row("POST", "/api/v1/account/password", kUsersBadBody, [](World&, Caller) {
        return Target{{}, Json::object(), {}};
    }));
    rows.push_back(row("POST", "/api/v1/account/sessions/sign-out-others", kUsers));
    rows.push_back(row("POST", "/api/v1/auth/login/two-factor", {401, 401, 401, 401, 401}, [](World&, Caller) {
        return Target{{}, Json{{"challenge", "made-up"}, {"code", "123456"}}, {}};
    }));
    // Admin.
    rows.push_back(row("GET", "/api/v1/users", kAdminOnly));
    rows.push_back(row("POST", "/api/v1/users", {401, 403, 403, 403, 201}, [](World& w, Caller) {
        return Target{{}, Json{{"email", w.unique("user") + "@team.example"}, {"name", "New"}}, {}};
    }));
    rows.push_back(row("PATCH", "/api/v1/users/{id}", kAdminOnly, [](World& w, Caller) {
        return Target{{std::to_string(w.target_user())}, Json{{"name", "Renamed"}}, {}};
    }));
    rows.push_back(row("POST", "/api/v1/users/{id}/reset-password", kAdminOnly, [](World& w, Caller) {
        return Target{{std::to_string(w.target_user())}, {}, {}};
    }));
    // Email: the relay's state for admins; invitation links for anyone who has one (this
    // server has no relay, so none exists: 404 whoever asks).
    rows.push_back(row("GET", "/api/v1/email", kAdminOnly));
    rows.push_back(row("GET", "/api/v1/invitations/{token}", {404, 404, 404, 404, 404}, [](World&, Caller) {
        return Target{{"made-up-token"}, {}, {}};
    }));
    rows.push_back(row("POST", "/api/v1/invitations/{token}", {404, 404, 404, 404, 404}, [](World&, Caller) {
        return Target{{"made-up-token"}, Json{{"password", "a long enough passphrase"}}, {}};
    }));
    rows.push_back(row("GET", "/api/v1/groups", kAdminOnly));
    rows.push_back(row("POST", "/api/v1/groups", {401, 403, 403, 403, 201}, [](World& w, Caller) {
        return Target{{}, Json{{"id", w.unique("g")}, {"name", "New group"}}, {}};
    }));
    rows.push_back(row("PATCH", "/api/v1/groups/{id}", kAdminOnly, [](World&, Caller) {
        return Target{{"scratch"}, Json{{"name", "Scratch renamed"}}, {}};
    }));
    rows.push_back(
        row("DELETE", "/api/v1/groups/{id}", kAdminOnly, [](World& w, Caller) {
            const std::string id = w.unique("del");
            const auto r = w.team().call("POST", "/api/v1/groups", w.token(Caller::admin),
                                         Json{{"id", id}, {"name", id}});
            REQUIRE(r.status == 201);
            return Target{{id}, {}, {}};
        }));
    rows.push_back(row("GET", "/api/v1/groups/{id}/deletion", kAdminOnly, [](World&, Caller) {
        return Target{{"scratch"}, {}, {}};
    }));
    rows.push_back(row("GET", "/api/v1/groups/{id}/members", kAdminOnly, [](World&, Caller) {
        return Target{{"helpdesk"}, {}, {}};
    }));
    rows.push_back(row("PUT", "/api/v1/groups/{id}/members", kAdminOnly, [](World&, Caller) {
        return Target{{"scratch"}, Json{{"user_ids", Json::array()}}, {}};
    }));
    rows.push_back(row("GET", "/api/v1/organizations", kAdminOnly));
    rows.push_back(
        row("POST", "/api/v1/organizations", {401, 403, 403, 403, 201}, [](World& w, Caller) {
            return Target{{}, Json{{"domain", w.unique("org") + ".example"}, {"name", "Org"}}, {}};
        }));
    rows.push_back(row("PATCH", "/api/v1/organizations/{domain}", kAdminOnly, [](World& w, Caller) {
        const std::string domain = w.unique("renamed") + ".example";
        const auto r = w.team().call("POST", "/api/v1/organizations", w.token(Caller::admin),
                                     Json{{"domain", domain}, {"name", "Before"}});
        REQUIRE(r.status == 201);
        return Target{{domain}, Json{{"name", "After"}}, {}};
    }));
    rows.push_back(row("DELETE", "/api/v1/organizations/{domain}", {401, 403, 403, 403, 204},
                       [](World& w, Caller) {
                           const std::string domain = w.unique("gone") + ".example";
                           const auto r = w.team().call("POST", "/api/v1/organizations",
                                                        w.token(Caller::admin),
                                                        Json{{"domain", domain}, {"name", "Gone"}});
                           REQUIRE(r.status == 201);
                           return Target{{domain}, {}, {}};
                       }));
    rows.push_back(row("GET", "/api/v1/profiles", kAdminOnly));
    rows.push_back(
        row("POST", "/api/v1/profiles", {401, 403, 403, 403, 201}, [](World& w, Caller c) {
            // Only an admin's call can get as far as the body; it needs a new revision.
            return Target{{}, c == Caller::admin ? w.next_envelope() : w.first_envelope(), {}};
        }));
    rows.push_back(row("GET", "/api/v1/audit", kAdminOnly));
    rows.push_back(row("GET", "/api/v1/settings/two-factor", kAdminOnly));
    rows.push_back(row("PUT", "/api/v1/settings/two-factor", kAdminOnly, [](World&, Caller) {
        return Target{{}, Json{{"required", false}}, {}};
    }));
    rows.push_back(row("GET", "/api/v1/audit/export", kAdminOnly));
    return rows;
}

}  // namespace

const char* caller_name(Caller caller) {
    switch (caller) {
        case Caller::anonymous:
            return "anonymous";
        case Caller::device:
            return "device";
        case Caller::operator_a:
            return "operator of group A";
        case Caller::operator_b:
            return "operator of group B";
        case Caller::admin:
            return "admin";
    }
    return "?";
}

const std::vector<Endpoint>& endpoints() {
    static const std::vector<Endpoint> rows = make_endpoints();
    return rows;
}

const char* variant_name(Variant variant) {
    switch (variant) {
        case Variant::canonical:
            return "canonical";
        case Variant::trailing_slash:
            return "trailing slash";
        case Variant::doubled_slash:
            return "doubled slash";
        case Variant::encoded_segment:
            return "percent-encoded segment";
        case Variant::encoded_slash:
            return "%2F in a segment";
        case Variant::dot_dot:
            return "'%2E%2E' segment";
        case Variant::upper_case:
            return "upper case";
    }
    return "?";
}

int expected_for(Variant variant, int canonical_status) {
    switch (variant) {
        case Variant::encoded_slash:
        case Variant::dot_dot:
            return 400;
        case Variant::upper_case:
            return 404;
        default:
            return canonical_status;
    }
}

std::string render_path(const std::string& pattern, const std::vector<std::string>& params,
                        Variant variant) {
    auto segments = fill(pattern, params);
    std::size_t last_literal = 0;
    for (std::size_t i = 0; i < segments.size(); ++i)
        if (segments[i].literal) last_literal = i;
    auto& target = segments[last_literal].text;
    switch (variant) {
        case Variant::canonical:
            return join(segments);
        case Variant::trailing_slash:
            return join(segments) + "/";
        case Variant::doubled_slash: {
            const std::string path = join(segments);
            const auto second = path.find('/', 1);
            return second == std::string::npos ? "/" + path
                                               : path.substr(0, second) + "/" + path.substr(second);
        }
        case Variant::encoded_segment:
            target = percent(target[0]) + target.substr(1);
            break;
        case Variant::encoded_slash:
            target = target.substr(0, 1) + "%2F" + target.substr(1);
            break;
        case Variant::dot_dot:
            segments.insert(segments.begin() + static_cast<std::ptrdiff_t>(last_literal),
                            {Segment{"x", true}, Segment{"%2E%2E", true}});
            break;
        case Variant::upper_case:
            for (auto& s : segments)
                if (s.literal)
                    for (auto& c : s.text)
                        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            break;
    }
    return join(segments);
}

World::World() {
    device_ = team_.register_device();
    const auto a = team_.add_user("ana.op@team.example", "Ana", "operator-a-password");
    const auto b = team_.add_user("bruno.op@team.example", "Bruno", "operator-b-password");
    team_.set_members("helpdesk", {a});
    team_.set_members("billing", {b});
    operator_a_ = team_.login("ana.op@team.example", "operator-a-password");
    operator_b_ = team_.login("bruno.op@team.example", "operator-b-password");
    target_user_ = team_.add_user("target@team.example", "Target", "target-password");
    REQUIRE(team_
                .call("POST", "/api/v1/groups", team_.admin_token(),
                      Json{{"id", "scratch"}, {"name", "Scratch"}})
                .status == 201);
    first_envelope_ = Json::parse(read_text(sign_demo_profile(team_.dir().path(), 1)));
    const auto published =
        team_.call("POST", "/api/v1/profiles", team_.admin_token(), first_envelope_);
    INFO(published.body);
    REQUIRE(published.status == 201);
}

std::string World::token(Caller caller, bool fresh) {
    switch (caller) {
        case Caller::anonymous:
            return {};
        case Caller::device:
            return device_.token;
        case Caller::operator_a:
            return fresh ? team_.login("ana.op@team.example", "operator-a-password") : operator_a_;
        case Caller::operator_b:
            return fresh ? team_.login("bruno.op@team.example", "operator-b-password")
                         : operator_b_;
        case Caller::admin:
            return fresh
                       ? team_.login(team_.server().admin_email(), team_.server().admin_password())
                       : team_.admin_token();
    }
    return {};
}

std::int64_t World::ticket_in_a() {
    return team_.submit(device_, ticket_body("Matrix ticket"));
}

std::int64_t World::attachment_in_a() {
    const auto number = ticket_in_a();
    CurlOptions o;
    o.method = "PUT";
    o.body = "a screenshot, in words";
    o.headers = {"Authorization: Bearer " + device_.token, "Content-Type: text/plain",
                 "X-Helpline-File-Name: words.txt"};
    const auto r = curl_request(team_.server().url("/api/v1/tickets/" + std::to_string(number) + "/attachments/" +
                                                   new_uuid()),
                                o);
    INFO(r.body);
    REQUIRE(r.status == 201);
    return body_json(r).at("id").get<std::int64_t>();
}

std::string World::pending_request() {
    const auto r = team_.call(
        "POST", "/api/v1/tickets/" + std::to_string(ticket_in_a()) + "/connect", operator_a_);
    INFO(r.body);
    REQUIRE(r.status == 201);
    return body_json(r).at("request_id").get<std::string>();
}

std::string World::session() {
    const auto r =
        team_.call("POST", "/api/v1/connection-requests/" + pending_request() + "/accept",
                   device_.token, Json{{"vnc_password", "secret-1234"}});
    INFO(r.body);
    REQUIRE(r.status == 200);
    return body_json(r).at("session_id").get<std::string>();
}

std::string World::unique(const std::string& prefix) {
    return prefix + "-" + std::to_string(++counter_);
}

Json World::next_envelope() {
    return Json::parse(read_text(sign_demo_profile(team_.dir().path(), ++revision_)));
}

long World::perform(const Endpoint& endpoint, Caller caller, Variant variant, std::string* body) {
    const Target target = endpoint.prepare(*this, caller);
    const std::string path = render_path(endpoint.pattern, target.params, variant);
    const std::string token = this->token(caller, endpoint.fresh_session);
    if (endpoint.stream) {
        auto headers = target.headers;
        if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
        return stream_status(team_.server().url(path), headers);
    }
    const auto r = team_.call(endpoint.method, path, token, target.body, target.headers);
    if (body) *body = r.body;
    return r.status;
}

}  // namespace helpline::test::e2e
