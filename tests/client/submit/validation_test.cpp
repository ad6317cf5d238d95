// Client-side validation of a request: the server's rules plus the profile's, every
// problem at once, each naming its field.

#include <catch2/catch.hpp>

#include "client/core/submission.h"
#include "tests/support/fixtures.h"

namespace helpline::test {
namespace {

using client::prepare_ticket;
using client::TicketDraft;

Profile demo(const std::function<void(nlohmann::json&)>& change = {}) {
    auto doc = nlohmann::json::parse(read_text(source_path("branding/profiles/demo/profile.json")));
    if (change) change(doc);
    Profile p;
    const auto problems = parse_profile(doc, p);
    INFO((problems.empty() ? std::string() : problems.front().to_string()));
    REQUIRE(problems.empty());
    return p;
}

std::vector<std::string> fields(const client::PreparedTicket& t) {
    std::vector<std::string> out;
    for (const auto& p : t.problems) out.push_back(p.field);
    return out;
}

}  // namespace

TEST_CASE("a valid draft becomes the body the server expects, with the default group") {
    const auto t =
        prepare_ticket({"  ana@acme.example ", " Printer on fire\n", "", "", ""}, demo());
    REQUIRE(t.ok());
    CHECK(t.body == nlohmann::json{{"email", "ana@acme.example"},
                                   {"description", "Printer on fire"},
                                   {"group_id", "helpdesk"}});

    const auto full =
        prepare_ticket({"ana@acme.example", "Help", "billing", "Invoice", "urgent"}, demo());
    REQUIRE(full.ok());
    CHECK(full.body.at("group_id") == "billing");
    CHECK(full.body.at("subject") == "Invoice");
    CHECK(full.body.at("priority") == "urgent");
}

TEST_CASE("every wrong field is reported at once") {
    const auto profile = demo([](nlohmann::json& p) {
        p["assistance"]["customer_sets_priority"] = false;
        p["assistance"]["subject"] = "hidden";
    });
    const auto t = prepare_ticket({"ana@", "", "sales", "Printer", "high"}, profile);
    CHECK(fields(t) ==
          std::vector<std::string>{"email", "description", "group_id", "subject", "priority"});
    CHECK_THAT(t.problems[2].message, Catch::Contains("choose one of helpdesk, billing"));
    CHECK_THAT(t.problems[3].message, Catch::Contains("does not ask for a subject"));
    CHECK_THAT(t.problems[4].message, Catch::Contains("sets the priority itself"));
}

TEST_CASE("the description may be as long as the profile allows, counted in characters") {
    const auto profile = demo([](nlohmann::json& p) { p["assistance"]["max_description"] = 100; });
    std::string accents;
    for (int i = 0; i < 100; ++i) accents += "\xC3\xA9";  // é: two bytes, one character
    CHECK(prepare_ticket({"ana@acme.example", accents, "", "", ""}, profile).ok());
    const auto t = prepare_ticket({"ana@acme.example", accents + "e", "", "", ""}, profile);
    REQUIRE(fields(t) == std::vector<std::string>{"description"});
    CHECK(t.problems[0].message == "is too long: at most 100 characters, this one has 101");
}

TEST_CASE("the group is required only when the profile has several and no default") {
    const auto several = demo([](nlohmann::json& p) { p["assistance"].erase("default_group"); });
    const auto missing = prepare_ticket({"ana@acme.example", "Help", "", "", ""}, several);
    REQUIRE(fields(missing) == std::vector<std::string>{"group_id"});
    CHECK(missing.problems[0].message == "is required: choose one of helpdesk, billing");

    const auto one = demo([](nlohmann::json& p) {
        p["assistance"].erase("default_group");
        p["assistance"]["groups"].erase(1);
    });
    const auto t = prepare_ticket({"ana@acme.example", "Help", "", "", ""}, one);
    REQUIRE(t.ok());
    CHECK(t.body.at("group_id") == "helpdesk");
}

TEST_CASE("subject and priority follow the profile") {
    const auto required = demo([](nlohmann::json& p) { p["assistance"]["subject"] = "required"; });
    CHECK(fields(prepare_ticket({"ana@acme.example", "Help", "", " ", ""}, required)) ==
          std::vector<std::string>{"subject"});
    CHECK(fields(prepare_ticket({"ana@acme.example", "Help", "", std::string(201, 's'), ""},
                                demo())) == std::vector<std::string>{"subject"});
    const auto bad_priority = prepare_ticket({"ana@acme.example", "Help", "", "", "asap"}, demo());
    REQUIRE(fields(bad_priority) == std::vector<std::string>{"priority"});
    CHECK_THAT(bad_priority.problems[0].message,
               Catch::Contains("use low, medium, high or urgent"));
}

TEST_CASE("a profile with assistance turned off takes no requests") {
    const auto off = demo([](nlohmann::json& p) { p["assistance"]["enabled"] = false; });
    const auto t = prepare_ticket({"ana@acme.example", "Help", "", "", ""}, off);
    REQUIRE(t.problems.size() == 1);
    CHECK_THAT(t.problems[0].message, Catch::Contains("does not take requests"));
}

}  // namespace helpline::test
