// The Assistance form follows the profile it is given, in a live wx app: the group choice,
// the subject, the priority with its explanations, the description's counter (counting what
// validation counts), Copy, and what the result page says.
#include <wx/button.h>
#include <wx/choice.h>
#include <wx/clipbrd.h>
#include <wx/radiobut.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

#include <catch2/catch.hpp>

#include "client/gui/assistance_dialog.h"
#include "tests/gui/client_actions.h"
#include "tests/gui/demo_profile.h"

using namespace helpline;
using namespace helpline::gui;
using namespace helpline::gui::test;

namespace {

/// A form for `profile` whose Send records what it was given (nothing is saved).
struct Form {
    explicit Form(const Profile& p, const std::string& email = "") : profile(p) {
        dialog = new AssistanceDialog(nullptr, profile, "en", email,
                                      [this](const client::PreparedTicket& ticket,
                                             const client::TicketDraft&,
                                             const std::vector<client::AttachmentFile>& f) {
                                          sent.push_back(ticket.body);
                                          files.push_back(f);
                                      });
        dialog->Show();
    }
    ~Form() {
        if (dialog) dialog->Destroy();
        pump_until([] { return false; }, std::chrono::milliseconds(20));
    }
    template <typename T>
    T* find(const char* name) const {
        return dynamic_cast<T*>(dialog->FindWindow(name));
    }
    Profile profile;
    wxWeakRef<AssistanceDialog> dialog;
    std::vector<nlohmann::json> sent;
    std::vector<std::vector<client::AttachmentFile>> files;
};

client::TicketDraft draft(const std::string& group, const std::string& subject,
                         const std::string& description, const std::string& priority) {
    client::TicketDraft d;
    d.email = "ana@acme.example";
    d.group = group;
    d.subject = subject;
    d.description = description;
    d.priority = priority;
    return d;
}

nlohmann::json one_group() {
    return {{"assistance",
             {{"groups", {{{"id", "helpdesk"}, {"name", {{"en", "Help desk"}}}}}},
              {"default_group", "helpdesk"}}}};
}

}  // namespace

TEST_CASE("with several groups the default one is preselected; with one there is no choice",
          "[form]") {
    Form several(demo_brand_with().profile);
    auto* group = several.find<wxChoice>("group");
    REQUIRE(group != nullptr);
    CHECK(group->GetCount() == 2);
    CHECK(group->GetString(0) == "Help desk");
    CHECK(group->GetString(1) == "Billing");
    CHECK(group->GetStringSelection() == "Help desk");  // default_group: helpdesk

    nlohmann::json no_default = {{"assistance", {{"default_group", nullptr}}}};
    Form undecided(demo_brand_with(no_default).profile);
    REQUIRE(undecided.find<wxChoice>("group") != nullptr);
    CHECK(undecided.find<wxChoice>("group")->GetSelection() == wxNOT_FOUND);

    Form single(demo_brand_with(one_group()).profile);
    CHECK(single.find<wxChoice>("group") == nullptr);
    CHECK_FALSE(shows_label(single.dialog, "Group"));
    // The only group is the request's.
    single.dialog->fill(draft("", "", "The printer jams.", ""));
    single.dialog->press_send();
    REQUIRE(single.sent.size() == 1);
    CHECK(single.sent.front().at("group_id") == "helpdesk");
}

TEST_CASE("priority is offered only when the customer may set it, each level explained",
          "[form]") {
    Form chooses(demo_brand_with({{"assistance", {{"default_priority", "high"}}}}).profile);
    CHECK(shows_label(chooses.dialog, "How urgent is it?"));
    const std::pair<const char*, const char*> levels[] = {
        {"priority-low", "Low \u2014 it can wait a few days"},
        {"priority-medium", "Medium \u2014 it slows my work down"},
        {"priority-high", "High \u2014 I can hardly work"},
        {"priority-urgent", "Urgent \u2014 I cannot work at all"},
    };
    for (const auto& [name, text] : levels) {
        auto* radio = chooses.find<wxRadioButton>(name);
        REQUIRE(radio != nullptr);
        CHECK(radio->GetLabel() == wxString::FromUTF8(text));
        CHECK(radio->GetValue() == (std::string(name) == "priority-high"));  // the default
    }

    Form fixed(demo_brand_with({{"assistance", {{"customer_sets_priority", false}}}}).profile);
    CHECK(fixed.find<wxRadioButton>("priority-low") == nullptr);
    CHECK_FALSE(shows_label(fixed.dialog, "How urgent is it?"));
    fixed.dialog->fill(draft("billing", "", "Charged twice.", "urgent"));
    fixed.dialog->press_send();
    REQUIRE(fixed.sent.size() == 1);
    CHECK_FALSE(fixed.sent.front().contains("priority"));  // the server uses the default
}

TEST_CASE("the subject is hidden, optional or required as the profile says", "[form]") {
    Form hidden(demo_brand_with({{"assistance", {{"subject", "hidden"}}}}).profile);
    CHECK(hidden.find<wxTextCtrl>("subject") == nullptr);
    CHECK(hidden.find<wxStaticText>("subject-label") == nullptr);

    Form optional(demo_brand_with({{"assistance", {{"subject", "optional"}}}}).profile);
    REQUIRE(optional.find<wxTextCtrl>("subject") != nullptr);
    CHECK(optional.find<wxStaticText>("subject-label")->GetLabel() == "Subject (optional)");
    optional.dialog->fill(draft("billing", "", "Charged twice.", ""));
    optional.dialog->press_send();
    CHECK(optional.sent.size() == 1);

    Form required(demo_brand_with({{"assistance", {{"subject", "required"}}}}).profile);
    REQUIRE(required.find<wxTextCtrl>("subject") != nullptr);
    CHECK(required.find<wxStaticText>("subject-label")->GetLabel() == "Subject");
    required.dialog->fill(draft("billing", "", "Charged twice.", ""));
    required.dialog->press_send();
    CHECK(required.sent.empty());
    CHECK(required.dialog->problem_text("subject") ==
          "Please enter a subject: a few words about the problem.");
}

TEST_CASE(
    "the counter counts what validation counts: characters of the description without the "
    "blanks around it",
    "[form]") {
    // 89 + 1 + 10 characters between the blanks; the accented ones are two bytes each.
    const std::string text = std::string(89, 'x') + " Caf\u00e9 \u00e0 \u00e9t\u00e9";
    Form form(demo_brand_with({{"assistance", {{"max_description", 100}}}}).profile);
    CHECK(form.dialog->counter_text() == "0 / 100 characters");
    auto* description = form.find<wxTextCtrl>("description");
    description->SetValue(wxString::FromUTF8("  " + text + " \n\n"));
    CHECK(form.dialog->counter_text() == "100 / 100 characters");  // not 105: trimmed
    form.dialog->fill(draft("billing", "", "  " + text + " \n\n", ""));
    form.dialog->press_send();
    CHECK(form.dialog->problem_text("description").empty());  // as the counter said: it fits
    CHECK(form.sent.size() == 1);

    Form over(demo_brand_with({{"assistance", {{"max_description", 100}}}}).profile);
    over.dialog->fill(draft("billing", "", " " + text + "! ", ""));
    CHECK(over.dialog->counter_text() == "101 / 100 characters");
    over.dialog->press_send();
    CHECK(over.dialog->problem_text("description") ==
          "Too long: at most 100 characters, this one has 101.");
    CHECK(over.sent.empty());
}

TEST_CASE("the remembered email fills the form and the description gets the focus", "[form]") {
    Form form(demo_brand_with().profile, "ana@acme.example");
    CHECK(form.find<wxTextCtrl>("email")->GetValue() == "ana@acme.example");
    CHECK(pump_until([&] { return form.find<wxTextCtrl>("description")->HasFocus(); },
                     std::chrono::seconds(3)));
}

TEST_CASE(
    "once saved and sent the form shows the number with Copy, which puts it on the clipboard; "
    "a request kept for later says it will be sent automatically",
    "[form]") {
    Form sent(demo_brand_with().profile, "ana@acme.example");
    sent.dialog->fill(draft("billing", "", "Charged twice.", ""));
    sent.dialog->press_send();
    CHECK(sent.dialog->saving());
    CHECK(sent.dialog->FindWindow(wxID_OK)->GetLabel() == wxString::FromUTF8("Sending\u2026"));
    sent.dialog->saved("0b0c5d1e-0000-4000-8000-000000000001");
    CHECK(sent.dialog->key() == "0b0c5d1e-0000-4000-8000-000000000001");
    sent.dialog->delivered(1042);
    CHECK(sent.dialog->result_text() == "Your request number is 1042");
    auto* copy = dynamic_cast<wxButton*>(sent.dialog->FindWindow(wxID_COPY));
    REQUIRE(copy != nullptr);
    click_until(copy, [&] { return copy->GetLabel() == "Copied"; });
    wxString pasted;
    REQUIRE(wxTheClipboard->Open());
    wxTextDataObject data;
    if (wxTheClipboard->GetData(data)) pasted = data.GetText();
    wxTheClipboard->Close();
    CHECK(pasted == "1042");

    Form kept(demo_brand_with().profile, "ana@acme.example");
    kept.dialog->fill(draft("billing", "", "Charged twice.", ""));
    kept.dialog->press_send();
    kept.dialog->saved("0b0c5d1e-0000-4000-8000-000000000002");
    kept.dialog->queued();
    CHECK(kept.dialog->result_text() == "Your request is saved");
    CHECK(kept.dialog->result_detail_text().Contains("will be sent automatically"));
    CHECK_FALSE(kept.dialog->FindWindow(wxID_COPY)->IsShown());
}

TEST_CASE("a request that cannot be saved leaves the form with why, in the customer's words",
          "[form]") {
    Form form(demo_brand_with().profile, "ana@acme.example");
    form.dialog->fill(draft("billing", "", "Charged twice.", ""));
    form.dialog->press_send();
    form.dialog->not_saved(make_error("io.write", "Could not write '/x/outbox/1.json': No space"));
    CHECK_FALSE(form.dialog->saving());
    CHECK(form.dialog->key().empty());
    CHECK(form.dialog->FindWindow(wxID_OK)->IsEnabled());
    CHECK(form.dialog->problem_text("") ==
          "Your request could not be saved: It could not be written to this computer's disk. "
          "Check that the disk is not full, then try again.");
}
