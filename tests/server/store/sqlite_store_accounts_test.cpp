// The store's side of operator accounts (migration 7): language, two-factor state with its
// compare-and-set on time steps and recovery codes, sign-in challenges, and what sessions
// keep for the account page.
#include <catch2/catch.hpp>
#include <filesystem>

#include "server/store/migrations.h"
#include "server/store/sqlite_db.h"
#include "tests/server/store/store_fixture.h"

using namespace helpline::server;
using helpline::test::StoreFixture;

namespace {

OperatorSession session_of(UserId user, const std::string& token_hash, Timestamp at) {
    OperatorSession s;
    s.token_hash = token_hash;
    s.user_id = user;
    s.csrf_token = "csrf";
    s.created_at = at;
    s.expires_at = at + 3600;
    s.user_agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0";
    s.address = "198.51.100.7";
    return s;
}

}  // namespace

TEST_CASE_METHOD(StoreFixture,
                 "a user's language is kept, English unless set, and checked by the schema") {
    const UserId ana = add_user("ana@team.example");
    CHECK(store->user(ana)->language == "en");
    auto u = *store->user(ana);
    u.language = "pt_BR";
    REQUIRE(store->update_user(u).ok());
    reopen();
    CHECK(store->user(ana)->language == "pt_BR");
    u.language = "klingon";
    CHECK_FALSE(store->update_user(u).ok());
    CHECK(store->user(ana)->language == "pt_BR");
}

TEST_CASE_METHOD(StoreFixture,
                 "two-factor turns on only with the pending secret it was set up with") {
    const UserId ana = add_user("ana@team.example");
    CHECK_FALSE(store->two_factor(ana)->secret);
    CHECK_FALSE(store->two_factor(999));
    REQUIRE(store->set_pending_two_factor(ana, "SECRETONE").ok());
    REQUIRE(
        store->set_pending_two_factor(ana, "SECRETTWO").ok());  // a second setup replaces the first
    const std::int64_t revision = store->team_revision();
    CHECK(store->confirm_two_factor(ana, "SECRETONE", 5, {"h1"}).error().code ==
          store_error::kStale);
    REQUIRE(store->confirm_two_factor(ana, "SECRETTWO", 5, {"h1", "h2", "h3"}).ok());
    CHECK(store->team_revision() > revision);  // the users list shows it
    const auto state = store->two_factor(ana);
    CHECK(state->secret == "SECRETTWO");
    CHECK_FALSE(state->pending_secret);
    CHECK(state->last_step == 5);
    CHECK(state->recovery_codes_left == 3);
    CHECK(store->user(ana)->two_factor);
    CHECK(store->set_pending_two_factor(999, "X").error().code == store_error::kNotFound);
}

TEST_CASE_METHOD(StoreFixture, "a time step is used once: later steps only") {
    const UserId ana = add_user("ana@team.example");
    REQUIRE(store->set_pending_two_factor(ana, "S").ok());
    REQUIRE(store->confirm_two_factor(ana, "S", 100, {}).ok());
    CHECK(store->use_totp_step(ana, 100).error().code == store_error::kStale);
    CHECK(store->use_totp_step(ana, 99).error().code == store_error::kStale);
    REQUIRE(store->use_totp_step(ana, 101).ok());
    CHECK(store->use_totp_step(ana, 101).error().code == store_error::kStale);
    CHECK(store->two_factor(ana)->last_step == 101);
}

TEST_CASE_METHOD(StoreFixture, "a recovery code is used once") {
    const UserId ana = add_user("ana@team.example");
    const UserId bob = add_user("bob@team.example");
    REQUIRE(store->set_pending_two_factor(ana, "S").ok());
    REQUIRE(store->confirm_two_factor(ana, "S", 1, {"h1", "h2"}).ok());
    CHECK(store->use_recovery_code(bob, "h1", 10).error().code ==
          store_error::kStale);  // not bob's
    REQUIRE(store->use_recovery_code(ana, "h1", 10).ok());
    CHECK(store->use_recovery_code(ana, "h1", 11).error().code == store_error::kStale);
    CHECK(store->use_recovery_code(ana, "nope", 11).error().code == store_error::kStale);
    CHECK(store->two_factor(ana)->recovery_codes_left == 1);
}

TEST_CASE_METHOD(StoreFixture,
                 "turning two-factor off drops the secret, the codes and pending challenges") {
    const UserId ana = add_user("ana@team.example");
    REQUIRE(store->set_pending_two_factor(ana, "S").ok());
    REQUIRE(store->confirm_two_factor(ana, "S", 1, {"h1"}).ok());
    REQUIRE(store->add_login_challenge({"challenge", ana, 500}, 100).ok());
    REQUIRE(store->disable_two_factor(ana).ok());
    const auto state = store->two_factor(ana);
    CHECK_FALSE(state->secret);
    CHECK(state->recovery_codes_left == 0);
    CHECK_FALSE(store->user(ana)->two_factor);
    CHECK_FALSE(store->login_challenge("challenge"));
    CHECK(store->use_totp_step(ana, 5).error().code == store_error::kStale);  // no secret, no step
}

TEST_CASE_METHOD(
    StoreFixture,
    "sign-in challenges: kept until deleted, expired ones pruned when another is added") {
    const UserId ana = add_user("ana@team.example");
    REQUIRE(store->add_login_challenge({"old", ana, 200}, 100).ok());
    REQUIRE(store->add_login_challenge({"new", ana, 600}, 300).ok());  // "old" expired at 200
    CHECK_FALSE(store->login_challenge("old"));
    const auto c = store->login_challenge("new");
    REQUIRE(c);
    CHECK(c->user_id == ana);
    CHECK(c->expires_at == 600);
    REQUIRE(store->delete_login_challenge("new").ok());
    CHECK_FALSE(store->login_challenge("new"));
    CHECK(store->add_login_challenge({"x", 999, 600}, 300).error().code == store_error::kNotFound);
}

TEST_CASE_METHOD(StoreFixture,
                 "sessions keep their browser and address, and last seen is written once a minute") {
    const UserId ana = add_user("ana@team.example");
    REQUIRE(store->add_session(session_of(ana, "one", 1000)).ok());
    const auto s = store->session("one");
    REQUIRE(s);
    CHECK(s->user_agent == "Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0");
    CHECK(s->address == "198.51.100.7");
    CHECK(s->last_seen_at == 1000);  // a new session was seen when it started
    REQUIRE(store->touch_session("one", 1059).ok());
    CHECK(store->session("one")->last_seen_at == 1000);
    REQUIRE(store->touch_session("one", 1060).ok());
    CHECK(store->session("one")->last_seen_at == 1060);
}

TEST_CASE_METHOD(StoreFixture,
                 "a user's sessions: unexpired, most recently seen first, and ending all but one") {
    const UserId ana = add_user("ana@team.example");
    const UserId bob = add_user("bob@team.example");
    REQUIRE(store->add_session(session_of(ana, "a1", 1000)).ok());
    REQUIRE(store->add_session(session_of(ana, "a2", 2000)).ok());
    REQUIRE(store->add_session(session_of(ana, "a3", 100)).ok());  // expires at 3700
    REQUIRE(store->add_session(session_of(bob, "b1", 1500)).ok());
    REQUIRE(store->touch_session("a1", 2500).ok());
    auto list = store->user_sessions(ana, 3800);  // a3 expired at 3700
    REQUIRE(list.size() == 2);
    CHECK(list[0].token_hash == "a1");
    CHECK(list[1].token_hash == "a2");

    REQUIRE(store->delete_user_sessions_except(ana, "a2").ok());
    CHECK_FALSE(store->session("a1"));
    CHECK_FALSE(store->session("a3"));
    CHECK(store->session("a2"));
    CHECK(store->session("b1"));
}

TEST_CASE(
    "migration 7 gives existing users English and no two-factor, and sessions a last-seen time") {
    StoreFixture f;
    {
        // As a server before this change left it: schema version 6, Ana signed in.
        auto db = f.start_over_at(6);
        db->exec(
            "INSERT INTO users (email, name, role, password_hash, created_at) VALUES "
            "('ana@acme.example', 'Ana', 'admin', 'h', 10);"
            "INSERT INTO operator_sessions (token_hash, user_id, csrf_token, created_at, "
            "expires_at) VALUES "
            "('t1', 1, 'c', 100, 5000);");
    }
    f.reopen();
    const auto ana = f.store->user_by_email("ana@acme.example");
    REQUIRE(ana);
    CHECK(ana->language == "en");
    CHECK_FALSE(ana->two_factor);
    CHECK(f.store->two_factor(ana->id)->last_step == 0);
    const auto s = f.store->session("t1");
    REQUIRE(s);
    CHECK(s->last_seen_at == 100);
    CHECK(s->user_agent.empty());
    CHECK(s->address.empty());
}
