// Team administration of users through the API: the list, new users with a generated
// password shown once, edits, password resets and disabling (each ending the user's
// sessions), the refusals an admin meets on their own account, and "admins only".
#include "tests/server/api/api_fixture.h"

using namespace helpline::server;
using helpline::server::test::ApiFixture;
using helpline::server::test::Reply;

namespace {

struct Users : ApiFixture {
    Users() {
        group("helpdesk");
        admin = user("boss@team.example", Role::admin, {}, &admin_id);
        op = user("ana@team.example", Role::operator_, {"helpdesk"}, &op_id);
    }
    std::string admin, op;
    UserId admin_id = 0, op_id = 0;

    const nlohmann::json* listed(UserId id) {
        users_ = call("GET", "/api/v1/users", admin).json;
        for (const auto& u : users_["users"])
            if (u["id"] == id) return &u;
        return nullptr;
    }
    int login(const std::string& email, const std::string& password) {
        return call("POST", "/api/v1/auth/login", {}, {{"email", email}, {"password", password}}).status;
    }
    bool audited(const std::string& action, UserId user) {
        for (const auto& e : store().audit_log(50))
            if (e.action == action && e.actor == "user:" + std::to_string(admin_id) &&
                nlohmann::json::parse(e.detail).value("user_id", UserId{0}) == user)
                return true;
        return false;
    }

private:
    nlohmann::json users_;
};

}  // namespace

TEST_CASE_METHOD(Users, "the user list shows groups, notifications, disabled, last sign-in and creation") {
    const auto* ana = listed(op_id);
    REQUIRE(ana);
    CHECK((*ana)["email"] == "ana@team.example");
    CHECK((*ana)["role"] == "operator");
    CHECK((*ana)["groups"] == nlohmann::json::array({"helpdesk"}));
    CHECK((*ana)["notify_email"] == false);
    CHECK((*ana)["disabled"] == false);
    CHECK((*ana)["created_at"] == format_time(clock.now()));
    CHECK_FALSE(ana->contains("password_hash"));

    // The fixture's session counts as a sign-in; a real one later moves it on.
    CHECK((*ana)["last_sign_in_at"] == format_time(clock.now()));
    clock.advance(std::chrono::hours(3));
    REQUIRE(login("ana@team.example", "correct horse battery") == 200);
    CHECK((*listed(op_id))["last_sign_in_at"] == format_time(clock.now()));
    // A failed sign-in is not one.
    clock.advance(std::chrono::hours(1));
    REQUIRE(login("ana@team.example", "wrong password!") == 401);
    CHECK((*listed(op_id))["last_sign_in_at"] == format_time(clock.now() - 3600));
}

TEST_CASE_METHOD(Users, "a user who never signed in has last_sign_in_at null") {
    auto r = call("POST", "/api/v1/users", admin, {{"email", "new@team.example"}, {"name", "New"}, {"role", "operator"}});
    REQUIRE(r.status == 201);
    CHECK(r.json["user"]["last_sign_in_at"].is_null());
    CHECK((*listed(r.json["user"]["id"]))["last_sign_in_at"].is_null());
}

TEST_CASE_METHOD(Users, "a new user gets a strong generated password, shown once, that signs them in") {
    auto r = call("POST", "/api/v1/users", admin,
                  {{"email", "carla@team.example"}, {"name", "Carla"}, {"role", "admin"}});
    REQUIRE(r.status == 201);
    const auto& u = r.json["user"];
    CHECK(u["email"] == "carla@team.example");
    CHECK(u["name"] == "Carla");
    CHECK(u["role"] == "admin");
    CHECK(u["groups"] == nlohmann::json::array());
    const std::string password = r.json["password"];
    CHECK(password.size() >= 16);
    // Another user gets another password.
    auto other = call("POST", "/api/v1/users", admin, {{"email", "dan@team.example"}, {"name", "Dan"}});
    REQUIRE(other.status == 201);
    CHECK(other.json["password"] != password);
    CHECK(other.json["user"]["role"] == "operator");

    CHECK(login("carla@team.example", password) == 200);
    // Never shown again: not in the list, not in the audit.
    const auto list = call("GET", "/api/v1/users", admin);
    CHECK(list.raw.body.find(password) == std::string::npos);
    for (const auto& e : store().audit_log(50)) CHECK(e.detail.find(password) == std::string::npos);
    CHECK(audited("user-created", u["id"]));

    // A password the admin chose is not echoed.
    auto chosen = call("POST", "/api/v1/users", admin,
                       {{"email", "eve@team.example"}, {"name", "Eve"}, {"password", "a chosen passphrase"}});
    REQUIRE(chosen.status == 201);
    CHECK_FALSE(chosen.json.contains("password"));
    CHECK(login("eve@team.example", "a chosen passphrase") == 200);
}

TEST_CASE_METHOD(Users, "an admin edits a user's name, role and email notifications") {
    auto r = call("PATCH", "/api/v1/users/" + std::to_string(op_id), admin,
                  {{"name", "Ana Lima"}, {"role", "admin"}, {"notify_email", true}});
    REQUIRE(r.status == 200);
    CHECK(r.json["user"]["name"] == "Ana Lima");
    CHECK(r.json["user"]["role"] == "admin");
    CHECK(r.json["user"]["notify_email"] == true);
    const auto stored = store().user(op_id);
    CHECK(stored->name == "Ana Lima");
    CHECK(stored->role == Role::admin);
    CHECK(stored->notify_email);
    CHECK(call("GET", "/api/v1/users", op).status == 200);  // an admin now

    REQUIRE(call("PATCH", "/api/v1/users/" + std::to_string(op_id), admin, {{"notify_email", false}}).status == 200);
    CHECK_FALSE(store().user(op_id)->notify_email);
    CHECK(store().user(op_id)->name == "Ana Lima");  // what was not sent is kept
    CHECK(audited("user-updated", op_id));

    auto bad = call("PATCH", "/api/v1/users/" + std::to_string(op_id), admin, {{"name", ""}, {"role", "boss"}});
    CHECK(bad.status == 400);
    REQUIRE(bad.json["errors"].size() == 2);
    CHECK(bad.json["errors"][0]["field"] == "name");
    CHECK(bad.json["errors"][1]["field"] == "role");
    CHECK(call("PATCH", "/api/v1/users/" + std::to_string(op_id), admin, {{"email", "x@y.example"}}).status == 400);
}

TEST_CASE_METHOD(Users, "resetting a password gives a new one-time password and ends every session of the user") {
    const std::string second = [&] {
        auto r = call("POST", "/api/v1/auth/login", {}, {{"email", "ana@team.example"}, {"password", "correct horse battery"}});
        REQUIRE(r.status == 200);
        return r.json["token"].get<std::string>();
    }();
    REQUIRE(call("GET", "/api/v1/queue", op).status == 200);
    auto r = call("POST", "/api/v1/users/" + std::to_string(op_id) + "/reset-password", admin);
    REQUIRE(r.status == 200);
    const std::string password = r.json["password"];
    CHECK(password.size() >= 16);
    CHECK(call("GET", "/api/v1/queue", op).status == 401);
    CHECK(call("GET", "/api/v1/queue", second).status == 401);
    CHECK(call("GET", "/api/v1/users", admin).status == 200);  // the admin's own session is untouched
    CHECK(login("ana@team.example", "correct horse battery") == 401);
    CHECK(login("ana@team.example", password) == 200);
    CHECK(audited("user-password-reset", op_id));
    for (const auto& e : store().audit_log(50)) CHECK(e.detail.find(password) == std::string::npos);

    CHECK(call("POST", "/api/v1/users/9999/reset-password", admin).status == 404);
    CHECK(call("POST", "/api/v1/users/x/reset-password", admin).status == 404);
    CHECK(call("POST", "/api/v1/users/" + std::to_string(op_id) + "/reset-password", admin, {{"password", "mine"}})
              .status == 400);
}

TEST_CASE_METHOD(Users, "a disabled user is signed out and cannot sign in until enabled again") {
    REQUIRE(call("PATCH", "/api/v1/users/" + std::to_string(op_id), admin, {{"disabled", true}}).status == 200);
    CHECK(call("GET", "/api/v1/queue", op).status == 401);
    CHECK(login("ana@team.example", "correct horse battery") == 401);
    CHECK((*listed(op_id))["disabled"] == true);

    auto enabled = call("PATCH", "/api/v1/users/" + std::to_string(op_id), admin, {{"disabled", false}});
    REQUIRE(enabled.status == 200);
    CHECK(enabled.json["user"]["disabled"] == false);
    CHECK(login("ana@team.example", "correct horse battery") == 200);
}

TEST_CASE_METHOD(Users, "an admin cannot disable or demote themselves, and is told why") {
    const std::string me = "/api/v1/users/" + std::to_string(admin_id);
    auto disable = call("PATCH", me, admin, {{"disabled", true}});
    CHECK(disable.status == 409);
    CHECK(disable.json["code"] == "self_disable");
    CHECK_THAT(disable.json["detail"].get<std::string>(), Catch::Contains("cannot disable your own account"));
    CHECK_THAT(disable.json["detail"].get<std::string>(), Catch::Contains("Another admin"));

    auto demote = call("PATCH", me, admin, {{"role", "operator"}});
    CHECK(demote.status == 409);
    CHECK(demote.json["code"] == "self_demote");
    CHECK_THAT(demote.json["detail"].get<std::string>(), Catch::Contains("own admin role"));

    // Nothing of a refused change is applied, not even its other fields.
    CHECK(call("PATCH", me, admin, {{"name", "Renamed"}, {"disabled", true}}).status == 409);
    const auto stored = store().user(admin_id);
    CHECK(stored->role == Role::admin);
    CHECK_FALSE(stored->disabled);
    CHECK(stored->name == "boss");
    CHECK(call("GET", "/api/v1/users", admin).status == 200);

    // What is no loss of access is allowed on oneself.
    CHECK(call("PATCH", me, admin, {{"role", "admin"}, {"disabled", false}, {"name", "The boss"}}).status == 200);
    // And another admin may do it.
    UserId other_id = 0;
    const auto other = user("carla@team.example", Role::admin, {}, &other_id);
    CHECK(call("PATCH", me, other, {{"role", "operator"}}).status == 200);
    CHECK(store().user(admin_id)->role == Role::operator_);
}

TEST_CASE_METHOD(Users, "every admin route answers an operator 403 admins_only") {
    REQUIRE(store().add_organization({"acme.example", "Acme"}).ok());
    const std::string ana = std::to_string(op_id);
    const std::vector<std::tuple<std::string, std::string, nlohmann::json>> routes = {
        {"GET", "/api/v1/users", nullptr},
        {"POST", "/api/v1/users", {{"email", "x@team.example"}, {"name", "X"}}},
        {"PATCH", "/api/v1/users/" + ana, {{"role", "admin"}}},
        {"POST", "/api/v1/users/" + ana + "/reset-password", nullptr},
        {"GET", "/api/v1/groups", nullptr},
        {"POST", "/api/v1/groups", {{"id", "sales"}, {"name", "Sales"}}},
        {"PATCH", "/api/v1/groups/helpdesk", {{"name", "Mine now"}}},
        {"GET", "/api/v1/groups/helpdesk/deletion", nullptr},
        {"DELETE", "/api/v1/groups/helpdesk", nullptr},
        {"GET", "/api/v1/groups/helpdesk/members", nullptr},
        {"PUT", "/api/v1/groups/helpdesk/members", {{"user_ids", {op_id}}}},
        {"GET", "/api/v1/organizations", nullptr},
        {"POST", "/api/v1/organizations", {{"domain", "globex.example"}, {"name", "Globex"}}},
        {"PATCH", "/api/v1/organizations/acme.example", {{"name", "Mine"}}},
        {"DELETE", "/api/v1/organizations/acme.example", nullptr},
        {"GET", "/api/v1/profiles", nullptr},
        {"POST", "/api/v1/profiles", {{"format", "helpline-profile-envelope"}}},
        {"GET", "/api/v1/audit", nullptr},
        {"GET", "/api/v1/audit/export", nullptr},
    };
    const auto revision = store().team_revision();
    for (const auto& [method, target, body] : routes) {
        INFO(method << " " << target);
        auto r = call(method, target, op, body);
        CHECK(r.status == 403);
        CHECK(r.json["code"] == "admins_only");
        CHECK_THAT(r.json["detail"].get<std::string>(), Catch::Contains("Only admins"));
    }
    CHECK(store().team_revision() == revision);  // nothing was changed
    CHECK(store().user(op_id)->role == Role::operator_);
    CHECK(call("GET", "/api/v1/users", {}).status == 401);  // and nobody at all must sign in
}
