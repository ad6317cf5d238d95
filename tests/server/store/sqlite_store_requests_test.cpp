// The SQLite store: connection requests (compare-and-set transitions, expiry) and device
// events (ordering, pruning).
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "server/store/migrations.h"
#include "server/store/sqlite_db.h"
#include "tests/server/store/store_fixture.h"

using namespace helpline;
using namespace helpline::server;
using helpline::test::new_request;
using helpline::test::StoreFixture;

// ---------------------------------------------------------------------------------------
// Connection requests

namespace {

/// The fixture's database started over at schema `version`, as an older server left it,
/// with one operator, one device and ticket 1001 for requests to refer to.
std::unique_ptr<Db> database_at(StoreFixture& f, int version) {
    auto db = f.start_over_at(version);
    db->exec(
        "INSERT INTO users (id, email, name, role, password_hash, created_at) "
        "VALUES (1, 'op@acme.example', 'Op', 'operator', 'x', 100);"
        "INSERT INTO devices VALUES ('dev1', 'h', 'demo', 'pc', 'linux', '1', 100, 100);"
        "INSERT INTO tickets (number, device_id, email, subject, description, priority, status, "
        "created_at, updated_at) VALUES (1001, 'dev1', 'a@b.example', '', 'd', 'medium', 'open', "
        "1000, 1000);");
    return db;
}

}  // namespace

TEST_CASE("a connection request is stored and found by id and, once accepted, by session") {
    StoreFixture f;
    f.add_device("dev1");
    const auto op = f.add_user("op@acme.example");
    const auto n = f.submit_at(1000).number;
    REQUIRE(f.store->add_connection_request(new_request("r1", n, op)).ok());
    const auto r = f.store->connection_request("r1");
    REQUIRE(r);
    CHECK(r->state == RequestState::pending);
    CHECK(r->ticket_number == n);
    CHECK(r->operator_id == op);
    CHECK(r->expires_at == 2000);
    CHECK_FALSE(r->session_id);
    CHECK_FALSE(f.store->connection_request("r2"));

    CHECK(f.store->add_connection_request(new_request("r1", n, op)).error().code ==
          store_error::kConflict);
    CHECK(f.store->add_connection_request(new_request("r2", 9999, op)).error().code ==
          store_error::kNotFound);
    CHECK(f.store->add_connection_request(new_request("r2", n, 4242)).error().code ==
          store_error::kNotFound);
    auto other_device = new_request("r2", n, op);
    other_device.device_id = "ghost";
    CHECK(f.store->add_connection_request(other_device).error().code == store_error::kNotFound);
}

TEST_CASE("a transition writes every mutable field when the state is as expected") {
    StoreFixture f;
    f.add_device("dev1");
    const auto op = f.add_user("op@acme.example");
    const auto n = f.submit_at(1000).number;
    REQUIRE(f.store->add_connection_request(new_request("r1", n, op)).ok());

    auto accepted = *f.store->connection_request("r1");
    accepted.state = RequestState::accepted;
    accepted.answered_at = 1010;
    accepted.session_id = "sess-1";
    accepted.relay_token_hash = "relay-hash";
    accepted.vnc_password = "secret";
    REQUIRE(f.store->transition_request(accepted, RequestState::pending).ok());
    const auto stored = f.store->request_by_session("sess-1");
    REQUIRE(stored);
    CHECK(stored->id == "r1");
    CHECK(stored->state == RequestState::accepted);
    CHECK(stored->answered_at == 1010);
    CHECK(stored->relay_token_hash == "relay-hash");
    CHECK(stored->vnc_password == "secret");

    auto ended = *stored;
    ended.state = RequestState::ended;
    ended.ended_at = 1100;
    ended.relay_token_hash.reset();
    ended.vnc_password.reset();
    REQUIRE(f.store->transition_request(ended, RequestState::accepted).ok());
    const auto last = f.store->connection_request("r1");
    CHECK(last->state == RequestState::ended);
    CHECK(last->ended_at == 1100);
    CHECK_FALSE(last->vnc_password);
    CHECK_FALSE(last->relay_token_hash);
    CHECK(last->session_id == "sess-1");

    auto stale = f.store->transition_request(accepted, RequestState::pending);
    CHECK(stale.error().code == store_error::kStale);
    CHECK(stale.error().message == "The connection request \"r1\" is already ended.");
    auto unknown = accepted;
    unknown.id = "r9";
    auto missing = f.store->transition_request(unknown, RequestState::pending);
    CHECK(missing.error().code == store_error::kNotFound);
    CHECK(missing.error().message == "There is no connection request \"r9\".");
}

TEST_CASE("the VNC password is kept only while the session is accepted") {
    StoreFixture f;
    f.add_device("dev1");
    const auto op = f.add_user("op@acme.example");
    const auto n = f.submit_at(1000).number;
    REQUIRE(f.store->add_connection_request(new_request("r1", n, op)).ok());
    auto accepted = *f.store->connection_request("r1");
    accepted.state = RequestState::accepted;
    accepted.session_id = "sess-1";
    accepted.vnc_password = "secret";
    REQUIRE(f.store->transition_request(accepted, RequestState::pending).ok());
    CHECK(f.store->connection_request("r1")->vnc_password == "secret");

    // A caller that carries the password over into the ended state still loses it.
    auto ended = accepted;
    ended.state = RequestState::ended;
    ended.ended_at = 1100;
    REQUIRE(f.store->transition_request(ended, RequestState::accepted).ok());
    CHECK_FALSE(f.store->connection_request("r1")->vnc_password);

    auto declined = new_request("r2", n, op);
    declined.state = RequestState::declined;
    declined.vnc_password = "never-stored";
    REQUIRE(f.store->add_connection_request(declined).ok());
    CHECK_FALSE(f.store->connection_request("r2")->vnc_password);
}

TEST_CASE("a declined request keeps why it was declined, and no other state has a reason") {
    StoreFixture f;
    f.add_device("dev1");
    const auto op = f.add_user("op@acme.example");
    const auto n = f.submit_at(1000).number;
    for (const char* id : {"dialog", "nothing", "plain", "accepted"})
        REQUIRE(f.store->add_connection_request(new_request(id, n, op)).ok());
    CHECK_FALSE(f.store->connection_request("dialog")->decline_reason);

    const auto decline = [&](const char* id, std::optional<DeclineReason> reason) {
        auto r = *f.store->connection_request(id);
        r.state = RequestState::declined;
        r.answered_at = 1010;
        r.decline_reason = reason;
        REQUIRE(f.store->transition_request(r, RequestState::pending).ok());
    };
    decline("dialog", DeclineReason::desktop_dialog);
    decline("nothing", DeclineReason::no_backend);
    decline("plain", std::nullopt);  // a caller that says nothing: the customer's No
    // A reason carried into another state is not kept.
    auto accepted = *f.store->connection_request("accepted");
    accepted.state = RequestState::accepted;
    accepted.session_id = "sess-1";
    accepted.decline_reason = DeclineReason::no_backend;
    REQUIRE(f.store->transition_request(accepted, RequestState::pending).ok());

    f.reopen();
    CHECK(f.store->connection_request("dialog")->decline_reason == DeclineReason::desktop_dialog);
    CHECK(f.store->connection_request("nothing")->decline_reason == DeclineReason::no_backend);
    CHECK(f.store->connection_request("plain")->decline_reason == DeclineReason::customer);
    CHECK_FALSE(f.store->connection_request("accepted")->decline_reason);
    auto db = f.raw();
    CHECK(db->query_int64("SELECT COUNT(*) FROM connection_requests WHERE decline_reason IS NULL") == 1);
    CHECK(db->query_int64(
              "SELECT COUNT(*) FROM connection_requests WHERE id = 'plain' AND decline_reason = 'customer'") == 1);
    // The schema refuses a reason it does not know.
    CHECK_THROWS_AS(db->exec("UPDATE connection_requests SET decline_reason = 'bored' WHERE id = 'plain'"),
                    DbException);
}

TEST_CASE("migration 8 keeps every request and reads those declined before it as the customer's") {
    StoreFixture f;
    {
        // As a server before this change left it: schema version 7, one request in each
        // state an answer can leave.
        auto db = database_at(f, 7);
        db->exec(
            "INSERT INTO connection_requests (id, ticket_number, device_id, operator_id, state, created_at, "
            "expires_at, answered_at, session_id, vnc_password, ended_at) VALUES "
            "('waiting', 1001, 'dev1', 1, 'pending', 1000, 2000, NULL, NULL, NULL, NULL),"
            "('refused', 1001, 'dev1', 1, 'declined', 1000, 2000, 1010, NULL, NULL, NULL),"
            "('live', 1001, 'dev1', 1, 'accepted', 1000, 2000, 1010, 's-live', 'still-needed', NULL),"
            "('over', 1001, 'dev1', 1, 'ended', 1000, 2000, 1010, 's-over', NULL, 1100);");
    }
    f.reopen();
    CHECK(f.raw()->schema_version() == sqlite_migrations().back().version);
    CHECK(f.raw()->query_int64("SELECT COUNT(*) FROM connection_requests") == 4);
    const auto refused = f.store->connection_request("refused");
    REQUIRE(refused);
    CHECK(refused->state == RequestState::declined);
    CHECK(refused->answered_at == 1010);
    CHECK(refused->decline_reason == DeclineReason::customer);
    CHECK(f.raw()->query_int64(
              "SELECT COUNT(*) FROM connection_requests WHERE decline_reason IS NOT NULL") == 1);
    const auto live = f.store->connection_request("live");
    REQUIRE(live);
    CHECK(live->vnc_password == "still-needed");
    CHECK_FALSE(live->decline_reason);
    CHECK(f.store->connection_request("over")->ended_at == 1100);
    CHECK(f.store->pending_requests("dev1", 1500).size() == 1);
    // The version 8 database takes a reason at once.
    auto waiting = *f.store->connection_request("waiting");
    waiting.state = RequestState::declined;
    waiting.decline_reason = DeclineReason::desktop_dialog;
    REQUIRE(f.store->transition_request(waiting, RequestState::pending).ok());
    CHECK(f.store->connection_request("waiting")->decline_reason == DeclineReason::desktop_dialog);
}

TEST_CASE("migration 2 clears VNC passwords a database kept for sessions no longer accepted") {
    StoreFixture f;
    {
        // As a server before this change left it: schema version 1, a password kept in an
        // ended session and one in an accepted session.
        auto db = database_at(f, 1);
        db->exec(
            "INSERT INTO connection_requests (id, ticket_number, device_id, operator_id, state, created_at, "
            "expires_at, session_id, vnc_password) VALUES "
            "('live', 1001, 'dev1', 1, 'accepted', 1000, 2000, 's-live', 'still-needed'),"
            "('over', 1001, 'dev1', 1, 'ended', 1000, 2000, 's-over', 'left-behind');");
    }
    f.reopen();
    CHECK_FALSE(f.store->connection_request("over")->vnc_password);
    CHECK(f.store->connection_request("live")->vnc_password == "still-needed");
    CHECK(f.raw()->schema_version() == sqlite_migrations().back().version);
}

TEST_CASE("migration 3 gives handlers their ticket's close time, so history finds them") {
    StoreFixture f;
    {
        // A version 2 database: a closed ticket its operator handled, an open one.
        auto db = f.start_over_at(2);
        db->exec(
            "INSERT INTO users (id, email, name, role, password_hash, created_at) "
            "VALUES (1, 'op@acme.example', 'Op', 'operator', 'x', 100);"
            "INSERT INTO tickets (number, email, subject, description, priority, operator_id, status, "
            "created_at, updated_at, closed_at, closed_by) VALUES "
            "(1001, 'a@b.example', '', 'd', 'medium', 1, 'closed', 1000, 1500, 1500, 1),"
            "(1002, 'a@b.example', '', 'd', 'medium', 1, 'open', 1100, 1100, NULL, NULL);"
            "INSERT INTO ticket_handlers (ticket_number, user_id) VALUES (1001, 1), (1002, 1);");
    }
    f.reopen();
    HistoryFilter mine;
    mine.visible_to = 1;
    const auto page = f.store->history(mine);
    REQUIRE(page.tickets.size() == 1);
    CHECK(page.tickets[0].number == 1001);
    CHECK(page.tickets[0].closed_at == 1500);
    // Assigned before the version that records it: the time is unknown, not made up.
    CHECK_FALSE(f.store->ticket(1002)->assigned_at);
    CHECK(f.store->queue(1).size() == 1);
}

TEST_CASE("migration 4 counts the history a database already holds") {
    StoreFixture f;
    {
        auto db = f.start_over_at(3);
        db->exec(
            "INSERT INTO team_groups (id, name) VALUES ('helpdesk', 'Help desk');"
            "INSERT INTO tickets (number, email, subject, description, priority, group_id, status, "
            "created_at, updated_at, closed_at) VALUES "
            "(1001, 'a@b.example', '', 'd', 'medium', 'helpdesk', 'closed', 1000, 1500, 1500),"
            "(1002, 'a@b.example', '', 'd', 'medium', 'helpdesk', 'expired', 1000, 1500, 1500),"
            "(1003, 'a@b.example', '', 'd', 'medium', NULL, 'closed', 1000, 1500, 1500),"
            "(1004, 'a@b.example', '', 'd', 'medium', 'helpdesk', 'open', 1000, 1000, NULL);");
    }
    f.reopen();
    const auto counts = f.store->history_counts(std::nullopt);
    CHECK(counts.closed == 2);
    CHECK(counts.expired == 1);
}

TEST_CASE("of twenty concurrent answers to one request exactly one wins") {
    StoreFixture f;
    f.add_device("dev1");
    const auto op = f.add_user("op@acme.example");
    const auto n = f.submit_at(1000).number;
    REQUIRE(f.store->add_connection_request(new_request("r1", n, op)).ok());
    const auto pending = *f.store->connection_request("r1");

    constexpr int kThreads = 20;
    std::vector<std::string> codes(kThreads);
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&, i] {
            auto answer = pending;
            answer.state = i % 2 == 0 ? RequestState::accepted : RequestState::declined;
            answer.answered_at = 1000 + i;
            if (answer.state == RequestState::accepted) answer.session_id = "s" + std::to_string(i);
            while (!go) std::this_thread::yield();
            auto r = f.store->transition_request(answer, RequestState::pending);
            codes[static_cast<std::size_t>(i)] = r ? "ok" : r.error().code;
        });
    }
    go = true;
    for (auto& t : threads) t.join();

    CHECK(std::count(codes.begin(), codes.end(), "ok") == 1);
    CHECK(std::count(codes.begin(), codes.end(), store_error::kStale) == kThreads - 1);
    const auto winner =
        static_cast<int>(std::find(codes.begin(), codes.end(), "ok") - codes.begin());
    const auto stored = f.store->connection_request("r1");
    CHECK(stored->answered_at == 1000 + winner);
}

TEST_CASE("pending requests are those not answered and not yet expired") {
    StoreFixture f;
    f.add_device("dev1");
    f.add_device("dev2");
    const auto op = f.add_user("op@acme.example");
    const auto n = f.submit_at(1000).number;
    REQUIRE(f.store->add_connection_request(new_request("live", n, op, 2000)).ok());
    REQUIRE(f.store->add_connection_request(new_request("old", n, op, 1500)).ok());
    auto answered = new_request("answered", n, op, 2000);
    answered.state = RequestState::declined;
    REQUIRE(f.store->add_connection_request(answered).ok());
    auto other = new_request("other", n, op, 2000);
    other.device_id = "dev2";
    REQUIRE(f.store->add_connection_request(other).ok());

    const auto pending = f.store->pending_requests("dev1", 1500);
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].id == "live");
    CHECK(f.store->pending_requests("dev1", 1499).size() == 2);

    const auto expired = f.store->expire_requests(1500);
    REQUIRE(expired.size() == 1);
    CHECK(expired[0].id == "old");
    CHECK(expired[0].state == RequestState::expired);
    CHECK(f.store->connection_request("old")->state == RequestState::expired);
    CHECK(f.store->connection_request("answered")->state == RequestState::declined);
    CHECK(f.store->connection_request("live")->state == RequestState::pending);
    CHECK(f.store->expire_requests(1500).empty());
}

TEST_CASE("closing a ticket cancels its pending requests in the same transaction") {
    StoreFixture f;
    f.add_device("dev1");
    const auto op = f.add_user("op@acme.example");
    const auto n = f.submit_at(1000).number;
    const auto other = f.submit_at(1000).number;
    REQUIRE(f.store->add_connection_request(new_request("waiting", n, op)).ok());
    REQUIRE(f.store->add_connection_request(new_request("waiting-too", n, op)).ok());
    auto accepted = new_request("accepted", n, op);
    accepted.state = RequestState::accepted;
    accepted.session_id = "sess-1";
    REQUIRE(f.store->add_connection_request(accepted).ok());
    REQUIRE(f.store->add_connection_request(new_request("elsewhere", other, op)).ok());

    const auto closed = f.store->close_ticket(n, op, 1500);
    REQUIRE(closed.ok());
    REQUIRE(closed->cancelled.size() == 2);
    CHECK(closed->cancelled[0].id == "waiting");
    CHECK(closed->cancelled[1].id == "waiting-too");
    CHECK(closed->cancelled[0].state == RequestState::cancelled);
    CHECK(closed->cancelled[0].ended_at == 1500);
    CHECK(f.store->connection_request("waiting")->state == RequestState::cancelled);
    CHECK(f.store->connection_request("waiting")->ended_at == 1500);
    // A session already under way is the operator's to end; another ticket's request stays.
    CHECK(f.store->connection_request("accepted")->state == RequestState::accepted);
    CHECK(f.store->connection_request("elsewhere")->state == RequestState::pending);
    CHECK(f.store->pending_requests("dev1", 1500).size() == 1);
    // Cancelled is final: the compare-and-set of an answer fails.
    auto answer = *f.store->connection_request("waiting");
    answer.state = RequestState::accepted;
    CHECK(f.store->transition_request(answer, RequestState::pending).error().code ==
          store_error::kStale);
}

TEST_CASE("expiring a ticket cancels its pending requests and returns them with it") {
    StoreFixture f;
    f.add_device("dev1");
    const auto op = f.add_user("op@acme.example");
    const auto old = f.submit_at(100).number;
    const auto fresh = f.submit_at(900).number;
    REQUIRE(f.store->add_connection_request(new_request("on-old", old, op, 99999)).ok());
    REQUIRE(f.store->add_connection_request(new_request("on-fresh", fresh, op, 99999)).ok());

    const auto expired = f.store->expire_tickets(500, 1000);
    REQUIRE(expired.size() == 1);
    CHECK(expired[0].ticket.number == old);
    REQUIRE(expired[0].cancelled.size() == 1);
    CHECK(expired[0].cancelled[0].id == "on-old");
    CHECK(f.store->connection_request("on-old")->state == RequestState::cancelled);
    CHECK(f.store->connection_request("on-fresh")->state == RequestState::pending);
    CHECK(f.store->count_pending_requests(1000) == 1);
}

// ---------------------------------------------------------------------------------------
// Device events

TEST_CASE("events get increasing ids and are read after an id in order, per device") {
    StoreFixture f;
    f.add_device("dev1");
    f.add_device("dev2");
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 5; ++i) {
        auto id = f.store->append_event(
            {0, "dev1", "ticket-updated", "{\"i\":" + std::to_string(i) + "}", 100 + i});
        REQUIRE(id.ok());
        ids.push_back(*id);
        REQUIRE(f.store->append_event({0, "dev2", "connection-request", "{}", 100 + i}).ok());
    }
    CHECK(std::is_sorted(ids.begin(), ids.end()));
    CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());

    const auto after = f.store->events_after("dev1", ids[1], 10);
    REQUIRE(after.size() == 3);
    CHECK(after[0].id == ids[2]);
    CHECK(after[0].data == "{\"i\":2}");
    CHECK(after[0].type == "ticket-updated");
    CHECK(after[0].device_id == "dev1");
    CHECK(after[0].created_at == 102);
    CHECK(after[2].id == ids[4]);
    CHECK(f.store->events_after("dev1", 0, 2).size() == 2);
    CHECK(f.store->events_after("dev1", ids[4], 10).empty());

    auto unknown = f.store->append_event({0, "ghost", "x", "{}", 1});
    CHECK(unknown.error().code == store_error::kNotFound);
}

TEST_CASE("pruned events are gone and their ids are never handed out again") {
    StoreFixture f;
    f.add_device("dev1");
    const auto first = f.store->append_event({0, "dev1", "a", "{}", 100});
    const auto second = f.store->append_event({0, "dev1", "b", "{}", 200});
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    REQUIRE(f.store->prune_events(150).ok());
    const auto left = f.store->events_after("dev1", 0, 10);
    REQUIRE(left.size() == 1);
    CHECK(left[0].id == *second);
    REQUIRE(f.store->prune_events(1000).ok());
    f.reopen();
    const auto third = f.store->append_event({0, "dev1", "c", "{}", 300});
    REQUIRE(third.ok());
    CHECK(*third > *second);
}
