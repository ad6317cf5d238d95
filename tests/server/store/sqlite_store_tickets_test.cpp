// The SQLite store: tickets (idempotent submission, queue, history, expiry, group
// deletion). Connection requests and device events are in sqlite_store_requests_test.cpp.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "server/store/sqlite_db.h"
#include "server/store/sql_store.h"
#include "tests/server/store/store_fixture.h"

using namespace helpline;
using namespace helpline::server;
using helpline::test::new_request;
using helpline::test::StoreFixture;

namespace {

NewTicket new_ticket(const std::string& device_id = "") {
    NewTicket t;
    t.device_id = device_id;
    t.email = "customer@acme.example";
    t.subject = "Printer";
    t.description = "The printer is on fire.";
    t.priority = Priority::high;
    t.created_at = 1000;
    return t;
}

std::vector<TicketNumber> numbers(const std::vector<Ticket>& tickets) {
    std::vector<TicketNumber> out;
    out.reserve(tickets.size());
    for (const auto& t : tickets) out.push_back(t.number);
    return out;
}

std::vector<TicketNumber> numbers(const HistoryPage& page) {
    return numbers(page.tickets);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Submission

TEST_CASE("the first ticket is number 1001 and later ones count up") {
    StoreFixture f;
    f.add_device("dev1");
    auto r = f.store->submit_ticket(new_ticket("dev1"), "k1", "h1");
    REQUIRE(r.ok());
    CHECK(r->created);
    CHECK(r->ticket.number == 1001);
    CHECK(r->ticket.status == TicketStatus::open);
    CHECK(r->ticket.device_id == "dev1");
    CHECK(r->ticket.priority == Priority::high);
    CHECK(r->ticket.updated_at == 1000);
    CHECK(f.submit(new_ticket(), "k2").number == 1002);

    const auto stored = f.store->ticket(1001);
    REQUIRE(stored);
    CHECK(stored->email == "customer@acme.example");
    CHECK(stored->subject == "Printer");
    CHECK(stored->description == "The printer is on fire.");
    CHECK(stored->priority == Priority::high);
    CHECK_FALSE(stored->group_id);
    CHECK_FALSE(stored->operator_id);
    CHECK_FALSE(stored->closed_at);
    CHECK(stored->handled_by.empty());
    CHECK_FALSE(f.store->ticket(999));
}

TEST_CASE("a retried submission with the same key returns the first ticket") {
    StoreFixture f;
    f.add_device("dev1");
    auto first = f.store->submit_ticket(new_ticket("dev1"), "key", "hash");
    auto again = f.store->submit_ticket(new_ticket("dev1"), "key", "hash");
    REQUIRE(first.ok());
    REQUIRE(again.ok());
    CHECK(first->created);
    CHECK_FALSE(again->created);
    CHECK(again->ticket.number == first->ticket.number);
    CHECK(again->ticket.email == first->ticket.email);
    CHECK(f.store->count_open_tickets() == 1);
}

TEST_CASE("the same key with another body is an idempotency mismatch") {
    StoreFixture f;
    REQUIRE(f.store->submit_ticket(new_ticket(), "key", "hash-a").ok());
    auto r = f.store->submit_ticket(new_ticket(), "key", "hash-b");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == store_error::kIdempotencyMismatch);
    CHECK(f.store->count_open_tickets() == 1);
}

TEST_CASE("the same key from another device is another submission") {
    StoreFixture f;
    f.add_device("dev1");
    f.add_device("dev2");
    auto a = f.store->submit_ticket(new_ticket("dev1"), "key", "hash");
    auto b = f.store->submit_ticket(new_ticket("dev2"), "key", "hash");
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(b->created);
    CHECK(a->ticket.number != b->ticket.number);
}

TEST_CASE("fifty concurrent submissions with the same key create exactly one ticket") {
    StoreFixture f;
    f.add_device("dev1");
    constexpr int kThreads = 50;
    std::vector<std::optional<SubmitResult>> results(kThreads);
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&, i] {
            while (!go) std::this_thread::yield();
            auto r = f.store->submit_ticket(new_ticket("dev1"), "same-key", "same-hash");
            if (r) results[static_cast<std::size_t>(i)] = *r;
        });
    }
    go = true;
    for (auto& t : threads) t.join();

    int created = 0;
    std::set<TicketNumber> seen;
    for (const auto& r : results) {
        REQUIRE(r);
        created += r->created ? 1 : 0;
        seen.insert(r->ticket.number);
    }
    CHECK(created == 1);
    CHECK(seen.size() == 1);
    CHECK(f.store->count_open_tickets() == 1);
}

TEST_CASE("concurrent submissions through two connections to one file create one ticket") {
    // Two servers (or a server and the CLI) on the same file: the write lock, not the
    // store's mutex, is what keeps the key unique here.
    StoreFixture f;
    f.add_device("dev1");
    auto second = helpline::test::open_store(f.path);
    constexpr int kThreads = 20;
    std::vector<std::optional<SubmitResult>> results(kThreads);
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int i = 0; i < kThreads; ++i) {
        Store& store = i % 2 == 0 ? *f.store : *second;
        threads.emplace_back([&, i] {
            auto r = store.submit_ticket(new_ticket("dev1"), "same-key", "same-hash");
            if (r) results[static_cast<std::size_t>(i)] = *r;
        });
    }
    for (auto& t : threads) t.join();
    int created = 0;
    for (const auto& r : results) {
        REQUIRE(r);
        created += r->created ? 1 : 0;
    }
    CHECK(created == 1);
    CHECK(f.store->count_open_tickets() == 1);
}

TEST_CASE("concurrent submissions with different keys each get a number of their own") {
    StoreFixture f;
    constexpr int kThreads = 30;
    std::vector<TicketNumber> got(kThreads, 0);
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&, i] {
            auto r = f.store->submit_ticket(new_ticket(), "key-" + std::to_string(i), "h");
            if (r) got[static_cast<std::size_t>(i)] = r->ticket.number;
        });
    }
    for (auto& t : threads) t.join();
    std::sort(got.begin(), got.end());
    for (int i = 0; i < kThreads; ++i) CHECK(got[static_cast<std::size_t>(i)] == 1001 + i);
}

TEST_CASE("submissions that wait for a commit share the next one, and each fails or succeeds alone") {
    StoreFixture f;
    f.add_group("helpdesk");
    auto& sqlite = dynamic_cast<SqlStore&>(*f.store);
    REQUIRE(f.submit(new_ticket(), "before").number == 1001);
    const auto commits_before = sqlite.submission_commits();

    // The first submission holds its commit open until the seven others are queued behind
    // it; they then go to disk together, in one transaction.
    constexpr int kWaiting = 7;
    std::atomic<bool> holding{false};
    std::atomic<bool> queue_full{false};
    const std::function<bool()> hold = [&] {
        holding = true;
        queue_full = helpline::test::wait_for(
            [&] { return sqlite.queued_submissions() == kWaiting; }, std::chrono::seconds(10));
        return true;
    };
    const std::function<bool()> refuse = [] { return false; };
    const std::function<bool()> fail = []() -> bool {
        throw DbException(make_error(store_error::kIo, "disk said no"));
    };
    std::vector<std::optional<Result<SubmitResult>>> results(kWaiting + 1);
    std::thread leader([&] { results[0] = f.store->submit_ticket(new_ticket(), "k0", "h", hold); });
    REQUIRE(helpline::test::wait_for([&] { return holding.load(); }, std::chrono::seconds(10)));
    std::vector<std::thread> waiting;
    for (int i = 1; i <= kWaiting; ++i) {
        waiting.emplace_back([&, i] {
            auto t = new_ticket();
            std::function<bool()> may_create;
            if (i == 2) t.group_id = "sales";  // unknown group: not found
            if (i == 3) may_create = refuse;   // rate-limited
            if (i == 4) may_create = fail;     // fails inside its savepoint
            const std::string key = i == 5 ? "before" : "k" + std::to_string(i);  // 5: a retry
            const std::string hash = i == 5 ? "hash-before" : "h";
            results[static_cast<std::size_t>(i)] = f.store->submit_ticket(t, key, hash, may_create);
        });
    }
    leader.join();
    for (auto& t : waiting) t.join();
    CHECK(queue_full);
    CHECK(sqlite.submission_commits() == commits_before + 2);

    for (const auto& r : results) REQUIRE(r);
    CHECK((*results[0])->created);
    CHECK((*results[2]).error().code == store_error::kNotFound);
    CHECK((*results[3]).error().code == store_error::kRefused);
    CHECK((*results[4]).error().message == "disk said no");
    CHECK_FALSE((*results[5])->created);
    CHECK((*results[5])->ticket.number == 1001);
    // Three new tickets in the shared commit, numbered without gaps: the failed ones
    // took no number.
    std::vector<TicketNumber> created;
    for (int i : {1, 6, 7}) {
        REQUIRE(*results[static_cast<std::size_t>(i)]);
        CHECK((*results[static_cast<std::size_t>(i)])->created);
        created.push_back((*results[static_cast<std::size_t>(i)])->ticket.number);
    }
    std::sort(created.begin(), created.end());
    CHECK(created == std::vector<TicketNumber>{1003, 1004, 1005});
    CHECK(f.store->count_open_tickets() == 5);
    f.reopen();  // and all of it is on disk
    CHECK(f.store->count_open_tickets() == 5);
    CHECK(f.store->ticket(1005).has_value());
}

TEST_CASE("the write-ahead log is copied into the database by the background thread", "[sqlite]") {
    StoreFixture f;
    auto& sqlite = dynamic_cast<SqlStore&>(*f.store);
    CHECK(sqlite.background_checkpoints() == 0);
    const auto size_before = std::filesystem::file_size(f.path);
    // Each submission adds a few pages to the log; 200 of them pass the wake-up mark.
    for (int i = 0; i < 200; ++i) f.submit(new_ticket(), "key-" + std::to_string(i));
    CHECK(helpline::test::wait_for([&] { return sqlite.background_checkpoints() > 0; }));
    // The tickets' pages reached the database file itself, while the store is open (SQLite
    // would also checkpoint when the last connection closes).
    CHECK(std::filesystem::file_size(f.path) > size_before);
    CHECK(std::filesystem::exists(f.path + "-wal"));
}

TEST_CASE("a submission naming an unknown group or device is not found and stores nothing") {
    StoreFixture f;
    auto t = new_ticket();
    t.group_id = "sales";
    auto r = f.store->submit_ticket(t, "k1", "h");
    CHECK(r.error().code == store_error::kNotFound);
    CHECK(r.error().message == "There is no group \"sales\".");
    auto d = f.store->submit_ticket(new_ticket("ghost"), "k2", "h");
    CHECK(d.error().code == store_error::kNotFound);
    CHECK(d.error().message == "There is no device \"ghost\".");
    CHECK(f.store->count_open_tickets() == 0);
    // The failed attempts took no number.
    CHECK(f.submit(new_ticket(), "k3").number == 1001);
}

TEST_CASE("ticket numbers are not reused after the newest tickets are deleted") {
    StoreFixture f;
    f.add_group("sales");
    const auto op = f.add_user("op@acme.example");
    const auto t = f.submit_at(1000, "sales");
    REQUIRE(f.store->close_ticket(t.number, op, 1100).ok());
    REQUIRE(f.store->delete_group("sales").ok());
    REQUIRE_FALSE(f.store->ticket(t.number));
    CHECK(f.submit_at(1200).number == t.number + 1);
}

// ---------------------------------------------------------------------------------------
// Queue, changes, closing

TEST_CASE("open tickets come most urgent first, then longest waiting") {
    StoreFixture f;
    auto submit = [&](Priority p, Timestamp at, const std::string& key) {
        auto t = new_ticket();
        t.priority = p;
        t.created_at = at;
        return f.submit(t, key).number;
    };
    const auto low_old = submit(Priority::low, 100, "a");
    const auto urgent_new = submit(Priority::urgent, 300, "b");
    const auto medium = submit(Priority::medium, 200, "c");
    const auto urgent_old = submit(Priority::urgent, 150, "d");
    const auto closed = submit(Priority::urgent, 50, "e");
    const auto op = f.add_user("op@acme.example");
    REQUIRE(f.store->close_ticket(closed, op, 400).ok());
    CHECK(numbers(f.store->open_tickets()) ==
          std::vector<TicketNumber>{urgent_old, urgent_new, medium, low_old});
    CHECK(f.store->count_open_tickets() == 4);
}

TEST_CASE("updating a ticket changes priority, group and operator, and its updated_at") {
    StoreFixture f;
    f.add_group("helpdesk");
    const auto op = f.add_user("op@acme.example");
    const auto n = f.submit_at(1000).number;

    TicketChanges changes;
    changes.priority = Priority::urgent;
    changes.group_id = std::optional<std::string>("helpdesk");
    changes.operator_id = std::optional<UserId>(op);
    auto r = f.store->update_ticket(n, changes, 1500);
    REQUIRE(r.ok());
    CHECK(r->priority == Priority::urgent);
    CHECK(r->group_id == "helpdesk");
    CHECK(r->operator_id == op);
    CHECK(r->updated_at == 1500);
    CHECK(r->created_at == 1000);
    // Being assigned counts as handling it.
    CHECK(r->handled_by == std::vector<UserId>{op});

    SECTION("fields left out are unchanged; an inner nullopt unassigns") {
        TicketChanges unassign;
        unassign.operator_id = std::optional<UserId>();
        auto u = f.store->update_ticket(n, unassign, 1600);
        REQUIRE(u.ok());
        CHECK_FALSE(u->operator_id);
        CHECK(u->group_id == "helpdesk");
        CHECK(u->priority == Priority::urgent);
        CHECK(u->updated_at == 1600);
        TicketChanges no_group;
        no_group.group_id = std::optional<std::string>();
        CHECK_FALSE(f.store->update_ticket(n, no_group, 1700)->group_id);
    }
    SECTION("an unknown group is not found and named") {
        TicketChanges bad;
        bad.group_id = std::optional<std::string>("sales");
        auto e = f.store->update_ticket(n, bad, 1600);
        CHECK(e.error().code == store_error::kNotFound);
        CHECK(e.error().message == "There is no group \"sales\".");
        CHECK(f.store->ticket(n)->updated_at == 1500);
    }
    SECTION("an unknown operator is not found") {
        TicketChanges bad;
        bad.operator_id = std::optional<UserId>(4242);
        auto e = f.store->update_ticket(n, bad, 1600);
        CHECK(e.error().code == store_error::kNotFound);
        CHECK(e.error().where == "operator_id");
    }
    SECTION("an unknown ticket is not found") {
        auto e = f.store->update_ticket(5555, changes, 1600);
        CHECK(e.error().code == store_error::kNotFound);
        CHECK(e.error().message == "There is no ticket 5555.");
    }
}

TEST_CASE("closing a ticket records when and by whom, and only once") {
    StoreFixture f;
    const auto op = f.add_user("op@acme.example");
    const auto n = f.submit_at(1000).number;
    auto closed = f.store->close_ticket(n, op, 2000);
    REQUIRE(closed.ok());
    CHECK(closed->ticket.status == TicketStatus::closed);
    CHECK(closed->ticket.closed_at == 2000);
    CHECK(closed->ticket.closed_by == op);
    CHECK(closed->ticket.updated_at == 2000);
    CHECK(closed->ticket.handled_by == std::vector<UserId>{op});
    CHECK(closed->cancelled.empty());
    CHECK(f.store->count_open_tickets() == 0);

    auto again = f.store->close_ticket(n, op, 3000);
    CHECK(again.error().code == store_error::kStale);
    CHECK(again.error().message == "Ticket 1001 is already closed.");
    CHECK(f.store->ticket(n)->closed_at == 2000);
    CHECK(f.store->close_ticket(9999, op, 1).error().code == store_error::kNotFound);
    const auto other = f.submit_at(1000).number;
    CHECK(f.store->close_ticket(other, 4242, 1).error().code == store_error::kNotFound);
    CHECK(f.store->ticket(other)->status == TicketStatus::open);
}

TEST_CASE("adding a handler is idempotent and fills handled_by") {
    StoreFixture f;
    const auto a = f.add_user("a@acme.example");
    const auto b = f.add_user("b@acme.example");
    const auto n = f.submit_at(1000).number;
    REQUIRE(f.store->add_handler(n, b).ok());
    REQUIRE(f.store->add_handler(n, a).ok());
    REQUIRE(f.store->add_handler(n, b).ok());
    CHECK(f.store->ticket(n)->handled_by == std::vector<UserId>{a, b});
    CHECK(f.store->add_handler(9999, a).error().code == store_error::kNotFound);
    CHECK(f.store->add_handler(n, 4242).error().code == store_error::kNotFound);
}

TEST_CASE("a device's tickets come newest first, up to the limit") {
    StoreFixture f;
    f.add_device("dev1");
    f.add_device("dev2");
    auto t = new_ticket("dev1");
    const auto a = f.submit(t, "a").number;
    t.created_at = 2000;
    const auto b = f.submit(t, "b").number;
    f.submit(new_ticket("dev2"), "c");
    CHECK(numbers(f.store->device_tickets("dev1", 10)) == std::vector<TicketNumber>{b, a});
    CHECK(numbers(f.store->device_tickets("dev1", 1)) == std::vector<TicketNumber>{b});
    CHECK(f.store->device_tickets("dev3", 10).empty());
}

// ---------------------------------------------------------------------------------------
// Expiry and history

TEST_CASE("expiring moves open tickets created before the cutoff and returns them") {
    StoreFixture f;
    const auto op = f.add_user("op@acme.example");
    const auto old1 = f.submit_at(100).number;
    const auto old2 = f.submit_at(200).number;
    const auto fresh = f.submit_at(500).number;
    const auto closed = f.submit_at(50).number;
    REQUIRE(f.store->close_ticket(closed, op, 60).ok());

    const auto expired = f.store->expire_tickets(500, 9000);
    REQUIRE(expired.size() == 2);
    CHECK(expired[0].ticket.number == old1);
    CHECK(expired[1].ticket.number == old2);
    CHECK(expired[0].ticket.status == TicketStatus::expired);
    CHECK(expired[0].ticket.closed_at == 9000);
    CHECK(f.store->ticket(old2)->status == TicketStatus::expired);
    CHECK(f.store->ticket(fresh)->status == TicketStatus::open);
    CHECK(f.store->ticket(closed)->closed_at == 60);
    CHECK(f.store->expire_tickets(500, 9100).empty());
    CHECK(f.store->close_ticket(old1, op, 9200).error().code == store_error::kStale);
}

TEST_CASE("history holds closed and expired tickets, newest first") {
    StoreFixture f;
    const auto op = f.add_user("op@acme.example");
    const auto a = f.submit_at(100).number;
    const auto b = f.submit_at(200).number;
    const auto c = f.submit_at(300).number;
    const auto d = f.submit_at(400).number;
    f.submit_at(500);  // stays open
    REQUIRE(f.store->close_ticket(b, op, 1000).ok());
    REQUIRE(f.store->close_ticket(c, op, 1000).ok());  // same time: higher number first
    REQUIRE(f.store->close_ticket(d, op, 900).ok());
    f.store->expire_tickets(150, 2000);  // a
    CHECK(numbers(f.store->history({})) == std::vector<TicketNumber>{a, c, b, d});
}

TEST_CASE("history filters by email in any case, by close time and by limit") {
    StoreFixture f;
    const auto op = f.add_user("op@acme.example");
    const auto bob1 = f.submit_at(100, std::nullopt, "bob@acme.example").number;
    const auto bob2 = f.submit_at(200, std::nullopt, "Bob@Acme.example").number;
    const auto bobby = f.submit_at(300, std::nullopt, "bobby@acme.example").number;
    REQUIRE(f.store->close_ticket(bob1, op, 1100).ok());
    REQUIRE(f.store->close_ticket(bob2, op, 1200).ok());
    REQUIRE(f.store->close_ticket(bobby, op, 1300).ok());

    HistoryFilter by_email;
    by_email.email = "BOB@acme.example";
    CHECK(numbers(f.store->history(by_email)) == std::vector<TicketNumber>{bob2, bob1});

    HistoryFilter window;  // on closed_at: [from, to)
    window.from = 1200;
    window.to = 1300;
    CHECK(numbers(f.store->history(window)) == std::vector<TicketNumber>{bob2});

    HistoryFilter limited;
    limited.limit = 2;
    CHECK(numbers(f.store->history(limited)) == std::vector<TicketNumber>{bobby, bob2});
    limited.limit = 0;
    CHECK(f.store->history(limited).tickets.size() == 1);
    limited.limit = 1'000'000;
    CHECK(f.store->history(limited).tickets.size() == 3);
}

TEST_CASE("history pages follow each other by cursor, every row exactly once") {
    StoreFixture f;
    f.add_group("helpdesk");
    const auto op = f.add_user("op@acme.example");
    const auto other = f.add_user("other@acme.example");
    REQUIRE(f.store->set_group_members("helpdesk", {op}).ok());
    std::vector<TicketNumber> all;
    for (int i = 0; i < 23; ++i) {
        const auto n = f.submit_at(100 + i, i % 3 == 0 ? std::optional<std::string>("helpdesk") : std::nullopt).number;
        // Several tickets share a close time: the number decides their order.
        REQUIRE(f.store->close_ticket(n, i % 2 == 0 ? op : other, 1000 + i / 4).ok());
        all.push_back(n);
    }
    for (const std::optional<UserId> view : {std::optional<UserId>{}, std::optional<UserId>{op}}) {
        HistoryFilter page_filter;
        page_filter.visible_to = view;
        page_filter.limit = 5;
        std::vector<TicketNumber> walked;
        for (int pages = 0; pages < 20; ++pages) {
            const auto page = f.store->history(page_filter);
            for (const auto& t : page.tickets) walked.push_back(t.number);
            if (!page.next) break;
            CHECK(page.tickets.size() == 5);
            page_filter.after = page.next;
        }
        HistoryFilter whole;
        whole.visible_to = view;
        whole.limit = 1000;
        CHECK(walked == numbers(f.store->history(whole)));
        if (!view) CHECK(walked.size() == all.size());
    }
}

TEST_CASE("an operator's history merges their groups and what they handled, without repeats") {
    StoreFixture f;
    f.add_group("helpdesk");
    f.add_group("billing");
    f.add_group("sales");
    const auto me = f.add_user("me@acme.example");
    const auto other = f.add_user("other@acme.example");
    REQUIRE(f.store->set_group_members("helpdesk", {me}).ok());
    REQUIRE(f.store->set_group_members("billing", {me}).ok());
    const auto in_helpdesk = f.submit_at(100, "helpdesk").number;
    const auto in_billing = f.submit_at(100, "billing").number;
    const auto handled_in_sales = f.submit_at(100, "sales").number;
    const auto handled_in_my_group = f.submit_at(100, "helpdesk").number;
    const auto not_mine = f.submit_at(100, "sales").number;
    REQUIRE(f.store->close_ticket(in_helpdesk, other, 1001).ok());
    REQUIRE(f.store->close_ticket(in_billing, other, 1002).ok());
    REQUIRE(f.store->close_ticket(handled_in_sales, me, 1003).ok());
    REQUIRE(f.store->close_ticket(handled_in_my_group, me, 1004).ok());
    REQUIRE(f.store->close_ticket(not_mine, other, 1005).ok());
    HistoryFilter filter;
    filter.visible_to = me;
    CHECK(numbers(f.store->history(filter)) ==
          std::vector<TicketNumber>{handled_in_my_group, handled_in_sales, in_billing, in_helpdesk});
    filter.from = 1002;
    filter.to = 1004;
    CHECK(numbers(f.store->history(filter)) == std::vector<TicketNumber>{handled_in_sales, in_billing});
}

TEST_CASE("a ticket expired before an operator handled it is theirs in history by its close time") {
    StoreFixture f;
    const auto me = f.add_user("me@acme.example");
    const auto n = f.submit_at(100).number;
    REQUIRE(f.store->add_handler(n, me).ok());
    f.store->expire_tickets(150, 2000);
    HistoryFilter filter;
    filter.visible_to = me;
    const auto page = f.store->history(filter);
    REQUIRE(page.tickets.size() == 1);
    CHECK(page.tickets[0].closed_at == 2000);
    filter.to = 2000;  // closed_at < to
    CHECK(f.store->history(filter).tickets.empty());
}

TEST_CASE("requesters in history are listed by prefix, lower-case, each once, in the caller's view") {
    StoreFixture f;
    f.add_group("helpdesk");
    const auto me = f.add_user("me@acme.example");
    const auto other = f.add_user("other@acme.example");
    REQUIRE(f.store->set_group_members("helpdesk", {me}).ok());
    for (const auto& [email, group] : std::vector<std::pair<std::string, std::optional<std::string>>>{
             {"Ana@acme.example", "helpdesk"}, {"ana@acme.example", "helpdesk"}, {"anabel@x.example", std::nullopt},
             {"bob@acme.example", "helpdesk"}, {"andre@y.example", std::nullopt}}) {
        const auto n = f.submit_at(100, group, email).number;
        REQUIRE(f.store->close_ticket(n, other, 1000).ok());
    }
    f.submit_at(100, "helpdesk", "anna-open@acme.example");  // open: not history
    CHECK(f.store->history_requesters("an", std::nullopt, 10) ==
          std::vector<std::string>{"ana@acme.example", "anabel@x.example", "andre@y.example"});
    CHECK(f.store->history_requesters("an", std::nullopt, 2).size() == 2);
    CHECK(f.store->history_requesters("an", me, 10) == std::vector<std::string>{"ana@acme.example"});
    CHECK(f.store->history_requesters("zz", std::nullopt, 10).empty());
}

TEST_CASE("the queue view is the query's: an operator's groups and their own tickets, in queue order") {
    StoreFixture f;
    f.add_group("helpdesk");
    f.add_group("billing");
    const auto me = f.add_user("me@acme.example");
    const auto other = f.add_user("other@acme.example");
    REQUIRE(f.store->set_group_members("helpdesk", {me}).ok());
    const auto mine_by_group = f.submit_at(100, "helpdesk").number;
    const auto theirs = f.submit_at(90, "billing").number;
    const auto assigned_to_me = f.submit_at(80, "billing").number;
    const auto unassigned_no_group = f.submit_at(70).number;
    const auto assigned_elsewhere = f.submit_at(60).number;
    TicketChanges to_me;
    to_me.operator_id = std::optional<UserId>{me};
    REQUIRE(f.store->update_ticket(assigned_to_me, to_me, 200).ok());
    TicketChanges to_other;
    to_other.operator_id = std::optional<UserId>{other};
    REQUIRE(f.store->update_ticket(assigned_elsewhere, to_other, 200).ok());
    CHECK(numbers(f.store->queue(me)) == std::vector<TicketNumber>{assigned_to_me, mine_by_group});
    CHECK(numbers(f.store->queue(std::nullopt)) ==
          std::vector<TicketNumber>{assigned_elsewhere, unassigned_no_group, assigned_to_me, theirs, mine_by_group});
}

TEST_CASE("assigned_at is when the current operator got the ticket") {
    StoreFixture f;
    const auto a = f.add_user("a@acme.example");
    const auto b = f.add_user("b@acme.example");
    const auto n = f.submit_at(100).number;
    CHECK_FALSE(f.store->ticket(n)->assigned_at);
    TicketChanges to_a;
    to_a.operator_id = std::optional<UserId>{a};
    REQUIRE(f.store->update_ticket(n, to_a, 200).ok());
    CHECK(f.store->ticket(n)->assigned_at == 200);
    TicketChanges priority_only;
    priority_only.priority = Priority::high;
    REQUIRE(f.store->update_ticket(n, priority_only, 250).ok());
    REQUIRE(f.store->update_ticket(n, to_a, 260).ok());  // the same operator again
    CHECK(f.store->ticket(n)->assigned_at == 200);
    TicketChanges to_b;
    to_b.operator_id = std::optional<UserId>{b};
    REQUIRE(f.store->update_ticket(n, to_b, 300).ok());
    CHECK(f.store->ticket(n)->assigned_at == 300);
    TicketChanges nobody;
    nobody.operator_id = std::optional<UserId>{};
    REQUIRE(f.store->update_ticket(n, nobody, 400).ok());
    CHECK_FALSE(f.store->ticket(n)->assigned_at);
}

TEST_CASE("history's totals follow closes, expiries and group deletions, whole team and per operator") {
    StoreFixture f;
    f.add_group("helpdesk");
    f.add_group("billing");
    const auto me = f.add_user("me@acme.example");
    const auto other = f.add_user("other@acme.example");
    REQUIRE(f.store->set_group_members("helpdesk", {me}).ok());
    const auto counted = [&](std::optional<UserId> view) {
        const auto c = f.store->history_counts(view);
        return std::pair{c.closed, c.expired};
    };
    // What the totals must be: counted the slow way, from the tickets themselves.
    const auto actual = [&](std::optional<UserId> view) {
        HistoryFilter all;
        all.visible_to = view;
        all.limit = 1000;
        std::pair<std::int64_t, std::int64_t> c{0, 0};
        for (const auto& t : f.store->history(all).tickets) (t.status == TicketStatus::closed ? c.first : c.second) += 1;
        return c;
    };
    const auto a = f.submit_at(100, "helpdesk").number;
    const auto b = f.submit_at(100, "billing").number;
    const auto c = f.submit_at(100).number;
    const auto handled_in_billing = f.submit_at(100, "billing").number;
    f.submit_at(500, "helpdesk");  // stays open
    REQUIRE(f.store->close_ticket(a, other, 1000).ok());
    REQUIRE(f.store->close_ticket(b, other, 1000).ok());
    REQUIRE(f.store->close_ticket(handled_in_billing, me, 1000).ok());
    f.store->expire_tickets(200, 2000);  // c
    for (const auto view : {std::optional<UserId>{}, std::optional<UserId>{me}, std::optional<UserId>{other}})
        CHECK(counted(view) == actual(view));
    CHECK(counted(std::nullopt) == std::pair<std::int64_t, std::int64_t>{3, 1});
    CHECK(counted(me) == std::pair<std::int64_t, std::int64_t>{2, 0});
    REQUIRE(f.store->delete_group("billing").ok());
    CHECK(counted(std::nullopt) == std::pair<std::int64_t, std::int64_t>{1, 1});
    CHECK(counted(std::nullopt) == actual(std::nullopt));
    CHECK(counted(me) == actual(me));
    (void)c;
}

TEST_CASE("the dashboard's figures are read in the caller's views") {
    StoreFixture f;
    f.add_group("helpdesk");
    f.add_group("billing");
    const auto me = f.add_user("me@acme.example");
    const auto other = f.add_user("other@acme.example");
    REQUIRE(f.store->set_group_members("helpdesk", {me}).ok());
    const auto h1 = f.submit_at(1000, "helpdesk").number;
    f.submit_at(1100, "helpdesk");
    f.submit_at(900, "billing");
    const auto closed_mine = f.submit_at(1200, "helpdesk").number;
    const auto closed_theirs = f.submit_at(1300, "billing").number;
    REQUIRE(f.store->close_ticket(closed_mine, me, 2000).ok());
    REQUIRE(f.store->close_ticket(closed_theirs, other, 2100).ok());
    (void)h1;

    DashboardQuery q;
    q.since = 0;
    q.week_from = 0;
    const auto all = f.store->dashboard(q);
    std::int64_t open = 0;
    for (const auto& c : all.open) open += c.count;
    CHECK(open == 3);
    REQUIRE(all.oldest_open);
    CHECK(all.oldest_open->created_at == 900);
    CHECK(all.history.closed == 2);
    CHECK(all.created.size() == 5);
    CHECK(all.closed.size() == 2);
    CHECK(all.close_durations == std::vector<std::int64_t>{800, 800});

    q.visible_to = me;
    const auto mine = f.store->dashboard(q);
    open = 0;
    for (const auto& c : mine.open) open += c.count;
    CHECK(open == 2);
    CHECK(mine.oldest_open->number == h1);
    CHECK(mine.history.closed == 1);
    CHECK(mine.created.size() == 3);
    REQUIRE(mine.closed.size() == 1);
    CHECK(mine.closed[0].closed_by == me);
}

TEST_CASE("an operator's history holds what they or their groups handled") {
    StoreFixture f;
    f.add_group("helpdesk");
    f.add_group("sales");
    const auto me = f.add_user("me@acme.example");
    const auto other = f.add_user("other@acme.example");
    REQUIRE(f.store->set_group_members("helpdesk", {me}).ok());
    const auto mine = f.submit_at(100, "sales").number;
    const auto my_group = f.submit_at(200, "helpdesk").number;
    const auto not_mine = f.submit_at(300, "sales").number;
    REQUIRE(f.store->close_ticket(mine, me, 1000).ok());
    REQUIRE(f.store->close_ticket(my_group, other, 1001).ok());
    REQUIRE(f.store->close_ticket(not_mine, other, 1002).ok());

    HistoryFilter filter;
    filter.visible_to = me;
    filter.limit = 1;
    // The limit counts visible tickets: the newest one overall is not mine.
    CHECK(numbers(f.store->history(filter)) == std::vector<TicketNumber>{my_group});
    filter.limit = 10;
    CHECK(numbers(f.store->history(filter)) == std::vector<TicketNumber>{my_group, mine});
}

// ---------------------------------------------------------------------------------------
// Deleting a group

TEST_CASE("deleting a group unassigns its open tickets and deletes its history") {
    StoreFixture f;
    f.add_group("sales");
    f.add_group("helpdesk");
    f.add_device("dev1");
    const auto op = f.add_user("op@acme.example");
    REQUIRE(f.store->set_group_members("sales", {op}).ok());
    REQUIRE(f.store->set_group_members("helpdesk", {op}).ok());
    const auto open = f.submit_at(100, "sales").number;
    const auto closed = f.submit_at(100, "sales").number;
    const auto expired = f.submit_at(50, "sales").number;
    const auto elsewhere = f.submit_at(100, "helpdesk").number;
    REQUIRE(f.store->close_ticket(elsewhere, op, 150).ok());
    REQUIRE(f.store->add_connection_request(new_request("r1", closed, op)).ok());
    REQUIRE(f.store->close_ticket(closed, op, 200).ok());
    f.store->expire_tickets(60, 300);

    REQUIRE(f.store->delete_group("sales").ok());

    const auto still_open = f.store->ticket(open);
    REQUIRE(still_open);
    CHECK_FALSE(still_open->group_id);
    CHECK(still_open->status == TicketStatus::open);
    CHECK_FALSE(f.store->ticket(closed));
    CHECK_FALSE(f.store->ticket(expired));
    CHECK_FALSE(f.store->connection_request("r1"));
    CHECK(f.store->ticket(elsewhere).has_value());
    CHECK_FALSE(f.store->group("sales"));
    CHECK(f.store->groups_of(op) == std::vector<std::string>{"helpdesk"});
    CHECK(numbers(f.store->history({})) == std::vector<TicketNumber>{elsewhere});
    CHECK(f.store->delete_group("sales").error().code == store_error::kNotFound);
}
