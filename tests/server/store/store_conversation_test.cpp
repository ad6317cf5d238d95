// The store's conversations, on both engines: messages (idempotent, refused on closed
// tickets, reopening when asked), attachments' bytes in chunks and stored once per
// content, read marks, and the retention.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "server/store/copy_database.h"
#include "tests/server/store/store_fixture.h"

using namespace helpline;
using namespace helpline::server;
using helpline::test::StoreFixture;

namespace {

/// A file in the fixture's folder holding `bytes`.
std::string spooled(StoreFixture& f, const std::string& name, const std::string& bytes) {
    const auto path = f.dir / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
}

NewMessage message(TicketNumber n, Author author, const std::string& body, const std::string& key) {
    NewMessage m;
    m.ticket_number = n;
    m.author = author;
    m.body = body;
    m.created_at = 2000;
    m.idempotency_key = key;
    m.request_hash = "hash-of-" + body;
    return m;
}

NewAttachment upload(TicketNumber n, Author author, const std::string& key, const std::string& bytes,
                     const std::string& sha256) {
    NewAttachment a;
    a.ticket_number = n;
    a.author = author;
    a.upload_key = key;
    a.name = key + ".bin";
    a.declared_type = "application/octet-stream";
    a.type = "application/octet-stream";
    a.size = static_cast<std::int64_t>(bytes.size());
    a.sha256 = sha256;
    a.created_at = 1500;
    return a;
}

std::string read_back(Store& store, const std::string& sha256) {
    std::string out;
    REQUIRE(store.read_blob(sha256, [&](std::string_view chunk) { out.append(chunk); }).ok());
    return out;
}

std::int64_t count(StoreFixture& f, const std::string& sql) {
    return f.raw()->query_int64(sql);
}

}  // namespace

TEST_CASE("a message is stored once per key, moves the ticket's counts and takes its attachments") {
    StoreFixture f;
    f.add_device("dev1");
    const auto op = f.add_user("op@acme.example");
    const auto n = f.submit_at(1000).number;
    const std::string bytes = "a small log";
    const auto file = f.store->store_attachment(upload(n, Author::customer, "k1", bytes, "aa11"), spooled(f, "f1", bytes));
    REQUIRE(file.ok());
    CHECK(file->created);

    auto m = message(n, Author::customer, "It is slow", "m1");
    m.attachment_ids = {file->attachment.id};
    const auto posted = f.store->post_message(m);
    REQUIRE(posted.ok());
    CHECK(posted->created);
    REQUIRE(posted->attachments.size() == 1);
    CHECK(posted->attachments[0].message_id == posted->message.id);
    CHECK(posted->ticket.message_count == 1);
    CHECK(posted->ticket.last_customer_message_id == posted->message.id);

    const auto again = f.store->post_message(m);
    REQUIRE(again.ok());
    CHECK_FALSE(again->created);
    CHECK(again->message.id == posted->message.id);
    auto other = m;
    other.request_hash = "another body";
    CHECK(f.store->post_message(other).error().code == store_error::kIdempotencyMismatch);

    // The same file cannot go into a second message; the team's reply leaves the
    // customer's mark alone.
    auto second = message(n, Author::customer, "Again", "m2");
    second.attachment_ids = {file->attachment.id};
    CHECK(f.store->post_message(second).error().code == store_error::kInvalid);
    auto reply = message(n, Author::team, "Restart it", "m3");
    reply.user_id = op;
    const auto answered = f.store->post_message(reply);
    REQUIRE(answered.ok());
    CHECK(answered->ticket.message_count == 2);
    CHECK(answered->ticket.last_customer_message_id == posted->message.id);
    CHECK(f.store->ticket(n)->message_count == 2);
    CHECK(f.store->post_message(message(9999, Author::customer, "x", "m4")).error().code == store_error::kNotFound);
}

TEST_CASE("internal notes and their files are only for the team, and never counted as unread for the device") {
    StoreFixture f;
    f.add_device("dev1");
    const auto op = f.add_user("op@acme.example");
    const auto n = f.submit_at(1000).number;
    const auto file =
        f.store->store_attachment(upload(n, Author::team, "k1", "secret", "bb22"), spooled(f, "f1", "secret"));
    REQUIRE(file.ok());
    auto note = message(n, Author::team, "Known bug", "n1");
    note.user_id = op;
    note.internal = true;
    note.attachment_ids = {file->attachment.id};
    REQUIRE(f.store->post_message(note).ok());
    auto reply = message(n, Author::team, "Try this", "n2");
    reply.user_id = op;
    const auto said = f.store->post_message(reply);
    REQUIRE(said.ok());

    CHECK(f.store->messages(n, true).size() == 2);
    const auto seen = f.store->messages(n, false);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].body == "Try this");
    CHECK(f.store->attachments(n, true).size() == 1);
    CHECK(f.store->attachments(n, true)[0].internal);
    CHECK(f.store->attachments(n, false).empty());
    CHECK(f.store->unread_by_device({n}).at(n) == 1);
    REQUIRE(f.store->mark_read(n, "device", said->message.id).ok());
    CHECK(f.store->unread_by_device({n}).count(n) == 0);
    // Marks never move back, and never past the newest message.
    REQUIRE(f.store->mark_read(n, "device", 0).ok());
    CHECK(f.store->read_marks("device", {n}).at(n) == said->message.id);
    CHECK(f.store->mark_read(n, "device", said->message.id + 1).error().code == store_error::kInvalid);
}

TEST_CASE("an attachment's bytes are stored in chunks once per content and read back whole") {
    StoreFixture f;
    f.add_device("dev1");
    const auto n = f.submit_at(1000).number;
    // Two and a half chunks, every byte value.
    std::string big(kBlobChunkSize * 5 / 2, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 % 256);
    const auto path = spooled(f, "big", big);
    const auto first = f.store->store_attachment(upload(n, Author::customer, "k1", big, "cc33"), path);
    REQUIRE(first.ok());
    CHECK(count(f, "SELECT COUNT(*) FROM blob_chunks") == 3);
    CHECK(read_back(*f.store, "cc33") == big);
    // The same bytes again under another key: a second attachment, no second copy.
    const auto copy = f.store->store_attachment(upload(n, Author::customer, "k2", big, "cc33"), path);
    REQUIRE(copy.ok());
    CHECK(copy->attachment.id != first->attachment.id);
    CHECK(count(f, "SELECT COUNT(*) FROM blobs") == 1);
    CHECK(count(f, "SELECT COUNT(*) FROM blob_chunks") == 3);
    // A key again: the first answer, or a conflict for other bytes.
    const auto repeat = f.store->store_attachment(upload(n, Author::customer, "k1", big, "cc33"), path);
    REQUIRE(repeat.ok());
    CHECK_FALSE(repeat->created);
    CHECK(repeat->attachment.id == first->attachment.id);
    CHECK(f.store->store_attachment(upload(n, Author::customer, "k1", "x", "dd44"), spooled(f, "x", "x"))
              .error()
              .code == store_error::kConflict);
    // A file that is not what it says (another size) stores nothing.
    auto wrong = upload(n, Author::customer, "k3", big, "ee55");
    wrong.size = 5;
    CHECK(f.store->store_attachment(wrong, path).error().code == store_error::kIo);
    CHECK(count(f, "SELECT COUNT(*) FROM blobs") == 1);
    CHECK(f.store->read_blob("ffff", [](std::string_view) {}).error().code == store_error::kNotFound);
    // An empty file is a blob without chunks.
    REQUIRE(f.store->store_attachment(upload(n, Author::customer, "k4", "", "e3b0"), spooled(f, "empty", "")).ok());
    CHECK(read_back(*f.store, "e3b0").empty());
}

TEST_CASE("a closed ticket takes no message or file, unless a customer's reply may reopen it") {
    StoreFixture f;
    f.add_device("dev1");
    f.add_group("helpdesk");
    const auto op = f.add_user("op@acme.example");
    const auto n = f.submit_at(1000, "helpdesk").number;
    REQUIRE(f.store->close_ticket(n, op, 1500).ok());
    CHECK(f.store->history_counts(std::nullopt).closed == 1);
    CHECK(f.store->post_message(message(n, Author::customer, "Again", "m1")).error().code == store_error::kStale);
    CHECK(f.store->store_attachment(upload(n, Author::customer, "k1", "x", "ab"), spooled(f, "x", "x")).error().code ==
          store_error::kStale);
    auto allowed = upload(n, Author::customer, "k1", "x", "ab");
    allowed.allow_closed = true;
    REQUIRE(f.store->store_attachment(allowed, spooled(f, "x", "x")).ok());

    auto reopening = message(n, Author::customer, "Again", "m1");
    reopening.reopen = true;
    auto team = message(n, Author::team, "No", "m2");
    team.reopen = true;  // only a customer's message reopens
    CHECK(f.store->post_message(team).error().code == store_error::kStale);
    const auto posted = f.store->post_message(reopening);
    REQUIRE(posted.ok());
    REQUIRE(posted->reopened);
    CHECK(posted->reopened->status == TicketStatus::open);
    CHECK_FALSE(posted->reopened->closed_at);
    CHECK(f.store->history_counts(std::nullopt).closed == 0);
    // Its expiry counts from the reopening, not from its creation.
    CHECK(f.store->expire_tickets(1999, 2001).empty());
    CHECK(f.store->expire_tickets(2001, 2002).size() == 1);
}

TEST_CASE("the retention removes the bytes of closed tickets' files, and deleted tickets leave no bytes behind") {
    StoreFixture f;
    f.add_device("dev1");
    f.add_group("helpdesk");
    const auto op = f.add_user("op@acme.example");
    const auto closed = f.submit_at(1000, "helpdesk").number;
    const auto open = f.submit_at(1000, "helpdesk").number;
    const auto in_group = f.submit_at(1000, "helpdesk").number;
    REQUIRE(f.store->store_attachment(upload(closed, Author::customer, "k1", "old", "a1"), spooled(f, "a", "old")).ok());
    REQUIRE(f.store->store_attachment(upload(open, Author::customer, "k1", "new", "b2"), spooled(f, "b", "new")).ok());
    // The same bytes on an open ticket keep their blob alive.
    REQUIRE(f.store->store_attachment(upload(open, Author::customer, "k2", "old", "a1"), spooled(f, "c", "old")).ok());
    REQUIRE(f.store->store_attachment(upload(in_group, Author::customer, "k1", "grp", "c3"), spooled(f, "d", "grp")).ok());
    REQUIRE(f.store->close_ticket(closed, op, 2000).ok());
    REQUIRE(f.store->close_ticket(in_group, op, 2000).ok());

    const auto removed = f.store->remove_old_attachments(1999, 5000);
    REQUIRE(removed.ok());
    CHECK(*removed == 0);
    const auto later = f.store->remove_old_attachments(2001, 5000);
    REQUIRE(later.ok());
    CHECK(*later == 2);
    const auto gone = f.store->attachments(closed, true);
    REQUIRE(gone.size() == 1);
    CHECK(gone[0].removed_at == 5000);
    CHECK(gone[0].sha256 == "a1");  // what it was stays
    CHECK(read_back(*f.store, "a1") == "old");  // still needed by the open ticket's copy
    CHECK(f.store->read_blob("c3", [](std::string_view) {}).error().code == store_error::kNotFound);
    // A removed file cannot go into a message.
    auto m = message(closed, Author::customer, "x", "m1");
    m.reopen = true;
    m.attachment_ids = {gone[0].id};
    CHECK(f.store->post_message(m).error().code == store_error::kInvalid);

    // Deleting the group deletes its closed tickets with their conversation; the next
    // sweep drops the bytes only they needed.
    const auto open_file = f.store->attachments(open, true);
    REQUIRE(f.store->delete_group("helpdesk").ok());
    CHECK(f.store->attachments(closed, true).empty());
    CHECK(f.store->attachments(open, true).size() == 2);
    REQUIRE(f.store->remove_old_attachments(0, 6000).ok());
    CHECK(read_back(*f.store, "b2") == "new");
    CHECK(count(f, "SELECT COUNT(*) FROM blobs") == 2);
}
