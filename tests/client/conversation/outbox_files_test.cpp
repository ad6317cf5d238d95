// The outbox with files and replies, without a server: the copies it keeps (durable,
// private, independent of the customer's file), the entry's format, damaged and orphaned
// copies, and the sending rules — against a stand-in team that stores each key once, as
// the server does, so that "exactly once" is counted.

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <map>

#include "client/core/outbox.h"
#include "client/core/submission.h"
#include "tests/client/conversation/http_sink.h"
#include "tests/support/fixtures.h"

namespace helpline::test {
namespace {

using client::ApiReply;
using client::AttachmentFile;
using client::Delivery;
using client::Outbox;
using client::OutboxEntry;
using client::OutboxTransport;
using client::RequestLog;
using std::chrono::milliseconds;

mode_t mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

Result<ApiReply> answer(long status, nlohmann::json body = nullptr, std::string code = {}) {
    ApiReply r;
    r.status = status;
    r.json = std::move(body);
    r.code = std::move(code);
    if (status >= 400 && r.json.is_object()) r.detail = r.json.value("detail", "");
    return r;
}

Result<ApiReply> unreachable() {
    return make_error("net.unreachable",
                      "The support server http://127.0.0.1:9 cannot be reached.");
}

/// A team server in miniature: tickets, files and messages stored once per key; the same
/// key again answers 200 with what was stored. Files are read from the copy the outbox
/// gives, and their SHA-256 kept. `fail` decides, per call, to answer otherwise.
struct FakeTeam {
    std::map<std::string, std::int64_t> tickets;  ///< Idempotency-Key -> number
    std::map<std::string, std::pair<std::int64_t, std::string>> files;  ///< key -> id, sha256
    std::map<std::string, std::vector<std::int64_t>> messages;          ///< key -> file ids
    std::vector<std::string> calls;  ///< "ticket KEY", "file KEY", "message KEY"
    std::function<std::optional<Result<ApiReply>>(const std::string& call)> fail;
    bool closed = false;

    OutboxTransport transport() {
        OutboxTransport t;
        t.post_ticket = [this](const OutboxEntry& e, milliseconds) -> Result<ApiReply> {
            calls.push_back("ticket " + e.key);
            if (fail)
                if (auto r = fail(calls.back())) return *r;
            const bool known = tickets.count(e.key) > 0;
            if (!known) tickets[e.key] = 1001 + static_cast<std::int64_t>(tickets.size());
            return answer(known ? 200 : 201, {{"number", tickets[e.key]},
                                              {"status", "open"},
                                              {"created_at", "2026-11-25T03:21:04Z"}});
        };
        t.put_attachment = [this](std::int64_t number, const client::UploadFile& f,
                                  milliseconds) -> Result<ApiReply> {
            calls.push_back("file " + f.key);
            if (fail)
                if (auto r = fail(calls.back())) return *r;
            if (closed)
                return answer(409, {{"detail", "This ticket is closed; send a new request."}},
                              "ticket_closed");
            REQUIRE(fs::file_size(f.file) == f.size);
            const bool known = files.count(f.key) > 0;
            if (!known)
                files[f.key] = {100 + static_cast<std::int64_t>(files.size()),
                                sha256_of_file(f.file.string())};
            return answer(
                known ? 200 : 201,
                {{"id", files[f.key].first}, {"ticket_number", number}, {"name", f.name}});
        };
        t.post_message = [this](const OutboxEntry& e, const std::vector<std::int64_t>& ids,
                                milliseconds) -> Result<ApiReply> {
            calls.push_back("message " + e.key);
            if (fail)
                if (auto r = fail(calls.back())) return *r;
            if (closed)
                return answer(409, {{"detail", "This ticket is closed; send a new request."}},
                              "ticket_closed");
            const bool known = messages.count(e.key) > 0;
            if (!known) messages[e.key] = ids;
            return answer(known ? 200 : 201,
                          {{"id", 500 + static_cast<std::int64_t>(messages.size())},
                           {"created_at", "2026-11-25T03:30:00Z"}});
        };
        return t;
    }
};

struct Fixture {
    TempDir dir;
    Outbox outbox{dir / "outbox", RequestLog(dir / "requests.log")};
    const nlohmann::json body = {{"email", "ana@acme.example"}, {"description", "Printer on fire"}};

    AttachmentFile file(const std::string& name, std::uint64_t size) {
        const auto path = dir / name;
        write_pattern_file(path.string(), size);
        return {path, name, size, client::guess_content_type(name)};
    }
};

}  // namespace

TEST_CASE("a request's files are copied into the outbox, private and durable, before its entry") {
    Fixture f;
    const auto shot = f.file("screen.png", 300'000);
    const auto log = f.file("install.log", 1'000);
    auto entry = f.outbox.add(f.body, {shot, log});
    REQUIRE(entry.ok());
    REQUIRE(entry->attachments.size() == 2);
    CHECK(client::is_uuid(entry->attachments[0].key));
    CHECK(entry->attachments[0].key != entry->attachments[1].key);
    CHECK(entry->attachments[0].key != entry->key);
    CHECK(entry->attachments[0].name == "screen.png");
    CHECK(entry->attachments[0].size == 300'000);
    CHECK(entry->attachments[0].type == "image/png");

    const auto folder = f.outbox.files_of(entry->key);
    CHECK(mode_of(folder) == 0700);
    for (const auto& a : entry->attachments) {
        const auto copy = f.outbox.copy_of(*entry, a);
        CHECK(mode_of(copy) == 0600);
        CHECK(fs::file_size(copy) == a.size);
    }
    CHECK(sha256_of_file(f.outbox.copy_of(*entry, entry->attachments[0]).string()) ==
          sha256_of_file(shot.path.string()));

    // The customer's own file may change or go: what was saved is what is sent.
    fs::remove(shot.path);
    const auto pending = f.outbox.pending();
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].key == entry->key);
    CHECK(pending[0].body == f.body);
    CHECK_FALSE(pending[0].is_reply());
    REQUIRE(pending[0].attachments.size() == 2);
    CHECK(pending[0].attachments[1].key == entry->attachments[1].key);
    CHECK(pending[0].attachments[1].name == "install.log");
    CHECK(sha256_of_file(f.outbox.copy_of(pending[0], pending[0].attachments[0]).string()) ==
          sha256_of_pattern(300'000));
}

TEST_CASE("an entry with files has no top-level body, so an older client sets it aside unsent") {
    Fixture f;
    auto entry = f.outbox.add(f.body, {f.file("a.txt", 10)});
    REQUIRE(entry.ok());
    const auto doc = nlohmann::json::parse(read_text(f.outbox.file_of(entry->key)));
    CHECK(doc.at("version") == 2);
    CHECK_FALSE(doc.contains("body"));  // what an older client requires to send it
    CHECK(doc.at("ticket") == f.body);
    CHECK(doc.at("attachments").at(0).at("key") == entry->attachments[0].key);
    CHECK(mode_of(f.outbox.file_of(entry->key)) == 0600);

    // A request without files keeps the format every client reads.
    auto plain = f.outbox.add(f.body);
    REQUIRE(plain.ok());
    const auto v1 = nlohmann::json::parse(read_text(f.outbox.file_of(plain->key)));
    CHECK(v1.at("version") == 1);
    CHECK(v1.at("body") == f.body);
    CHECK_FALSE(fs::exists(f.outbox.files_of(plain->key)));
}

TEST_CASE("a reply is saved with its ticket, text and files") {
    Fixture f;
    auto entry = f.outbox.add_reply(1042, "Here is the log", {f.file("install.log", 2'000)});
    REQUIRE(entry.ok());
    CHECK(entry->is_reply());
    const auto pending = f.outbox.pending();
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].reply_to == 1042);
    CHECK(pending[0].body == nlohmann::json{{"body", "Here is the log"}});
    REQUIRE(pending[0].attachments.size() == 1);
    const auto doc = nlohmann::json::parse(read_text(f.outbox.file_of(entry->key)));
    CHECK(doc.at("reply") == nlohmann::json{{"number", 1042}, {"body", "Here is the log"}});
    CHECK_FALSE(doc.contains("body"));
}

TEST_CASE("a file that cannot be copied saves nothing: no entry, no copies") {
    Fixture f;
    auto good = f.file("a.txt", 10);
    AttachmentFile gone{f.dir / "gone.txt", "gone.txt", 5, "text/plain"};
    auto entry = f.outbox.add(f.body, {good, gone});
    REQUIRE_FALSE(entry.ok());
    CHECK_THAT(entry.error().message, Catch::Contains("Your request could not be saved"));
    CHECK_THAT(entry.error().message, Catch::Contains("gone.txt"));
    CHECK(f.outbox.pending().empty());
    std::size_t left = 0;
    for (const auto& item : fs::directory_iterator(f.outbox.folder())) {
        (void)item;
        ++left;
    }
    CHECK(left == 0);
}

TEST_CASE("an entry whose copy is missing is set aside as damaged, its other copies kept") {
    Fixture f;
    auto entry = f.outbox.add(f.body, {f.file("a.txt", 10), f.file("b.txt", 20)});
    REQUIRE(entry.ok());
    fs::remove(f.outbox.copy_of(*entry, entry->attachments[0]));
    std::vector<Error> problems;
    CHECK(f.outbox.pending(&problems).empty());
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0].message, Catch::Contains("the saved copy of 'a.txt' is missing"));
    CHECK(fs::exists(f.outbox.file_of(entry->key).string() + ".damaged"));
    // Old enough to be swept, but its entry is kept for a person: so are the copies.
    fs::last_write_time(f.outbox.files_of(entry->key),
                        fs::file_time_type::clock::now() - std::chrono::hours(2));
    (void)f.outbox.pending();
    CHECK(fs::exists(f.outbox.copy_of(*entry, entry->attachments[1])));
}

TEST_CASE("copies left without their entry by a crash are swept after an hour, not before") {
    Fixture f;
    auto entry = f.outbox.add(f.body, {f.file("a.txt", 10)});
    REQUIRE(entry.ok());
    // As if the client died between copying the files and writing the entry.
    fs::remove(f.outbox.file_of(entry->key));
    const auto folder = f.outbox.files_of(entry->key);
    (void)f.outbox.pending();
    CHECK(fs::exists(folder));  // another process may be about to write its entry
    fs::last_write_time(folder, fs::file_time_type::clock::now() - std::chrono::hours(2));
    (void)f.outbox.pending();
    CHECK_FALSE(fs::exists(folder));
}

TEST_CASE("a request with files is delivered once: the ticket, then each file with its key") {
    Fixture f;
    FakeTeam team;
    auto entry = f.outbox.add(f.body, {f.file("screen.png", 5'000), f.file("b.txt", 30)});
    REQUIRE(entry.ok());
    const auto d = f.outbox.attempt(*entry, team.transport());
    INFO(d.error.message);
    REQUIRE(d.state == Delivery::State::delivered);
    CHECK(d.number == 1001);
    REQUIRE(d.files.size() == 2);
    CHECK(d.files[0].name == "screen.png");
    CHECK(d.files[0].id == team.files.at(entry->attachments[0].key).first);
    CHECK(d.files[0].problem.empty());
    CHECK(team.calls == std::vector<std::string>{"ticket " + entry->key,
                                                 "file " + entry->attachments[0].key,
                                                 "file " + entry->attachments[1].key});
    CHECK(team.files.at(entry->attachments[0].key).second == sha256_of_pattern(5'000));

    // Gone from the outbox, copies too; recorded once, with the files' names.
    CHECK(f.outbox.pending().empty());
    CHECK_FALSE(fs::exists(f.outbox.files_of(entry->key)));
    const auto logged = f.outbox.log().read();
    REQUIRE(logged.size() == 1);
    CHECK(logged[0].number == 1001);
    CHECK(logged[0].request.at("attachments").at(0).at("name") == "screen.png");
    CHECK(logged[0].request.at("description") == "Printer on fire");
}

TEST_CASE(
    "an attempt cut in the middle of the files is made again whole, with the same keys, "
    "and nothing is stored twice") {
    Fixture f;
    FakeTeam team;
    auto entry = f.outbox.add(f.body, {f.file("a.png", 4'000), f.file("b.png", 6'000)});
    REQUIRE(entry.ok());
    const std::string second = "file " + entry->attachments[1].key;
    int cuts = 1;
    team.fail = [&](const std::string& call) -> std::optional<Result<ApiReply>> {
        if (call == second && cuts-- > 0) return unreachable();  // the line drops mid-upload
        return std::nullopt;
    };
    const auto first = f.outbox.attempt(*entry, team.transport());
    CHECK(first.state == Delivery::State::pending);
    CHECK(first.unreachable);
    CHECK(first.number == 1001);  // the ticket is there; its files wait
    REQUIRE(f.outbox.pending().size() == 1);
    CHECK(fs::exists(f.outbox.files_of(entry->key)));

    // The client restarts: it reads the entry back and tries again.
    const auto again = f.outbox.pending();
    REQUIRE(again.size() == 1);
    const auto d = f.outbox.attempt(again[0], team.transport());
    REQUIRE(d.state == Delivery::State::delivered);
    CHECK(d.number == 1001);
    CHECK(team.tickets.size() == 1);  // one ticket
    CHECK(team.files.size() == 2);    // each file once
    CHECK(std::count(team.calls.begin(), team.calls.end(), "ticket " + entry->key) == 2);
    CHECK(std::count(team.calls.begin(), team.calls.end(), second) == 2);
    CHECK(f.outbox.log().read().size() == 1);
}

TEST_CASE("a file the server refuses does not hold back the request or its other files") {
    Fixture f;
    FakeTeam team;
    auto entry = f.outbox.add(f.body, {f.file("huge.bin", 100), f.file("ok.txt", 10)});
    REQUIRE(entry.ok());
    team.fail = [&](const std::string& call) -> std::optional<Result<ApiReply>> {
        if (call == "file " + entry->attachments[0].key)
            return answer(413, {{"detail", "The file exceeds the team's limit of 10 MiB."}});
        return std::nullopt;
    };
    const auto d = f.outbox.attempt(*entry, team.transport());
    REQUIRE(d.state == Delivery::State::delivered);
    REQUIRE(d.files.size() == 2);
    CHECK(d.files[0].id == 0);
    CHECK(d.files[0].problem == "The file exceeds the team's limit of 10 MiB.");
    CHECK(d.files[1].id > 0);
    CHECK(f.outbox.pending().empty());
}

TEST_CASE("files that wait for a server error or a slow-down stay with their entry") {
    Fixture f;
    FakeTeam team;
    auto entry = f.outbox.add(f.body, {f.file("a.txt", 10)});
    REQUIRE(entry.ok());
    for (const long status : {500L, 503L, 429L, 408L}) {
        team.fail = [&](const std::string& call) -> std::optional<Result<ApiReply>> {
            if (call.rfind("file ", 0) == 0) return answer(status);
            return std::nullopt;
        };
        const auto d = f.outbox.attempt(*entry, team.transport());
        CHECK(d.state == Delivery::State::pending);
        CHECK(d.http_status == status);
        CHECK(f.outbox.pending().size() == 1);
    }
    CHECK(f.outbox.log().read().empty());
}

TEST_CASE("a request with files waits when the sender can send requests only") {
    Fixture f;
    FakeTeam team;
    auto entry = f.outbox.add(f.body, {f.file("a.txt", 10)});
    REQUIRE(entry.ok());
    const auto d = f.outbox.attempt(*entry, team.transport().post_ticket);
    CHECK(d.state == Delivery::State::pending);
    CHECK(d.error.code == "outbox.no_transport");
    CHECK(team.calls.empty());
    CHECK(f.outbox.pending().size() == 1);
}

TEST_CASE("a reply sends its files, then its message naming them, with its own key") {
    Fixture f;
    FakeTeam team;
    auto entry = f.outbox.add_reply(1042, "Here it is", {f.file("log.txt", 700)});
    REQUIRE(entry.ok());
    const auto d = f.outbox.attempt(*entry, team.transport());
    REQUIRE(d.state == Delivery::State::delivered);
    CHECK(d.number == 1042);
    CHECK(d.message_id > 0);
    CHECK(team.calls ==
          std::vector<std::string>{"file " + entry->attachments[0].key, "message " + entry->key});
    CHECK(team.messages.at(entry->key) ==
          std::vector<std::int64_t>{team.files.at(entry->attachments[0].key).first});
    CHECK(f.outbox.pending().empty());
    CHECK_FALSE(fs::exists(f.outbox.files_of(entry->key)));
    CHECK(f.outbox.log().read().empty());  // requests.log lists requests, not replies
}

TEST_CASE("a reply whose message got no answer is sent again with the same keys, once") {
    Fixture f;
    FakeTeam team;
    auto entry = f.outbox.add_reply(1042, "Again", {f.file("a.txt", 10)});
    REQUIRE(entry.ok());
    int cuts = 1;
    team.fail = [&](const std::string& call) -> std::optional<Result<ApiReply>> {
        // The server stored it, but the answer was lost.
        if (call.rfind("message ", 0) == 0 && cuts-- > 0) {
            team.messages[entry->key] = {team.files.begin()->second.first};
            return unreachable();
        }
        return std::nullopt;
    };
    CHECK(f.outbox.attempt(*entry, team.transport()).state == Delivery::State::pending);
    const auto d = f.outbox.attempt(f.outbox.pending().at(0), team.transport());
    REQUIRE(d.state == Delivery::State::delivered);
    CHECK(team.messages.size() == 1);
    CHECK(team.files.size() == 1);
}

TEST_CASE("a reply to a closed ticket is refused and removed, saying what the server said") {
    Fixture f;
    FakeTeam team;
    team.closed = true;
    auto entry =
        f.outbox.add_reply(1042, "Still broken", {f.file("a.txt", 10), f.file("b.txt", 5)});
    REQUIRE(entry.ok());
    const auto d = f.outbox.attempt(*entry, team.transport());
    REQUIRE(d.state == Delivery::State::refused);
    CHECK(d.detail == "This ticket is closed; send a new request.");
    // The first file told; the second is not tried, and no message is posted.
    CHECK(team.calls == std::vector<std::string>{"file " + entry->attachments[0].key});
    CHECK(f.outbox.pending().empty());

    auto text_only = f.outbox.add_reply(1042, "Hello?", {});
    REQUIRE(text_only.ok());
    const auto refused = f.outbox.attempt(*text_only, team.transport());
    CHECK(refused.state == Delivery::State::refused);
    CHECK(refused.detail == "This ticket is closed; send a new request.");
}

TEST_CASE("a reply to a ticket that is not this device's is refused, not retried for ever") {
    Fixture f;
    FakeTeam team;
    team.fail = [](const std::string&) -> std::optional<Result<ApiReply>> {
        return answer(404, {{"detail", "No such ticket."}});
    };
    auto entry = f.outbox.add_reply(999999, "Hello", {});
    REQUIRE(entry.ok());
    CHECK(f.outbox.attempt(*entry, team.transport()).state == Delivery::State::refused);
    CHECK(f.outbox.pending().empty());
}

TEST_CASE("the submitter saves and sends a request with files and a reply over the transport") {
    Fixture f;
    FakeTeam team;
    client::Submitter submitter(f.outbox, team.transport());
    auto request = submitter.save(f.body, {f.file("a.png", 1'000)});
    REQUIRE(request.ok());
    auto d = submitter.send_now(*request, std::chrono::seconds(2));
    REQUIRE(d.state == Delivery::State::delivered);
    auto reply = submitter.save_reply(d.number, "More", {f.file("b.png", 2'000)});
    REQUIRE(reply.ok());
    d = submitter.send_now(*reply, std::chrono::seconds(2));
    REQUIRE(d.state == Delivery::State::delivered);
    CHECK(team.files.size() == 2);
    CHECK(team.messages.size() == 1);
    CHECK(f.outbox.pending().empty());
}

}  // namespace helpline::test
