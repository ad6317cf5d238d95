// The outbox without a server: its files, the removal rules, the retry schedule and the
// background sender, with an injected TicketPoster standing in for the network.

#include "client/core/outbox.h"

#include <sys/stat.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <set>

#include "client/core/submission.h"
#include "tests/support/fixtures.h"

namespace helpline::test {
namespace {

using client::ApiReply;
using client::Delivery;
using client::Outbox;
using client::OutboxEntry;
using client::RequestLog;
using std::chrono::milliseconds;

struct OutboxFixture {
    TempDir dir;
    Outbox outbox{dir / "outbox", RequestLog(dir / "requests.log")};

    std::vector<client::LoggedRequest> logged() const { return outbox.log().read(); }
    OutboxEntry add(const std::string& description = "Printer on fire") {
        auto e = outbox.add({{"email", "ana@acme.example"}, {"description", description}});
        REQUIRE(e.ok());
        return *e;
    }
};

Result<ApiReply> answer(long status, nlohmann::json body = nullptr) {
    ApiReply r;
    r.status = status;
    r.json = std::move(body);
    return r;
}

Result<ApiReply> unreachable() {
    return make_error("net.unreachable",
                      "The support server http://127.0.0.1:9 cannot be reached.");
}

const nlohmann::json kCreated = {
    {"number", 1042}, {"status", "open"}, {"created_at", "2026-11-25T03:21:04Z"}};

client::TicketPoster always(Result<ApiReply> reply) {
    return [reply](const OutboxEntry&, milliseconds) { return reply; };
}

}  // namespace

TEST_CASE(
    "a saved request is a private file named by its UUID, holding the body, before anything is "
    "sent") {
    OutboxFixture f;
    const auto entry = f.add();
    CHECK(client::is_uuid(entry.key));
    const auto file = f.outbox.file_of(entry.key);
    REQUIRE(fs::exists(file));
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    const auto doc = nlohmann::json::parse(read_text(file));
    CHECK(doc.at("key") == entry.key);
    CHECK(doc.at("body").at("description") == "Printer on fire");
    CHECK(client::parse_utc(doc.at("created_at").get<std::string>()).has_value());

    const auto pending = f.outbox.pending();
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].key == entry.key);
    CHECK(pending[0].body == entry.body);
    CHECK(f.outbox.contains(entry.key));
}

TEST_CASE("every saved request gets its own key") {
    OutboxFixture f;
    std::set<std::string> keys;
    for (int i = 0; i < 50; ++i) keys.insert(f.add().key);
    CHECK(keys.size() == 50);
    CHECK(f.outbox.pending().size() == 50);
}

TEST_CASE(
    "saved requests are listed oldest first, ignoring half-written files and moving damaged ones "
    "aside") {
    OutboxFixture f;
    fs::create_directories(f.outbox.folder());
    const auto write_entry = [&](const std::string& key, const std::string& created) {
        write_text(f.outbox.file_of(key), nlohmann::json{{"format", "helpline-outbox-entry"},
                                                         {"version", 1},
                                                         {"key", key},
                                                         {"created_at", created},
                                                         {"body", {{"description", created}}}}
                                              .dump());
    };
    write_entry("bbbbbbbb-0000-4000-8000-000000000000", "2026-11-25T03:00:00Z");
    write_entry("aaaaaaaa-0000-4000-8000-000000000000", "2026-11-25T04:00:00Z");
    write_text(f.outbox.folder() / ".cccccccc-0000-4000-8000-000000000000.json.tmp-AbC123",
               "{\"half");
    const std::string damaged = "dddddddd-0000-4000-8000-000000000000";
    write_text(f.outbox.file_of(damaged), "{\"not\": \"an entry\"");

    std::vector<Error> problems;
    const auto pending = f.outbox.pending(&problems);
    REQUIRE(pending.size() == 2);
    CHECK(pending[0].created_at == "2026-11-25T03:00:00Z");
    CHECK(pending[1].created_at == "2026-11-25T04:00:00Z");
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0].message, Catch::Contains(damaged));
    CHECK_FALSE(fs::exists(f.outbox.file_of(damaged)));
    CHECK(fs::exists(f.outbox.file_of(damaged).string() +
                     ".damaged"));  // kept for a person, never sent
    CHECK(fs::exists(f.outbox.folder() / ".cccccccc-0000-4000-8000-000000000000.json.tmp-AbC123"));

    problems.clear();
    CHECK(f.outbox.pending(&problems).size() == 2);
    CHECK(problems.empty());  // reported once
}

TEST_CASE("the server's answer decides whether a saved request is removed") {
    using client::AnswerKind;
    using client::classify_answer;
    for (long s : {200L, 201L}) CHECK(classify_answer(s) == AnswerKind::delivered);
    for (long s : {400L, 409L, 410L, 413L, 415L, 422L})
        CHECK(classify_answer(s) == AnswerKind::refused);
    for (long s : {401L, 403L, 404L, 408L, 425L, 429L, 500L, 502L, 503L, 504L, 0L})
        CHECK(classify_answer(s) == AnswerKind::retry);
}

TEST_CASE("a delivered request is recorded with its ticket number and then removed") {
    OutboxFixture f;
    const auto entry = f.add();
    std::string sent_key;
    nlohmann::json sent_body;
    const auto d = f.outbox.attempt(entry, [&](const OutboxEntry& e, milliseconds) {
        sent_key = e.key;
        sent_body = e.body;
        return answer(201, kCreated);
    });
    CHECK(d.state == Delivery::State::delivered);
    CHECK(d.number == 1042);
    CHECK(d.status == "open");
    CHECK(sent_key == entry.key);
    CHECK(sent_body == entry.body);
    CHECK_FALSE(fs::exists(f.outbox.file_of(entry.key)));
    const auto logged = f.logged();
    REQUIRE(logged.size() == 1);
    CHECK(logged[0].key == entry.key);
    CHECK(logged[0].result == "created");
    CHECK(logged[0].number == 1042);
    CHECK(logged[0].request.at("description") == "Printer on fire");
}

TEST_CASE("a refused request is removed and its reasons per field are kept in the log") {
    OutboxFixture f;
    const auto entry = f.add();
    ApiReply refused;
    refused.status = 400;
    refused.detail = "The request has invalid fields: email is not a valid email address.";
    refused.field_errors = {{"email", "is not a valid email address"}};
    const auto d = f.outbox.attempt(entry, always(refused));
    CHECK(d.state == Delivery::State::refused);
    CHECK(d.http_status == 400);
    REQUIRE(d.problems.size() == 1);
    CHECK(d.problems[0].field == "email");
    CHECK_FALSE(fs::exists(f.outbox.file_of(entry.key)));
    const auto logged = f.logged();
    REQUIRE(logged.size() == 1);
    CHECK(logged[0].result == "refused");
    REQUIRE(logged[0].errors.size() == 1);
    CHECK(logged[0].errors[0].message == "is not a valid email address");
}

TEST_CASE(
    "a request without an answer, or answered 5xx, 429 or 401, stays saved for the next attempt") {
    OutboxFixture f;
    const auto entry = f.add();

    auto d = f.outbox.attempt(entry, always(unreachable()));
    CHECK(d.state == Delivery::State::pending);
    CHECK(d.unreachable);
    CHECK(d.http_status == 0);
    CHECK_THAT(d.error.message, Catch::Contains("cannot be reached"));

    d = f.outbox.attempt(entry, always(answer(503)));
    CHECK(d.state == Delivery::State::pending);
    CHECK_FALSE(d.unreachable);

    ApiReply slow_down;
    slow_down.status = 429;
    slow_down.retry_after_s = 7;
    d = f.outbox.attempt(entry, always(slow_down));
    CHECK(d.state == Delivery::State::pending);
    REQUIRE(d.retry_after);
    CHECK(*d.retry_after == std::chrono::seconds(7));

    d = f.outbox.attempt(entry, always(answer(401)));
    CHECK(d.state == Delivery::State::pending);

    // A 2xx that is not a Helpline answer: sending again with the same key is safe.
    d = f.outbox.attempt(entry, always(answer(200, "<html>")));
    CHECK(d.state == Delivery::State::pending);

    CHECK(fs::exists(f.outbox.file_of(entry.key)));
    CHECK(f.logged().empty());
}

TEST_CASE("a request delivered twice (the answer came again after a crash) is logged once") {
    OutboxFixture f;
    const auto entry = f.add();
    REQUIRE(f.outbox.attempt(entry, always(answer(201, kCreated))).done());
    // The client died after recording and before removing: the file is back, sent again,
    // and the server answers 200 with the same ticket.
    write_text(f.outbox.file_of(entry.key), nlohmann::json{{"format", "helpline-outbox-entry"},
                                                           {"version", 1},
                                                           {"key", entry.key},
                                                           {"created_at", entry.created_at},
                                                           {"body", entry.body}}
                                                .dump());
    const auto again = f.outbox.pending();
    REQUIRE(again.size() == 1);
    CHECK(f.outbox.attempt(again[0], always(answer(200, kCreated))).number == 1042);
    CHECK(f.logged().size() == 1);
    CHECK(f.outbox.pending().empty());
}

TEST_CASE(
    "the retry schedule with a fixed seed is reproducible, grows with each failure and stays "
    "capped") {
    client::RetrySchedule::Options options;
    options.base = milliseconds(1000);
    options.cap = milliseconds(8000);
    options.floor = milliseconds(100);
    options.seed = 42;
    client::RetrySchedule a(options), b(options);
    const auto t0 = client::RetrySchedule::Clock::time_point{} + std::chrono::hours(1);

    // The same seed gives the same delays as Backoff with that seed (the first key's).
    client::Backoff reference(options.base, options.cap, options.floor, options.seed);
    std::vector<milliseconds> delays;
    for (int n = 0; n < 8; ++n) {
        const auto d = a.failed("k1", t0);
        CHECK(d == b.failed("k1", t0));
        CHECK(d == reference.next());
        const auto ceiling = std::min<long long>(8000, 1000LL << n);
        CHECK(d.count() >= 100);
        CHECK(d.count() <= std::max<long long>(ceiling, 100));
        delays.push_back(d);
    }
    // Another seed, other jitter: clients that lost the server together do not return together.
    client::RetrySchedule::Options other = options;
    other.seed = 43;
    client::RetrySchedule c(other);
    std::vector<milliseconds> other_delays;
    for (int n = 0; n < 8; ++n) other_delays.push_back(c.failed("k1", t0));
    CHECK(other_delays != delays);

    // Due again only once the delay has passed.
    const auto d = a.failed("k2", t0);
    CHECK_FALSE(a.due("k2", t0 + d - milliseconds(1)));
    CHECK(a.due("k2", t0 + d));
    CHECK(a.due("never-tried", t0));
    CHECK(a.next_due().has_value());

    // Retry-After wins when it asks for more.
    CHECK(a.failed("k3", t0, std::chrono::seconds(30)) == milliseconds(30'000));

    // poke(): everything due now; keys sent elsewhere are forgotten.
    a.all_due_now();
    CHECK(a.due("k1", client::RetrySchedule::Clock::now()));
    a.keep_only({"k1"});
    CHECK(a.due("k3", t0));  // forgotten: due like a new one
    a.forget("k1");
    CHECK_FALSE(a.next_due().has_value());
}

TEST_CASE(
    "the background sender retries with backoff until the server answers, then reports the "
    "ticket") {
    OutboxFixture f;
    const auto entry = f.add();
    std::atomic<int> attempts{0};
    client::SubmitterOptions options;
    options.background = {milliseconds(5), milliseconds(20), milliseconds(1), 7};
    client::Submitter submitter(
        f.outbox,
        [&](const OutboxEntry&, milliseconds) {
            return ++attempts < 4 ? unreachable() : answer(201, kCreated);
        },
        options);

    std::mutex mutex;
    std::vector<Delivery> seen;
    std::vector<milliseconds> waits;
    submitter.start({[&](const OutboxEntry&, const Delivery& d, milliseconds next) {
                         std::lock_guard lock(mutex);
                         seen.push_back(d);
                         waits.push_back(next);
                     },
                     {}});
    REQUIRE(wait_for([&] {
        std::lock_guard lock(mutex);
        return !seen.empty() && seen.back().done();
    }));
    submitter.stop();

    std::lock_guard lock(mutex);
    REQUIRE(seen.size() == 4);
    for (int i = 0; i < 3; ++i) {
        CHECK(seen[static_cast<std::size_t>(i)].state == Delivery::State::pending);
        CHECK(waits[static_cast<std::size_t>(i)] >= milliseconds(1));
        CHECK(waits[static_cast<std::size_t>(i)] <= milliseconds(20));
    }
    CHECK(seen[3].state == Delivery::State::delivered);
    CHECK(seen[3].number == 1042);
    CHECK(attempts == 4);
    CHECK_FALSE(fs::exists(f.outbox.file_of(entry.key)));
}

TEST_CASE("the background sender sends a request saved while it runs at once") {
    OutboxFixture f;
    std::atomic<int> delivered{0};
    client::SubmitterOptions options;
    options.rescan = std::chrono::minutes(10);  // only the poke from save() can wake it in time
    client::Submitter submitter(f.outbox, always(answer(201, kCreated)), options);
    submitter.start({[&](const OutboxEntry&, const Delivery& d, milliseconds) {
                         if (d.done()) ++delivered;
                     },
                     {}});
    auto entry = submitter.save({{"email", "ana@acme.example"}, {"description", "New"}});
    REQUIRE(entry.ok());
    CHECK(wait_for([&] { return delivered == 1; }, std::chrono::seconds(5)));
    submitter.stop();
    CHECK(f.outbox.pending().empty());
}

TEST_CASE("the background sender removes a refused request and reports the reasons") {
    OutboxFixture f;
    f.add();
    ApiReply refused;
    refused.status = 422;
    refused.detail = "This Idempotency-Key was already used for a different request.";
    client::Submitter submitter(f.outbox, always(refused));
    std::atomic<bool> reported{false};
    std::string detail;
    submitter.start({[&](const OutboxEntry&, const Delivery& d, milliseconds) {
                         if (d.state == Delivery::State::refused) {
                             detail = d.detail;
                             reported = true;
                         }
                     },
                     {}});
    REQUIRE(wait_for([&] { return reported.load(); }));
    submitter.stop();
    CHECK_THAT(detail, Catch::Contains("already used"));
    CHECK(f.outbox.pending().empty());
}

TEST_CASE("send_now keeps trying for its wait, then leaves the request queued") {
    OutboxFixture f;
    const auto entry = f.add();
    std::atomic<int> attempts{0};
    client::SubmitterOptions options;
    options.quick_base = milliseconds(20);
    options.quick_cap = milliseconds(50);
    client::Submitter submitter(
        f.outbox,
        [&](const OutboxEntry&, milliseconds) {
            ++attempts;
            return unreachable();
        },
        options);
    const auto started = std::chrono::steady_clock::now();
    const auto d = submitter.send_now(entry, milliseconds(400));
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK(d.state == Delivery::State::pending);
    CHECK(d.unreachable);
    CHECK(attempts >= 2);
    CHECK(took < std::chrono::seconds(2));
    CHECK(f.outbox.contains(entry.key));
}

TEST_CASE("flush tries each saved request once and stops when the server cannot be reached") {
    OutboxFixture f;
    f.add("one");
    f.add("two");
    f.add("three");
    std::atomic<int> attempts{0};
    client::Submitter offline(f.outbox, [&](const OutboxEntry&, milliseconds) {
        ++attempts;
        return unreachable();
    });
    CHECK(offline.flush().size() == 1);
    CHECK(attempts == 1);
    CHECK(f.outbox.pending().size() == 3);

    std::set<std::string> sent;
    client::Submitter online(f.outbox, [&](const OutboxEntry& e, milliseconds) {
        sent.insert(e.body.at("description").get<std::string>());
        return answer(201, kCreated);
    });
    const auto results = online.flush();
    CHECK(results.size() == 3);
    CHECK(sent == std::set<std::string>{"one", "two", "three"});
    CHECK(f.outbox.pending().empty());
}

}  // namespace helpline::test
