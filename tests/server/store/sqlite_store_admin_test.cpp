// The SQLite store for team administration: last sign-in, group ticket counts and what a
// group's deletion did, organization renames, the audit log's filters and keyset pages,
// and migration 5 on a database written before it.
#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "server/store/migrations.h"
#include "server/store/sqlite_db.h"
#include "server/store/store.h"
#include "tests/server/store/store_fixture.h"

using namespace helpline;
using namespace helpline::server;
using helpline::test::StoreFixture;

namespace {

AuditEntry entry(Timestamp at, const std::string& actor, const std::string& action,
                 std::optional<TicketNumber> ticket = std::nullopt) {
    return AuditEntry{0, at, actor, action, ticket, "", "", "{}"};
}

/// A session of `user` started at `at` (the other fields do not matter here).
OperatorSession session(const std::string& hash, UserId user, Timestamp at) {
    OperatorSession s;
    s.token_hash = hash;
    s.user_id = user;
    s.csrf_token = "csrf";
    s.created_at = at;
    s.expires_at = at + 3600;
    return s;
}

std::vector<std::string> actions(const std::vector<AuditEntry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(e.action);
    return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Last sign-in

TEST_CASE("a user's last sign-in is when their newest session started, and updates leave it") {
    StoreFixture f;
    const auto id = f.add_user("ana@acme.example");
    CHECK_FALSE(f.store->user(id)->last_sign_in_at);
    REQUIRE(f.store->add_session(session("hash-1", id, 5000)).ok());
    CHECK(f.store->user(id)->last_sign_in_at == 5000);
    REQUIRE(f.store->add_session(session("hash-2", id, 6000)).ok());
    CHECK(f.store->users().front().last_sign_in_at == 6000);
    // An update written from an older read keeps it: only sessions set it.
    auto u = *f.store->user(id);
    u.last_sign_in_at.reset();
    u.name = "Ana";
    REQUIRE(f.store->update_user(u).ok());
    CHECK(f.store->user_by_email("ana@acme.example")->last_sign_in_at == 6000);
    // A session that cannot be added (its user is gone) sets nothing.
    CHECK_FALSE(f.store->add_session(session("hash-3", 999, 7000)).ok());
    CHECK(f.store->user(id)->last_sign_in_at == 6000);
}

TEST_CASE("a sign-in is not a team change: it does not raise the team revision") {
    StoreFixture f;
    const auto id = f.add_user("ana@acme.example");
    const auto before = f.store->team_revision();
    REQUIRE(f.store->add_session(session("hash-1", id, 5000)).ok());
    CHECK(f.store->team_revision() == before);
}

// ---------------------------------------------------------------------------------------
// Groups

TEST_CASE("group ticket counts are open tickets and history per group, kept right by deletions") {
    StoreFixture f;
    f.add_group("helpdesk");
    f.add_group("billing");
    f.add_group("empty");
    const auto op = f.add_user("op@acme.example");
    f.submit_at(100, "helpdesk");
    f.submit_at(100, "helpdesk");
    const auto closed = f.submit_at(100, "helpdesk").number;
    f.submit_at(100, "billing");
    const auto b_closed = f.submit_at(100, "billing").number;
    f.submit_at(100);  // no group
    const auto old = f.submit_at(10, "billing").number;
    REQUIRE(f.store->close_ticket(closed, op, 200).ok());
    REQUIRE(f.store->close_ticket(b_closed, op, 200).ok());
    REQUIRE(f.store->expire_tickets(50, 300).size() == 1);  // `old`

    auto counts = f.store->group_ticket_counts();
    CHECK(counts["helpdesk"].open == 2);
    CHECK(counts["helpdesk"].history == 1);
    CHECK(counts["billing"].open == 1);
    CHECK(counts["billing"].history == 2);
    CHECK(counts.count("empty") == 0);
    CHECK(counts.count("") == 0);  // tickets without a group are no group's

    SECTION("deleting a group says how many tickets it unassigned and deleted") {
        const auto done = f.store->delete_group("billing");
        REQUIRE(done.ok());
        CHECK(done->unassigned == 1);
        CHECK(done->deleted_history == 2);
        CHECK_FALSE(f.store->ticket(old));
        CHECK_FALSE(f.store->ticket(b_closed));
        counts = f.store->group_ticket_counts();
        CHECK(counts.count("billing") == 0);
        CHECK(counts["helpdesk"].history == 1);
        // history_counts still agrees with history itself.
        const auto totals = f.store->history_counts(std::nullopt);
        CHECK(totals.closed == 1);
        CHECK(totals.expired == 0);
        CHECK(f.store->history({}).tickets.size() == 1);
        // The unassigned ticket is still open, now in no group.
        CHECK(f.store->open_tickets().size() == 4);
    }
    SECTION("deleting a group without tickets did nothing to any ticket") {
        const auto done = f.store->delete_group("empty");
        REQUIRE(done.ok());
        CHECK(done->unassigned == 0);
        CHECK(done->deleted_history == 0);
        CHECK(f.store->open_tickets().size() == 4);
    }
}

// ---------------------------------------------------------------------------------------
// Organizations

TEST_CASE("an organization is renamed by its domain in any case, an unknown one is not found") {
    StoreFixture f;
    REQUIRE(f.store->add_organization({"acme.example", "Acme"}).ok());
    const auto before = f.store->team_revision();
    REQUIRE(f.store->rename_organization("ACME.example", "Acme Corporation").ok());
    CHECK(f.store->team_revision() > before);
    REQUIRE(f.store->organizations().size() == 1);
    CHECK(f.store->organizations()[0].name == "Acme Corporation");
    const auto missing = f.store->rename_organization("globex.example", "Globex");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == store_error::kNotFound);
    CHECK(missing.error().message == "There is no organization with the domain \"globex.example\".");
}

TEST_CASE("publishing a profile raises the team revision (the groups it offers changed)") {
    StoreFixture f;
    const auto before = f.store->team_revision();
    REQUIRE(f.store->put_profile({"acme-support", 1, "{}", "key", 100}).ok());
    CHECK(f.store->team_revision() > before);
}

// ---------------------------------------------------------------------------------------
// Audit log

TEST_CASE("the audit log is filtered by actor, action, ticket and time, newest first") {
    StoreFixture f;
    REQUIRE(f.store->audit(entry(100, "user:1", "login")).ok());
    REQUIRE(f.store->audit(entry(200, "user:1", "ticket-updated", 1001)).ok());
    REQUIRE(f.store->audit(entry(300, "user:2", "ticket-updated", 1002)).ok());
    REQUIRE(f.store->audit(entry(400, "cli", "group-created")).ok());
    REQUIRE(f.store->audit(entry(500, "user:1", "closed", 1001)).ok());

    AuditFilter by_actor;
    by_actor.actor = "user:1";
    CHECK(actions(f.store->audit_page(by_actor).entries) ==
          std::vector<std::string>{"closed", "ticket-updated", "login"});
    AuditFilter by_action;
    by_action.action = "ticket-updated";
    const auto updated = f.store->audit_page(by_action).entries;
    REQUIRE(updated.size() == 2);
    CHECK(updated[0].ticket_number == 1002);
    CHECK(updated[1].ticket_number == 1001);
    AuditFilter by_ticket;
    by_ticket.ticket = 1001;
    CHECK(actions(f.store->audit_page(by_ticket).entries) == std::vector<std::string>{"closed", "ticket-updated"});
    AuditFilter by_time;
    by_time.from = 200;  // inclusive
    by_time.to = 400;    // exclusive
    CHECK(actions(f.store->audit_page(by_time).entries) ==
          std::vector<std::string>{"ticket-updated", "ticket-updated"});
    AuditFilter combined;
    combined.actor = "user:1";
    combined.action = "ticket-updated";
    combined.ticket = 1001;
    combined.from = 150;
    CHECK(f.store->audit_page(combined).entries.size() == 1);
    AuditFilter nothing;
    nothing.actor = "user:3";
    const auto empty = f.store->audit_page(nothing);
    CHECK(empty.entries.empty());
    CHECK_FALSE(empty.next);
}

TEST_CASE("audit pages follow each other without repeats or gaps, even as entries are added") {
    StoreFixture f;
    for (int i = 0; i < 25; ++i)
        REQUIRE(f.store->audit(entry(1000 + i, i % 2 == 0 ? "user:1" : "user:2", "login")).ok());
    AuditFilter filter;
    filter.limit = 10;
    std::vector<std::int64_t> seen;
    std::optional<std::int64_t> after;
    int pages = 0;
    do {
        filter.after = after;
        const auto page = f.store->audit_page(filter);
        for (const auto& e : page.entries) seen.push_back(e.id);
        after = page.next;
        ++pages;
        // Written between pages: newer than every page, so never in one that follows.
        REQUIRE(f.store->audit(entry(5000, "system", "expired")).ok());
    } while (after);
    CHECK(pages == 3);
    REQUIRE(seen.size() == 25);
    for (std::size_t i = 1; i < seen.size(); ++i) CHECK(seen[i] < seen[i - 1]);
    CHECK(std::set<std::int64_t>(seen.begin(), seen.end()).size() == 25);

    // A page that ends exactly at the last entry says there is no next one.
    AuditFilter exact;
    exact.actor = "user:1";  // 13 entries
    exact.limit = 13;
    const auto page = f.store->audit_page(exact);
    CHECK(page.entries.size() == 13);
    CHECK_FALSE(page.next);
    exact.limit = 12;
    CHECK(f.store->audit_page(exact).next == f.store->audit_page(exact).entries.back().id);
}

// ---------------------------------------------------------------------------------------
// Migration 5

TEST_CASE("migration 5 fills each user's last sign-in from the audit log's sign-ins") {
    StoreFixture f;
    {
        // As a server before this change left it: schema version 4, two sign-ins of Ana.
        auto db = f.start_over_at(4);
        db->exec(
            "INSERT INTO users (email, name, role, password_hash, created_at) VALUES "
            "('ana@acme.example', 'Ana', 'admin', 'h', 10), ('bo@acme.example', 'Bo', 'operator', 'h', 10);"
            "INSERT INTO audit_log (at, actor, action, request_id, session_id, detail) VALUES "
            "(100, 'user:1', 'login', '', '', '{}'), (300, 'user:1', 'login', '', '', '{}'),"
            "(400, 'user:1', 'logout', '', '', '{}'), (500, 'user:12', 'login', '', '', '{}');");
    }
    f.reopen();
    const auto ana = f.store->user_by_email("ana@acme.example");
    REQUIRE(ana);
    CHECK(ana->last_sign_in_at == 300);
    // Bo never signed in ("user:12" is someone else, not a prefix match of "user:1").
    CHECK_FALSE(f.store->user_by_email("bo@acme.example")->last_sign_in_at);
    AuditFilter logins;
    logins.action = "login";
    CHECK(f.store->audit_page(logins).entries.size() == 3);
}
