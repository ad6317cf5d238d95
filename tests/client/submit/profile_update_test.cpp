// Which profile updates a client takes, and what it starts with, without a server:
// envelopes made with the shared library and the fixture keys.

#include <catch2/catch.hpp>

#include "client/core/my_requests.h"
#include "client/core/profile_refresh.h"
#include "shared/atomic_file.h"
#include "shared/envelope.h"
#include "tests/support/fixtures.h"

namespace helpline::test {
namespace {

using namespace client::profile_update_error;

SigningKey key(const char* name) {
    auto k = SigningKey::load(fixture(std::string("keys/") + name));
    REQUIRE(k.ok());
    return std::move(*k);
}

std::string profile_json(std::int64_t revision, const std::string& id = "demo-support") {
    auto doc = nlohmann::json::parse(read_text(source_path("branding/profiles/demo/profile.json")));
    doc["revision"] = revision;
    doc["id"] = id;
    return doc.dump();
}

std::string envelope(std::int64_t revision, const SigningKey& signer,
                     const std::string& id = "demo-support") {
    return make_envelope(id, revision, profile_json(revision, id),
                         {{"logo.svg", {'<', 's', 'v', 'g', '>'}}}, signer);
}

client::Brand stamped_brand(std::int64_t revision) {
    client::Brand brand;
    brand.stamp.profile_json = profile_json(revision);
    REQUIRE(parse_profile_text(brand.stamp.profile_json, brand.profile).empty());
    brand.stamp.key = key("test-signing-key.pem").public_key();
    return brand;
}

client::ClientPaths paths_in(const TempDir& dir) {
    client::ClientPaths p{dir / "config", dir / "state", dir / "runtime"};
    for (const auto& d : {p.config, p.state, p.runtime}) fs::create_directories(d);
    return p;
}

}  // namespace

TEST_CASE("an update signed by the stamp's key with a higher revision is taken with its assets") {
    const auto signer = key("test-signing-key.pem");
    auto taken =
        client::accept_envelope(envelope(2, signer), signer.public_key(), "demo-support", 1);
    REQUIRE(taken.ok());
    CHECK(taken->profile.revision == 2);
    CHECK(taken->source == client::ProfileSource::server);
    REQUIRE(taken->assets.size() == 1);
    CHECK(taken->assets[0].name == "logo.svg");

    client::Brand brand = stamped_brand(1);
    client::apply_profile(brand, *taken);
    CHECK(brand.profile.revision == 2);
    REQUIRE(brand.logo() != nullptr);
    CHECK(brand.logo()->data.size() == 5);
}

TEST_CASE("updates that are not for this client are refused with the reason") {
    const auto signer = key("test-signing-key.pem");
    const auto stamp_key = signer.public_key();

    auto other = client::accept_envelope(envelope(2, key("other-signing-key.pem")), stamp_key,
                                         "demo-support", 1);
    REQUIRE_FALSE(other.ok());
    CHECK(other.error().code == kWrongKey);

    auto same = client::accept_envelope(envelope(3, signer), stamp_key, "demo-support", 3);
    REQUIRE_FALSE(same.ok());
    CHECK(same.error().code == kNotNewer);
    auto lower = client::accept_envelope(envelope(2, signer), stamp_key, "demo-support", 3);
    REQUIRE_FALSE(lower.ok());
    CHECK(lower.error().code == kNotNewer);
    CHECK_THAT(lower.error().message, Catch::Contains("revision 2, not higher than revision 3"));

    auto foreign =
        client::accept_envelope(envelope(2, signer, "acme-support"), stamp_key, "demo-support", 1);
    REQUIRE_FALSE(foreign.ok());
    CHECK(foreign.error().code == kWrongProfile);

    auto text = envelope(2, signer);
    const auto at = text.find("\"signature\": \"") + 14;
    text[at] = text[at] == 'A' ? 'B' : 'A';
    auto tampered = client::accept_envelope(text, stamp_key, "demo-support", 1);
    REQUIRE_FALSE(tampered.ok());
    CHECK(tampered.error().code == kInvalid);

    auto bad_doc = nlohmann::json::parse(profile_json(2));
    bad_doc["appearance"]["accent"] = "blue";
    const auto bad = make_envelope("demo-support", 2, bad_doc.dump(), {}, signer);
    auto invalid = client::accept_envelope(bad, stamp_key, "demo-support", 1);
    REQUIRE_FALSE(invalid.ok());
    CHECK(invalid.error().code == kBadProfile);
    CHECK_THAT(invalid.error().message, Catch::Contains("appearance.accent"));
}

TEST_CASE("the client starts with a valid cached update, else with the stamped profile") {
    TempDir dir;
    const auto paths = paths_in(dir);
    const auto signer = key("test-signing-key.pem");
    std::vector<std::string> notes;

    auto start = client::profile_at_start(stamped_brand(1), paths, notes);
    CHECK(start.source == client::ProfileSource::stamp);
    CHECK(notes.empty());

    REQUIRE(write_file_atomic(paths.state / "profile.envelope.json", as_bytes(envelope(4, signer)))
                .ok());
    start = client::profile_at_start(stamped_brand(1), paths, notes);
    CHECK(start.source == client::ProfileSource::cache);
    CHECK(start.profile.revision == 4);

    // Restamped with revision 6: the cache is stale.
    start = client::profile_at_start(stamped_brand(6), paths, notes);
    CHECK(start.source == client::ProfileSource::stamp);
    CHECK(start.profile.revision == 6);
    REQUIRE(notes.size() == 1);
    CHECK_THAT(notes[0], Catch::Contains("not higher than revision 6"));

    // A cache someone replaced with an update signed by another key is not used.
    notes.clear();
    REQUIRE(write_file_atomic(paths.state / "profile.envelope.json",
                              as_bytes(envelope(9, key("other-signing-key.pem"))))
                .ok());
    start = client::profile_at_start(stamped_brand(1), paths, notes);
    CHECK(start.source == client::ProfileSource::stamp);
    REQUIRE(notes.size() == 1);
    CHECK_THAT(notes[0], Catch::Contains("not by this client's key"));
}

TEST_CASE("ticket-updated events change the status and operator of a listed request") {
    client::MyRequests mine;
    int changes = 0;
    mine.on_change([&] { ++changes; });
    auto parsed = client::parse_my_tickets(nlohmann::json::parse(R"({"tickets": [
        {"number": 1042, "status": "open", "priority": "high", "group": "helpdesk",
         "operator_name": null, "subject": "Printer", "created_at": "2026-11-25T03:00:00Z", "closed_at": null}]})"));
    REQUIRE(parsed.ok());
    mine.set(*parsed);
    CHECK(changes == 1);

    CHECK(mine.apply_ticket_update(1042, "open", "Bruno"));
    CHECK(mine.snapshot()[0].operator_name == "Bruno");
    CHECK(mine.apply_ticket_update(1042, "closed", "Bruno"));
    CHECK(mine.snapshot()[0].status == "closed");
    CHECK_FALSE(mine.snapshot()[0].closed_at.empty());
    CHECK(changes == 3);
    CHECK_FALSE(mine.apply_ticket_update(999, "closed", ""));
    CHECK(changes == 3);

    client::MyRequest r;
    r.created_at = "2026-11-25T03:00:00Z";
    const auto now = *client::parse_utc("2026-11-25T04:12:30Z");
    CHECK(client::waiting_time(r, now) == std::chrono::seconds(72 * 60 + 30));
    CHECK(client::format_duration(*client::waiting_time(r, now)) == "1 h 12 min");
    r.closed_at = "2026-11-25T03:00:45Z";
    CHECK(client::format_duration(*client::waiting_time(r, now)) == "45 s");
    CHECK(client::format_duration(std::chrono::hours(50)) == "2 d 2 h");
}

}  // namespace helpline::test
