// The retention of attachments through the server's sweep, with an injected clock: the
// bytes of a closed ticket's files go after the team's retention_days, and the file then
// answers 410 attachment_removed while its name and size stay in the conversation.
#include <filesystem>
#include <fstream>

#include "server/api/handlers.h"
#include "server/api/services.h"
#include "tests/server/api/api_fixture.h"

using namespace helpline::server;
using helpline::server::test::ApiFixture;

namespace {

struct Retention : ApiFixture {
    Retention() {
        group("helpdesk");
        admin = user("boss@team.example", Role::admin);
        dev = device();
        config.spool_dir = spool.path();
    }
    /// A file of `bytes` on ticket `n`, stored as an upload of the device would be.
    std::int64_t attach(TicketNumber n, const std::string& bytes, const std::string& sha256) {
        const auto path = spool / ("file-" + sha256);
        std::ofstream(path, std::ios::binary) << bytes;
        NewAttachment a;
        a.ticket_number = n;
        a.upload_key = ApiFixture::uuid();
        a.name = "log.txt";
        a.declared_type = "text/plain";
        a.type = "text/plain";
        a.size = static_cast<std::int64_t>(bytes.size());
        a.sha256 = sha256;
        a.created_at = clock.now();
        const auto stored = store().store_attachment(a, path.string());
        REQUIRE(stored.ok());
        return stored->attachment.id;
    }
    /// GET of the file: its status (the copy a 200 leaves for the sender is removed).
    int fetch(std::int64_t id) {
        const auto r = call("GET", "/api/v1/attachments/" + std::to_string(id), admin);
        if (!r.raw.file.empty()) std::filesystem::remove(r.raw.file);
        return r.status;
    }
    helpline::test::TempDir spool;
    std::string admin, dev;
};

}  // namespace

TEST_CASE_METHOD(Retention, "the sweep removes the bytes of closed tickets' files after the team's retention") {
    const auto closed = submit(dev, "helpdesk");
    const auto open = submit(dev, "helpdesk");
    const auto old_file = attach(closed, "disk full", "aa01");
    const auto open_file = attach(open, "still needed", "bb02");
    REQUIRE(call("POST", "/api/v1/tickets/" + std::to_string(closed) + "/close", admin).status == 200);
    REQUIRE(call("PUT", "/api/v1/settings/attachments", admin, {{"retention_days", 30}}).status == 200);

    clock.advance(std::chrono::hours(24 * 29));
    api::sweep(ctx());
    CHECK(fetch(old_file) == 200);

    clock.advance(std::chrono::hours(24 * 2));
    api::sweep(ctx());
    const auto gone = call("GET", "/api/v1/attachments/" + std::to_string(old_file), admin);
    CHECK(gone.status == 410);
    CHECK(gone.json.value("code", "") == "attachment_removed");
    CHECK(gone.json.value("detail", "").find("30 days") != std::string::npos);
    // The conversation still names it, marked removed; the open ticket's file is untouched
    // (the ticket expired meanwhile, but only now: its 30 days start today).
    const auto listed = call("GET", "/api/v1/tickets/" + std::to_string(closed) + "/messages", admin);
    REQUIRE(listed.json["attachments"].size() == 1);
    CHECK(listed.json["attachments"][0]["removed"] == true);
    CHECK(listed.json["attachments"][0]["name"] == "log.txt");
    CHECK(listed.json["retention_days"] == 30);
    CHECK(fetch(open_file) == 200);
}
